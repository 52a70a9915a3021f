"""What every Seoul API parser needs: tolerant numbers, body decoding, error codes, row extraction.

The APIs answer errors with HTTP 200 and a body whose shape differs from the success body
(flat instead of wrapped, XML for a JSON request, a gateway envelope). ``load_json`` turns every
error shape we know into a ``kiosk.errors`` exception; ``rows_at`` finds the rows in whatever
wrapper survived. See shared/reference/seoul-open-api.md §0–§2.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from kiosk.core.tm import looks_like_wgs84
from kiosk.errors import ApiError, ApiKeyError, MalformedResponse, QuotaExceeded, TransportError

log = logging.getLogger(__name__)
T = TypeVar("T")

OK_CODE = "INFO-000"
EMPTY_CODE = "INFO-200"  # "해당하는 데이터가 없습니다": an empty result, not a failure
KEY_CODES = frozenset({"INFO-100"})
QUOTA_CODES = frozenset({"ERROR-337"})
# data.go.kr gateway returnReasonCode. 22/30 are in the reference; 20 (access denied),
# 31 (key expired) and 32 (unregistered IP) are the gateway's other "this key cannot be used"
# codes, which an operator fixes the same way as 30.
GATEWAY_KEY_CODES = frozenset({"20", "30", "31", "32"})
GATEWAY_QUOTA_CODES = frozenset({"22"})

_MAX_MESSAGE = 160
# Rows sit 2–3 levels deep; keys below this depth are left as they are, so that a hostile
# body nested hundreds of levels deep cannot exhaust the stack.
_UPPER_KEYS_DEPTH = 16
# What converting one row's values may raise (a date out of range, a number too large for a
# float, a value of the wrong type): the row is dropped and counted, never the whole body.
ROW_ERRORS: tuple[type[Exception], ...] = (ValueError, TypeError, ArithmeticError, OSError)


def to_float(value: object) -> float | None:
    """A number from an int, float or numeric string ("1,234" too); None for "", "-", "점검중", garbage."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def to_int(value: object) -> int | None:
    """An int from an int, float or numeric string (fractions rounded); None when not a number."""
    number = to_float(value)
    return None if number is None else int(round(number))


