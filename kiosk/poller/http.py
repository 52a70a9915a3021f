"""One GET through the cached session, every failure mapped to a one-line ``TransportError``.

Messages name the host and what went wrong, never the URL path (it holds the API key), and
exceptions are raised ``from None`` so that no traceback carries the URL either.

The body is read here, in chunks, as decoded bytes: past ``max_bytes`` (a gzip bomb, a 30 MB
page) the answer is refused before more is read, so memory stays bounded and nothing is stored.
A request must be over within ``deadline_s`` in all (``KioskSession.deadline``), and a redirect
is an error: the key in the path would follow the server's ``Location`` anywhere.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from kiosk.errors import TransportError
from kiosk.poller.session import FETCHED_AT_HEADER, KioskSession

_MAX_RETRY_AFTER_S = 6 * 3600.0
_CHUNK = 64 * 1024  # decoded bytes read at a time (urllib3 inflates no more than asked for)


class HttpError(TransportError):
    """The server answered with an HTTP error status (4xx/5xx)."""

    def __init__(self, message: str, status: int, retry_after_s: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Body:
    """An answer body and how honest we can be about it."""

    content: bytes
    fetched_at: datetime  # when this body came from the API (our clock), even if served from cache
    from_cache: bool
    fallback_error: str | None = None  # the request failed; this is the last good cached copy
    retry_after_s: float | None = None  # the failed request's Retry-After, if any


def host_of(url: str) -> str:
    """``host:port`` of a URL: safe to print (the key is in the path)."""
    parts = urlsplit(url)
    return parts.netloc.rsplit("@", 1)[-1] or "?"


def retry_after_s(value: str | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), capped; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    return min(max(0.0, seconds), _MAX_RETRY_AFTER_S)


def describe(error: BaseException | None, host: str, timeout: float) -> str:
    """One line for a requests/urllib3 failure, without the URL."""
    if error is None:
        return f"request to {host} failed"
    if isinstance(error, requests.Timeout):
        return f"no answer from {host} within {timeout:g} s (timeout)"
    if isinstance(error, requests.HTTPError) and error.response is not None:
        r = error.response
        return f"HTTP {r.status_code} {r.reason or ''} from {host}".replace("  ", " ").strip()
    if isinstance(
        error, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)
    ):
        return f"the answer from {host} was cut off"
    chain = _causes(error)
    if any(isinstance(c, ConnectionRefusedError) for c in chain):
        return f"connection refused by {host}"
    if any(isinstance(c, socket.gaierror) for c in chain) or "NameResolutionError" in _names(chain):
        return f"cannot resolve {host} (DNS)"
    if isinstance(error, requests.ConnectionError):
        if any(
            isinstance(c, ConnectionResetError) for c in chain
        ) or "RemoteDisconnected" in _names(chain):
            return f"{host} closed the connection without an answer"
        return f"cannot connect to {host}"
    return f"request to {host} failed ({error.__class__.__name__})"


def _causes(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [error]
    while todo:
        e = todo.pop()
        if e is None or any(e is s for s in seen) or len(seen) > 20:
            continue
        seen.append(e)
        todo.extend([e.__cause__, e.__context__])
        todo.extend(a for a in getattr(e, "args", ()) if isinstance(a, BaseException))
        reason = getattr(e, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)
    return seen


def _names(chain: list[BaseException]) -> str:
    return " ".join(c.__class__.__name__ for c in chain)


def peek(ks: KioskSession, url: str, now: datetime) -> Body | None:
    """The stored answer for ``url`` without any request (for showing cached data at start-up)."""
    cached = ks.cached(url)
    if cached is None:
        return None
    return Body(cached.content or b"", fetched_at_of(cached, now), from_cache=True)


def get(
    ks: KioskSession,
    url: str,
    *,
    now: datetime,
    expire_after: float,
    timeout: float,
    accept: Callable[[bytes], bool] | None = None,
    max_bytes: int | None = None,
    deadline_s: float | None = None,
) -> Body:
    """GET ``url`` through the cache, with expiry and stale-if-error decided on the ``now`` clock.

    A stored answer younger than ``expire_after`` seconds is returned without a request. Else the
    request goes out (at most ``deadline_s`` in all, at most ``max_bytes`` of decoded body);
    ``accept`` decides whether its 200 answer may be stored. When the request fails and an older
    answer is stored, that one is returned with ``fallback_error`` set; without one, the failure
    is raised as TransportError (HttpError for a status >= 400).
    """
    host = host_of(url)
    ks.trace.reset()  # first: a cache hit must report 0 calls, not the previous request's
    cached = ks.cached(url)
    if cached is not None:
        cached_at = fetched_at_of(cached, now)
        if 0 <= (now - cached_at).total_seconds() < expire_after:
            return Body(cached.content or b"", cached_at, from_cache=True)
    response: requests.Response | None = None
    cut = None
    try:
        with ks.deadline(deadline_s) as cut:
            response = ks.send(url, timeout)
            content = _read_body(response, host, max_bytes, now)
    except TransportError as e:
        error: TransportError = e
    except requests.RequestException as e:
        error = _deadline_error(host, deadline_s, cut) or _transport_error(e, host, timeout, now)
    except (OSError, ValueError) as e:  # socket errors that escape requests' wrapping
        error = _deadline_error(host, deadline_s, cut) or TransportError(
            f"request to {host} failed ({e.__class__.__name__})"
        )
    else:
        if accept is None or accept(content):
            # Stored with the answer: a copy served later keeps its original age on our clock.
            response.headers[FETCHED_AT_HEADER] = now.isoformat()
            ks.store(response)
        return Body(content, now, from_cache=False)
    finally:
        if response is not None:
            response.close()  # a body left unread (refused, failed) frees its connection
    if cached is None:
        raise error from None
    return Body(
        cached.content or b"",
        fetched_at_of(cached, now),
        from_cache=True,
        fallback_error=error.one_line(),
        retry_after_s=getattr(error, "retry_after_s", None),
    )


def _read_body(
    response: requests.Response, host: str, max_bytes: int | None, now: datetime
) -> bytes:
    """The decoded body of a 2xx answer, at most ``max_bytes``; TransportError for anything else."""
    status = response.status_code
    if 300 <= status < 400:
        target = host_of(response.headers.get("Location") or "") if response.headers else "?"
        where = "" if target in ("?", host) else f" to {target}"
        raise HttpError(f"HTTP {status} from {host}: redirect{where} not followed", status)
    if status >= 400:
        raise _status_error(status, response.reason, host, response.headers.get("Retry-After"), now)
    declared = (response.headers.get("Content-Length") or "").strip()
    if max_bytes is not None and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(host, max_bytes)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(_CHUNK):
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise _too_large(host, max_bytes)  # what was read is dropped: memory stays bounded
        chunks.append(chunk)
    content = b"".join(chunks)
    # requests' own place for a body read once, where storing the answer (requests-cache's
    # CachedResponse.from_response) looks for it.
    response._content = content
    return content


def _too_large(host: str, max_bytes: int) -> TransportError:
    return TransportError(f"the answer from {host} is over {max_bytes // 1024} KiB: refused")


def _deadline_error(host: str, deadline_s: float | None, cut: Any) -> TransportError | None:
    if cut is None or not cut.fired:
        return None
    return TransportError(f"no complete answer from {host} within {deadline_s:.3g} s (deadline)")


def _status_error(
    status: int, reason: str | None, host: str, retry_after: str | None, now: datetime
) -> HttpError:
    text = f"HTTP {status} {reason or ''}".strip()
    return HttpError(f"{text} from {host}", status, retry_after_s(retry_after, now))


def _transport_error(
    e: requests.RequestException, host: str, timeout: float, now: datetime
) -> TransportError:
    if isinstance(e, requests.HTTPError) and e.response is not None:
        r = e.response
        return _status_error(r.status_code, r.reason, host, r.headers.get("Retry-After"), now)
    return TransportError(describe(e, host, timeout))


def fetched_at_of(response: requests.Response, now: datetime) -> datetime:
    """When an answer came from the API: our stamp, else the cache's creation time, else ``now``."""
    stamp = response.headers.get(FETCHED_AT_HEADER)
    if stamp:
        try:
            when = datetime.fromisoformat(stamp)
            if when.tzinfo is not None:
                return when
        except ValueError:
            pass
    created = getattr(response, "created_at", None)
    if isinstance(created, datetime):
        return created if created.tzinfo else created.replace(tzinfo=UTC)
    return now
