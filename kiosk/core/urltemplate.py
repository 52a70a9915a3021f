"""The URLs behind the on-screen QR codes: templates with placeholders, checked and expanded.

A layout gives each page an optional ``qr.url`` and the station a ``feedback.url``, e.g.
``https://kiosk.example.kr/{station}/{page}?park={park}``. Pure: no I/O, no Qt.

- ``{station}``: the station's English name as a URL slug ("Hongik Univ." -> "hongik-univ")
- ``{page}``: the page id from the layout
- ``{park}``: on a parks page, the id of the nearest park shown
- ``{ars_id}``: on a bus page, the ARS id of the stop shown
- ``{{`` and ``}}`` stand for literal braces.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from urllib.parse import quote, urlsplit

STATION_WIDE = ("station", "page")
# The item a page shows: which placeholder names it, by page kind.
ITEM_PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "parks": ("park",),
    "buses": ("ars_id",),
}
PLACEHOLDERS = STATION_WIDE + tuple(p for ps in ITEM_PLACEHOLDERS.values() for p in ps)
# A longer URL needs a denser code (version 10 at error correction M holds 213 bytes); past
# this its modules get too small to scan from 3 m at a size that still leaves room for data.
MAX_URL_CHARS = 200
_NAME = re.compile(r"^[a-z_]+$")


def placeholders(template: str) -> tuple[str, ...]:
    """The placeholder names in ``template``, in order; ValueError (one line) when malformed."""
    names: list[str] = []
    i, n = 0, len(template)
    while i < n:
        c = template[i]
        if c == "{":
            if template.startswith("{{", i):
                i += 2
                continue
            end = template.find("}", i + 1)
            nxt = template.find("{", i + 1)
            if end < 0 or (0 <= nxt < end):
                raise ValueError(f"unbalanced '{{' at character {i + 1}")
            name = template[i + 1 : end]
            if not _NAME.match(name):
                raise ValueError(f"bad placeholder {{{name}}}: expected one of {_known()}")
            if name not in PLACEHOLDERS:
                raise ValueError(f"unknown placeholder {{{name}}} (known: {_known()})")
            names.append(name)
            i = end + 1
        elif c == "}":
            if template.startswith("}}", i):
                i += 2
                continue
            raise ValueError(f"unbalanced '}}' at character {i + 1}")
        else:
            i += 1
    return tuple(names)


def _known() -> str:
    return ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)


def check_template(template: str) -> str:
    """Validate a QR url template: balanced braces, known placeholders, https with a host.

    Which item placeholder a page can fill depends on its kind (``allowed_for``): the layout
    checks that. Returns the template; raises ValueError with a one-line reason.
    """
    if not isinstance(template, str) or not template.strip():
        raise ValueError("empty url")
    if template != template.strip() or any(c.isspace() for c in template):
        raise ValueError("url contains whitespace: percent-encode it (%20)")
    if len(template) > MAX_URL_CHARS:
        raise ValueError(
            f"url is {len(template)} characters: keep it under {MAX_URL_CHARS}, "
            "or the code gets too fine to scan from 3 m"
        )
    names = placeholders(template)
    sample = expand(template, dict.fromkeys(names, "x"))
    parts = urlsplit(sample)
    if parts.scheme.lower() != "https":
        shown = parts.scheme or "none"
        raise ValueError(f"url must start with https:// (scheme is {shown})")
    if not parts.hostname:
        raise ValueError("url has no host name after https://")
    return template


def allowed_for(kind: str) -> tuple[str, ...]:
    """The placeholders a page of ``kind`` can fill: station, page and its item, if it has one."""
    return STATION_WIDE + ITEM_PLACEHOLDERS.get(kind, ())


def expand(template: str, values: Mapping[str, str]) -> str:
    """Fill the placeholders (each value percent-encoded); KeyError names a missing one."""
    out: list[str] = []
    i, n = 0, len(template)
    while i < n:
        c = template[i]
        if c in "{}" and template.startswith(c * 2, i):
            out.append(c)
            i += 2
        elif c == "{":
            end = template.index("}", i)
            out.append(quote(str(values[template[i + 1 : end]]), safe=""))
            i = end + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def station_slug(name_en: str) -> str:
    """ "Hongik Univ." -> "hongik-univ": lower-case ASCII words joined by hyphens."""
    plain = unicodedata.normalize("NFKD", name_en).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", plain.lower())
    return "-".join(words) or "station"