def to_str(value: object) -> str:
    """Text with surrounding whitespace removed; "" for None and for containers."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def decode_body(body: bytes | str) -> str:
    """Body text, decoded as UTF-8 whatever the HTTP headers claimed."""
    if isinstance(body, str):
        # A client that guessed ISO-8859-1 turns UTF-8 Korean into mojibake made of code points
        # below 256; real Korean text never is, so re-decoding such a string is safe.
        if any("\x80" <= ch <= "\xff" for ch in body) and all(ord(ch) < 256 for ch in body):
            try:
                return body.encode("latin-1").decode("utf-8")
            except UnicodeDecodeError:
                return body
        return body
    for encoding in ("utf-8", "cp949"):  # some older Korean endpoints still answer in CP949
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return body.decode("utf-8", errors="replace")


def clean_message(message: object) -> str:
    """An API message as one short line (the APIs never echo the key; we never add the URL)."""
    text = " ".join(to_str(message).split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def raise_for_code(code: object, message: object = "") -> bool:
    """Raise the kiosk error for an API result code; True for INFO-200 (empty), False for INFO-000."""
    norm = to_str(code).upper()
    text = clean_message(message)
    if norm in ("", OK_CODE):
        return False
    if norm == EMPTY_CODE:
        return True
    if norm in KEY_CODES:
        raise ApiKeyError(norm, text or "API key rejected")
    if norm in QUOTA_CODES:
        raise QuotaExceeded(norm, text or "daily call limit reached")
    raise ApiError(norm, text)


def _xml_text(text: str, tag: str) -> str | None:
    match = re.search(rf"<{tag}\b[^>]*>(.*?)</{tag}\s*>", text, re.S | re.I)
    if match is None:
        return None
    inner = match.group(1).strip()
    cdata = re.fullmatch(r"<!\[CDATA\[(.*?)\]\]>", inner, re.S)
    return (cdata.group(1) if cdata else inner).strip()


def _from_markup(text: str) -> Any:
    head = text[:4000]
    if re.search(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", head, re.I):
        title = _xml_text(head, "title") or ""
        detail = f": {clean_message(title)[:80]}" if title else ""
        raise TransportError(f"got an HTML page instead of API data{detail}")
    if re.search(r"<OpenAPI_ServiceResponse\b", head, re.I):
        reason = _xml_text(text, "returnReasonCode") or ""
        auth = _xml_text(text, "returnAuthMsg") or _xml_text(text, "errMsg") or ""
        code = f"GATEWAY-{reason}" if reason else "GATEWAY"
        message = f"data.go.kr gateway: {auth}" if auth else "data.go.kr gateway error"
        if reason in GATEWAY_QUOTA_CODES:
            raise QuotaExceeded(code, clean_message(message))
        if reason in GATEWAY_KEY_CODES:
            raise ApiKeyError(code, clean_message(message))
        raise ApiError(code, clean_message(message))
    result_code = _xml_text(text, "CODE")
    if result_code is not None:
        result_message = _xml_text(text, "MESSAGE") or ""
        if result_code.strip().upper() == OK_CODE:
            raise MalformedResponse("got an XML body where JSON was requested")
        raise_for_code(result_code, result_message)
        return {"RESULT": {"CODE": EMPTY_CODE, "MESSAGE": result_message}}
    root = re.match(r"<\??([\w:-]+)", text)
    name = root.group(1) if root else "?"
    raise MalformedResponse(f"unexpected XML/markup body (root <{name}>)")


def load_json(body: bytes | str) -> Any:
    """Decode and parse a JSON body; map XML error bodies, HTML pages and broken JSON to errors.

    An XML ``INFO-200`` comes back as ``{"RESULT": {"CODE": "INFO-200", ...}}`` so that callers
    see one shape for "no data".
    """
    text = decode_body(body).lstrip("\ufeff").strip()
    if not text:
        raise MalformedResponse("empty response body")
    if text.startswith("<"):
        return _from_markup(text)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedResponse(
            f"truncated or malformed JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise MalformedResponse("JSON nested too deeply to be API data") from None


def api_status(data: object) -> tuple[str, str] | None:
    """The (code, message) a body carries, per the reference's robust rule; None when absent."""
    if not isinstance(data, Mapping):
        return None
    candidates: list[object] = [data.get("errorMessage"), data.get("ERRORMESSAGE"), data]
    candidates.append(data.get("RESULT"))
    # The Seoul OpenAPI puts RESULT inside the service wrapper: {"RealtimeCityAir": {"RESULT": …}}.
    candidates.extend(v.get("RESULT") for v in data.values() if isinstance(v, Mapping))
    for cand in candidates:
        if not isinstance(cand, Mapping):
            continue
        code = cand.get("code", cand.get("CODE"))
        if isinstance(code, (str, int)) and not isinstance(code, bool) and to_str(code):
            return to_str(code), to_str(cand.get("message", cand.get("MESSAGE")))
    return None


@dataclass(frozen=True)
class Parsed(Generic[T]):
    """What one body held: the usable items, and how many of its rows were not usable."""

    items: tuple[T, ...]
    rows: int  # rows in the body, usable or not
    dropped: int  # rows left out: not an object, a required value missing, absurd or unreadable


def rows_at(
    data: object, paths: Sequence[Sequence[str]], *, row_marker: str | None = None
) -> list[dict[str, Any]]:
    """The row dicts of a parsed body; [] for INFO-200; raises for error codes and unknown shapes.

    Rows that are not objects are dropped; when the body has rows and none is an object, that
    is a MalformedResponse ("N rows, none usable"), not an empty answer. ``raw_rows`` keeps
    them, for parsers that count what they drop (``usable_rows``).
    """
    raw = raw_rows(data, paths, row_marker=row_marker)
    rows = [row for row in raw if isinstance(row, dict)]
    if raw and not rows:
        raise MalformedResponse(none_usable(len(raw)))
    return rows


def none_usable(rows: int) -> str:
    """The one line for a body whose rows are all unusable."""
    return f"{rows} row{'s' if rows != 1 else ''}, none usable"


