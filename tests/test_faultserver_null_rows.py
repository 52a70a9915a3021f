"""The soak's fault server also answers with bodies whose rows are all null (issue 11, finding 6)."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime

import pytest

from kiosk.bench.faultserver import PATTERN, FaultServer
from kiosk.core.timeutil import KST
from kiosk.errors import MalformedResponse
from kiosk.sources import air, subway

NOW = datetime(2026, 11, 26, 8, 14, 5, tzinfo=KST)


def test_null_rows_is_in_turn_and_every_parser_calls_it_an_error_not_no_data():
    assert "null_rows" in PATTERN
    server = FaultServer("여의도", 100.0, 0.1, lambda: NOW, lambda: 0.0).start()
    try:
        urls = {
            "subway": server.endpoints["subway"]
            + "/KEY/json/realtimeStationArrival/0/20/%EC%97%AC",
            "air": server.url + "/KEY/json/RealtimeCityAir/1/25/",
        }
        parsers = {"subway": subway.parse, "air": air.parse}
        for source, url in urls.items():
            bodies = []
            for _ in PATTERN:  # one full turn: exactly one reply of it is the null-rows one
                try:
                    with urllib.request.urlopen(url, timeout=5) as r:
                        bodies.append(r.read())
                except OSError:  # the 502 page
                    bodies.append(b"")
            nulls = bodies[PATTERN.index("null_rows")]
            data = json.loads(nulls)
            rows = data.get("realtimeArrivalList") or data["RealtimeCityAir"]["row"]
            assert rows and all(set(r.values()) == {None} for r in rows)
            with pytest.raises(MalformedResponse, match="none usable"):
                parsers[source](nulls, NOW)
        assert server.counts["subway null_rows"] == 1 and server.counts["air null_rows"] == 1
    finally:
        server.stop()
