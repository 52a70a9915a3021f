"""`kiosk run` on live data from a local Seoul API simulator: fresh, then an outage (stale with its
age, then no data), then recovery by itself. Real process, real HTTP, real cache; short
thresholds instead of hours."""

from __future__ import annotations

import json

import yaml

from tests.httpserver.seoul import BUS_KEY, HTML_ERROR_PAGE, SeoulApi, kiosk_config_dict
from tests.kiosk_process import RunningKiosk, sources_of

SUBWAY_KEY, OPEN_KEY = "SUBWAYKEY-live-0123456789", "OPENKEY-live-9876543210"


def test_live_data_degrades_through_an_outage_and_recovers(tmp_path):
    api = SeoulApi(SUBWAY_KEY, OPEN_KEY).start()
    cfg = kiosk_config_dict(
        api,
        tmp_path,
        subway_daily_budget=100_000,
        subway_min_interval=5,
        service_hours={"start": "00:00", "end": "00:00"},
        cache_expiry={"subway": 0},
        # The data's age counts from its recptnDt, which the simulator sets 5-9 s before the
        # answer (as the real API lags): a fresh answer is ~6 s old, so stale from 15 s.
        freshness={"subway": {"stale_after": 15, "unavailable_after": 30}},
    )
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    kiosk = RunningKiosk(
        config,
        tmp_path,
        env={
            "SEOUL_API_KEY": OPEN_KEY,
            "SEOUL_SUBWAY_API_KEY": SUBWAY_KEY,
            "SEOUL_BUS_API_KEY": BUS_KEY,
        },
    )

    def subway(status: dict) -> dict:
        return sources_of(status)["subway"]

    try:
        st = kiosk.wait_status(
            lambda s: all(
                sources_of(s).get(n, {}).get("status") == "ok"
                for n in ("subway", "air", "parks", "bikes")
            ),
            40,
        )
        assert api.calls["subway"] >= 1
        assert SUBWAY_KEY not in json.dumps(st) and OPEN_KEY not in json.dumps(st)

        api.fail("subway", HTML_ERROR_PAGE)  # the upstream goes down: an HTML 503 page
        # Stale, and saying why (on a loaded machine the age may make it stale a moment before
        # the failed poll's answer is in).
        st = kiosk.wait_status(
            lambda s: subway(s)["status"] == "stale" and "503" in (subway(s)["error"] or ""), 30
        )
        kiosk.wait_status(lambda s: subway(s)["status"] not in ("ok", "stale"), 30)
        assert kiosk.proc.poll() is None

        api.heal()  # back: recovers by itself, no restart
        kiosk.wait_status(lambda s: subway(s)["status"] == "ok", 40)
        assert kiosk.proc.poll() is None
    finally:
        out = kiosk.stop()
        api.stop()
    assert kiosk.proc.returncode == 0, out
    assert "Traceback" not in out
    assert SUBWAY_KEY not in out and OPEN_KEY not in out
    cache = (tmp_path / "http.sqlite").read_bytes()
    assert SUBWAY_KEY.encode() not in cache and OPEN_KEY.encode() not in cache
