"""The ``notices:`` config section: how long alerts stay, the operator spool, the panel wake."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from kiosk._settings_base import Section
from kiosk.core.notices import NoticeRules

DEFAULT_SPOOL = Path("/var/lib/kiosk/notices")


class NoticeWindows(Section):
    """Seconds after issue that an alert of each level stays on screen."""

    critical: int = Field(default=6 * 3600, ge=60, le=7 * 86400)  # 위급재난
    emergency: int = Field(default=3 * 3600, ge=60, le=7 * 86400)  # 긴급재난
    advisory: int = Field(default=3600, ge=60, le=7 * 86400)  # 안전안내


class NoticesConfig(Section):
    """Emergency notices: alert windows, the operator's spool, the notice page, the panel."""

    windows: NoticeWindows = NoticeWindows()
    # Where `kiosk notice show` writes and the kiosk reads (systemd/kiosk-notices.conf makes it).
    spool_path: Path = DEFAULT_SPOOL
    page_seconds: float = Field(default=15.0, ge=5.0, le=120.0)  # the emergency notice page's slot
    wake_panel: bool = True  # a critical notice switches on a panel that is scheduled off

    def rules(self, district: str) -> NoticeRules:
        """The pure rules for a station in ``district`` (config.station.district)."""
        w = self.windows
        return NoticeRules(
            district=district,
            critical_s=float(w.critical),
            emergency_s=float(w.emergency),
            advisory_s=float(w.advisory),
        )
