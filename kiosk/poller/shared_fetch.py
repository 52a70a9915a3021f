"""One URL's answer for a screen of a station: from the shared cache, from the one screen that
calls for all of them, or from its own call.

    body = shared_get(flight, session, url, now=now, expire_after=20, call=lambda: http.get(...))

A stored answer younger than ``expire_after`` is used as it is (no lock, no call). Once it has
expired, ``SingleFlight`` lets one screen make ``call()`` while the others wait (bounded) for
the answer it leaves in the cache: an answer is theirs once the cache holds one newer than the
copy that had expired. Another screen's clock may run a little ahead of this one's, so an answer
stamped up to ``CLOCK_SKEW`` after ``now`` counts as fresh (``poller.http`` alone, for one
screen, takes such a stamp for a clock that went back). With Redis
away ``SingleFlight`` lets every screen call (``alone``): nothing waits on a dead Redis.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from kiosk.poller import http
from kiosk.poller.session import KioskSession

if TYPE_CHECKING:  # redis-py is loaded only by a kiosk that has a shared Redis
    from kiosk.poller.singleflight import SingleFlight

log = logging.getLogger(__name__)

CLOCK_SKEW = timedelta(seconds=30)  # another screen's stamp this far after ``now`` is plausible


def usable(body: http.Body | None, now: datetime, expire_after: float) -> bool:
    """Whether a stored answer may be used without a call: younger than ``expire_after``, and
    stamped no further after ``now`` than another screen's clock may run ahead."""
    if body is None:
        return False
    age = (now - body.fetched_at).total_seconds()
    return -CLOCK_SKEW.total_seconds() <= age < expire_after


def shared_get(
    flight: SingleFlight,
    ks: KioskSession,
    url: str,
    *,
    now: datetime,
    expire_after: float,
    call: Callable[[], http.Body],
) -> http.Body:
    """The answer for ``url``: cached, another screen's (waited for), or ``call()``'s."""
    stored = http.peek(ks, url, now)
    if stored is not None and usable(stored, now, expire_after):
        return stored

    def lookup() -> http.Body | None:
        body = http.peek(ks, url, now)
        if body is None or (stored is not None and body.fetched_at <= stored.fetched_at):
            return None  # still the copy that expired
        return body if usable(body, now, expire_after) else None

    # The lock's name is a hash of the URL with every secret masked: no key reaches Redis.
    result = flight.run(ks.redactor.secrets_only(url), lookup, call)
    log.debug("%s: %s", http.host_of(url), result.how)
    return result.value
