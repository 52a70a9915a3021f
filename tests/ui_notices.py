"""Notices for UI tests: the feed's longest message, every level, an operator's with English."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from kiosk.core.models import Alert, Notice
from kiosk.core.notices import NoticeRules, alert_notice
from kiosk.ops.notice_spool import operator_notice
from tests.ui_data import NOW

# 90 characters (spaces included), as long as the feed's messages get, with an "[issuer]" head.
LONGEST = (
    "[영등포구청] 오늘 15:00 한강 수위 상승으로 여의도 한강공원 둔치 전 구간 출입을 "
    "통제합니다. 인근 주민과 방문객은 즉시 안전한 곳으로 대피하시기 바랍니다."
)
assert len(LONGEST) >= 85, len(LONGEST)
RULES = NoticeRules(district="영등포구")


def raw_alert(
    serial: int,
    level: str,
    category: str,
    message: str,
    issued_at: datetime,
    regions: tuple[str, ...] = ("서울특별시 영등포구", "서울특별시 동작구"),
) -> Alert:
    """An alert as the feed's parser gives it (for 영등포구 unless ``regions`` say otherwise)."""
    return Alert(
        serial=serial,
        level=level,  # type: ignore[arg-type]
        level_ko="",
        category=category,
        message=message,
        regions=regions,
        issued_at=issued_at,
    )


def alert(serial: int, level: str, category: str, message: str, minutes_ago: int = 11) -> Notice:
    """An alert for 영등포구 issued ``minutes_ago`` before NOW, as a notice."""
    a = raw_alert(serial, level, category, message, NOW - timedelta(minutes=minutes_ago))
    return alert_notice(a, RULES)


def operator(level: str, ko: str, en: str = "", minutes: int = 30) -> Notice:
    return operator_notice(
        f"op-{level}", level, ko, en, NOW - timedelta(minutes=2), NOW + timedelta(minutes=minutes)
    )


OPERATOR_ADVISORY = operator(
    "advisory",
    "2번 출구 에스컬레이터 점검 중입니다. 엘리베이터를 이용하세요.",
    "Exit 2 escalator closed.",
)
CRITICAL = alert(266801, "critical", "지진", LONGEST)
EMERGENCY = alert(266802, "emergency", "호우", LONGEST, 25)
ADVISORY = alert(
    266803,
    "advisory",
    "한파",
    "[서울시] 내일 아침 최저 영하 15도, 수도관 동파에 유의하시기 바랍니다.",
    40,
)
OPERATOR = operator(
    "critical",
    "5호선 여의도역 화재 신고로 승강장을 폐쇄합니다. 역무원의 안내에 따라 3번 출구로 대피하십시오.",
    "Platforms closed after a fire report. Follow staff to Exit 3.",
)


def save(win, path: Path) -> Path:
    """The window as it is now, to ``path``."""
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    win.grab().save(str(path))
    return path


def operator_notice_at(now, level: str, ko: str, minutes: int = 30) -> Notice:
    """An operator notice issued at ``now`` (for tests on a moving clock)."""
    return operator_notice(f"op-at-{level}", level, ko, "", now, now + timedelta(minutes=minutes))


CASES = {
    "takeover": ([CRITICAL, EMERGENCY, ADVISORY], None),
    "takeover-operator": ([OPERATOR, CRITICAL], None),
    "notice-page": ([EMERGENCY, ADVISORY], "notice"),
    "banner-emergency": ([EMERGENCY, ADVISORY], "bikes"),
    "banner-advisory": ([ADVISORY], "arrivals"),
    "banner-buses": ([ADVISORY, OPERATOR_ADVISORY], "buses"),
    "banner-parks": ([EMERGENCY], "parks"),
}


def render_all(out: Path) -> list[Path]:
    """Every notice screen at the three sizes, as PNGs in ``out`` (to look at them)."""
    from kiosk.ui.qtapp import application
    from tests.conftest import EXAMPLES
    from tests.ui_windows import SIZES, station_window

    application()
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for w, h in SIZES:
        for name, (notices, page) in CASES.items():
            win = station_window(EXAMPLES[0], (w, h))
            win.set_notices(notices)
            if page == "notice":
                win.notice_layer.show_notice_page(NOW)
            elif page is not None:
                win.show_page(page)
            files.append(save(win, out / f"{name}-{w}x{h}.png"))
            win.close()
    return files


if __name__ == "__main__":  # QT_QPA_PLATFORM=offscreen python -m tests.ui_notices OUTDIR
    import sys

    for f in render_all(Path(sys.argv[1] if len(sys.argv) > 1 else "snapshots/notices")):
        print(f)