def usable_rows(
    source: str, rows: Iterable[object], convert: Callable[[dict[str, Any]], T | None]
) -> Parsed[T]:
    """Convert each row; drop (and count) non-objects, rows ``convert`` refuses and rows whose
    values raise (``ROW_ERRORS``). Rows but none usable: MalformedResponse, never "no data".

    The count is logged once per body at debug level and returned in ``Parsed.dropped``.
    """
    items: list[T] = []
    total = 0
    failed: dict[str, int] = {}
    for row in rows:
        total += 1
        if not isinstance(row, dict):
            continue
        try:
            item = convert(row)
        except ROW_ERRORS as e:
            failed[e.__class__.__name__] = failed.get(e.__class__.__name__, 0) + 1
            continue
        if item is not None:
            items.append(item)
    dropped = total - len(items)
    if total and not items:
        raise MalformedResponse(none_usable(total))
    if dropped:
        detail = ", ".join(f"{n} {name}" for name, n in sorted(failed.items()))
        log.debug(
            "%s: dropped %d of %d rows%s", source, dropped, total, f" ({detail})" if detail else ""
        )
    return Parsed(tuple(items), total, dropped)


def raw_rows(
    data: object, paths: Sequence[Sequence[str]], *, row_marker: str | None = None
) -> list[object]:
    """Every row of a parsed body, objects or not; [] for INFO-200; raises like ``rows_at``.

    ``paths`` are key paths to the row list (``("RealtimeCityAir", "row")``); a bare list of rows,
    or a bare row object holding ``row_marker``, is accepted too.
    """
    status = api_status(data)
    if status is not None and raise_for_code(*status):
        return []
    found: object = None
    if isinstance(data, list):
        found = data
    elif isinstance(data, Mapping):
        for path in paths:
            node: object = data
            for key in path:
                node = node.get(key) if isinstance(node, Mapping) else None
            if node is not None:
                found = node
                break
        if found is None and row_marker is not None and row_marker in data:
            found = [data]
    if isinstance(found, Mapping):  # a single row sent as an object instead of a list
        found = [found]
    wanted = "/".join(paths[0]) if paths else "rows"
    if isinstance(found, list):
        return list(found)
    if found is not None:  # "row": "garbage" or 5: rows of the wrong type are not "no rows"
        raise MalformedResponse(f"{wanted} is a {type(found).__name__}, not a list of rows")
    if status is not None:  # INFO-000 with no rows at all
        return []
    raise MalformedResponse(f"response has no {wanted} and no result code")


def wgs84_of(lat_value: object, lon_value: object) -> tuple[float, float] | None:
    """A usable (lat, lon) from two API values, swapping a swapped pair; None when unusable."""
    lat, lon = to_float(lat_value), to_float(lon_value)
    if lat is None or lon is None:
        return None
    if looks_like_wgs84(lat, lon):
        return lat, lon
    if looks_like_wgs84(lon, lat):
        return lon, lat
    return None


def upper_keys(obj: Any, _depth: int = 0) -> Any:
    """The same JSON value with dict keys upper-cased (for services that vary key case).

    Only the top ``_UPPER_KEYS_DEPTH`` levels, where wrappers and rows are: deeper values are
    kept as they are, so a body nested hundreds of levels deep cannot exhaust the stack.
    """
    if _depth >= _UPPER_KEYS_DEPTH:
        return obj
    if isinstance(obj, dict):
        return {str(k).upper(): upper_keys(v, _depth + 1) for k, v in obj.items()}
    if isinstance(obj, list):
        return [upper_keys(v, _depth + 1) for v in obj]
    return obj


def openapi_url(base: str, key: str, service: str, start: int, end: int, *params: str) -> str:
    """URL of an openapi.seoul.go.kr service: key in the path, blank params as %20."""
    if not key or not key.strip():
        raise ApiKeyError("NO-KEY", "no API key configured")
    url = (
        f"{base.rstrip('/')}/{quote(key.strip(), safe='')}/json/{service}/{int(start)}/{int(end)}/"
    )
    if params:
        url += "/".join(quote(p, safe="") if p.strip() else "%20" for p in params) + "/"
    return url
