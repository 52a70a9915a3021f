"""Bilingual (Korean first, English second) text for the screen, and colour contrast maths."""

from __future__ import annotations

from datetime import datetime, timedelta

_WEEKDAYS_KO = "월화수목금토일"
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def clock_text(now: datetime) -> str:
    """24-hour clock as station clocks show it: "08:14"."""
    return now.strftime("%H:%M")


def date_text(now: datetime) -> tuple[str, str]:
    """("11월 26일 (목)", "Thu 26 Nov")."""
    wd = now.weekday()
    return (
        f"{now.month}월 {now.day}일 ({_WEEKDAYS_KO[wd]})",
        f"{_WEEKDAYS_EN[wd]} {now.day} {_MONTHS_EN[now.month - 1]}",
    )


def age_text(fetched_at: datetime | None, now: datetime) -> tuple[str, str]:
    """How old data is, for the footer: ("2분 전", "2 min ago"); ("방금", "just now") under a minute."""
    if fetched_at is None:
        return ("수신 없음", "none yet")
    seconds = max(0.0, (now - fetched_at).total_seconds())
    if seconds < 60:
        return ("방금", "just now")
    minutes = int(seconds // 60)
    if minutes < 60:
        return (f"{minutes}분 전", f"{minutes} min ago")
    hours = minutes // 60
    if hours < 48:
        return (f"{hours}시간 전", f"{hours} h ago")
    days = hours // 24
    return (f"{days}일 전", f"{days} days ago")


def age_text_until(fetched_at: datetime | None, now: datetime) -> datetime | None:
    """When ``age_text(fetched_at, t)`` can next differ from its text at ``now`` (t > now);
    None: never. Every unit it uses is whole minutes of age, so it is the next minute
    boundary of the age (a minute after ``fetched_at`` while that is still ahead)."""
    if fetched_at is None:
        return None
    seconds = (now - fetched_at).total_seconds()
    if seconds < 0:
        return fetched_at + timedelta(seconds=60)
    return fetched_at + timedelta(seconds=(seconds // 60 + 1) * 60)


def duration_text(seconds: float | None, compact: bool = False) -> str:
    """How long, for operators (English, two units): "59 s", "1 min 1 s", "2 h 5 min", "3 d 4 h".

    ``compact`` drops the spaces for table columns: "59s", "1m01s", "2h05m", "3d04h".
    """
    if seconds is None:
        return "?"
    s = int(max(0.0, seconds))
    if s < 60:
        parts = [(s, "s")]
    elif s < 3600:
        parts = [(s // 60, "min"), (s % 60, "s")]
    elif s < 86400:
        parts = [(s // 3600, "h"), (s % 3600 // 60, "min")]
    else:
        parts = [(s // 86400, "d"), (s % 86400 // 3600, "h")]
    if not compact:
        return " ".join(f"{n} {unit}" for n, unit in parts)
    first, *rest = parts
    return f"{first[0]}{first[1][0]}" + "".join(f"{n:02d}{unit[0]}" for n, unit in rest)


def distance_text(metres: float) -> str:
    """ "850 m" under a kilometre, "1.2 km" above."""
    rounded = int(round(metres, -1))
    if rounded < 1000:
        return f"{rounded} m"
    return f"{metres / 1000:.1f} km"


def _channel(c: int) -> float:
    s = c / 255.0
    return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4


def parse_hex(colour: str) -> tuple[int, int, int]:
    """ "#RRGGBB" -> (r, g, b)."""
    h = colour.lstrip("#")
    if len(h) != 6:
        raise ValueError(f"expected #RRGGBB, got {colour!r}")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    r, g, b = parse_hex(colour)
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG 2 contrast ratio between two colours (1..21)."""
    a, b = relative_luminance(fg), relative_luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def readable_on(bg: str, light: str = "#FFFFFF", dark: str = "#000000") -> str:
    """Whichever of ``light``/``dark`` has the higher contrast on ``bg``."""
    return light if contrast_ratio(light, bg) >= contrast_ratio(dark, bg) else dark
