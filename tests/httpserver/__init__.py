"""Real local HTTP servers for tests: a scriptable ``LocalServer`` and the ``SeoulApi`` simulator.

with SeoulApi(subway_key, openapi_key, clock.now) as api:
    cfg = kiosk_config(api, tmp_path)   # sources.endpoints point at the simulator
    api.fail("air", HTML_ERROR_PAGE)     # or Reply(status=503), Reply(hang=event), ...
"""

from tests.httpserver.seoul import (
    ALERTS_KEY,
    BUS_KEY,
    HTML_ERROR_PAGE,
    REPO,
    SAMPLES,
    SERVICES,
    FakeClock,
    SeoulApi,
    kiosk_config,
    kiosk_config_dict,
    openapi_xml_error,
    sample,
    seoul_api,
)
from tests.httpserver.server import HANG_LIMIT_S, LocalServer, Reply

__all__ = [
    "ALERTS_KEY",
    "BUS_KEY",
    "HANG_LIMIT_S",
    "HTML_ERROR_PAGE",
    "REPO",
    "SAMPLES",
    "SERVICES",
    "FakeClock",
    "LocalServer",
    "Reply",
    "SeoulApi",
    "kiosk_config",
    "kiosk_config_dict",
    "openapi_xml_error",
    "sample",
    "seoul_api",
]
