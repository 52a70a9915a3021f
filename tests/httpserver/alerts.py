"""The emergency-alert feed (safetydata.go.kr ``DSSP-IF-00247``) for ``SeoulApi``.

It checks ``serviceKey`` (an unknown key gets resultCode "30" with ``body: null``), answers JSON
only for ``returnType=json`` (XML otherwise, as the real one), filters by ``crtDt`` and
``rgnNm``, returns the newest ``numOfRows`` rows, and can run out of quota (resultCode "22").
No raw body of this service exists: the rows follow shared/reference/seoul-open-api.md §11 with
every quirk it lists (SN a JSON number, CRT_DT with slashes, RCPTN_RGN_NM with trailing spaces
and several regions, REG_YMD / MDFCN_YMD present).
"""

from __future__ import annotations

import json
import threading
from datetime import datetime

from tests.httpserver.server import Reply

PATH = "/V2/api/DSSP-IF-00247"
PATTERN = r"^/V2/api/DSSP-IF-00247"


def alert_row(
    sn: int,
    message: str,
    regions: str,
    issued_at: datetime,
    level: str = "긴급재난",
    category: str = "호우",
) -> dict[str, object]:
    """One row as the feed sends it; ``regions`` as RCPTN_RGN_NM (add the trailing space yourself)."""
    return {
        "MSG_CN": message,
        "RCPTN_RGN_NM": regions,
        "CRT_DT": issued_at.strftime("%Y/%m/%d %H:%M:%S"),
        "REG_YMD": issued_at.strftime("%Y-%m-%d"),
        "EMRG_STEP_NM": level,
        "SN": sn,
        "DST_SE_NM": category,
        "MDFCN_YMD": issued_at.strftime("%Y-%m-%d"),
    }


def result_body(code: str, message: str) -> str:
    """An error answer: another resultCode, ``body: null`` (HTTP 200)."""
    return json.dumps(
        {"header": {"resultMsg": message, "resultCode": code, "errorMsg": message}, "body": None}
    )


def gateway_xml(code: str, auth_msg: str) -> Reply:
    """The data.go.kr gateway's XML envelope, even for a JSON request."""
    body = (
        "<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg>"
        f"<returnAuthMsg>{auth_msg}</returnAuthMsg><returnReasonCode>{code}</returnReasonCode>"
        "</cmmMsgHeader></OpenAPI_ServiceResponse>"
    )
    return Reply(body, content_type="text/xml;charset=UTF-8")


class AlertsFeed:
    """The rows the feed holds (newest first on the wire) and how it answers a request."""

    def __init__(self, key: str):
        self.key = key
        self.rows: list[dict[str, object]] = []
        self.quota: int | None = None  # calls allowed before resultCode 22
        self.calls = 0
        self.queries: list[dict[str, str]] = []
        self._lock = threading.Lock()

    def set_rows(self, *rows: dict[str, object]) -> None:
        """Replace what the feed holds."""
        with self._lock:
            self.rows = list(rows)

    def add(self, row: dict[str, object]) -> None:
        """Publish one more alert."""
        with self._lock:
            self.rows.append(row)

    def reply(self, path: str) -> Reply:
        """Answer one request (``path`` includes the decoded query string)."""
        _, _, query = path.partition("?")
        # The server hands us the decoded path: split by hand, a '+' in a key stays a '+'.
        params = dict(p.partition("=")[::2] for p in query.split("&") if p)
        with self._lock:
            self.calls += 1
            self.queries.append(params)
            rows = list(self.rows)
            over = self.quota is not None and self.calls > self.quota
        if params.get("serviceKey") != self.key:
            return Reply(result_body("30", "SERVICE_KEY_IS_NOT_REGISTERED_ERROR"))
        if over:
            return Reply(result_body("22", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR"))
        if params.get("returnType", "xml").lower() != "json":
            return Reply("<response><header><resultCode>00</resultCode></header></response>")
        try:
            n = int(params.get("numOfRows", "10"))
            page = int(params.get("pageNo", "1"))
        except ValueError:
            return Reply(result_body("10", "INVALID_REQUEST_PARAMETER_ERROR"))
        day = params.get("crtDt")
        if day:
            rows = [r for r in rows if str(r["CRT_DT"]).replace("/", "")[:8] == day]
        region = params.get("rgnNm")
        if region:
            rows = [r for r in rows if region in str(r["RCPTN_RGN_NM"])]
        rows.sort(key=lambda r: str(r["CRT_DT"]), reverse=True)
        shown = rows[(page - 1) * n : page * n]
        body = {
            "header": {"resultMsg": "NORMAL SERVICE", "resultCode": "00", "errorMsg": None},
            "numOfRows": n,
            "pageNo": page,
            "totalCount": len(rows),
            "body": shown,
        }
        return Reply(json.dumps(body, ensure_ascii=False))
