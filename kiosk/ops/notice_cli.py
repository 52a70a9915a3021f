"""``kiosk notice show|list|clear``: the operator's notices, written into the spool.

The running kiosk is told when the spool changes (inotify; it reads it every 10 s anyway, once
a second without inotify), so a notice is on screen at once, within 2 s at most, with no
network, no restart and no reload. Run it as root or as a member of the kiosk group.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.core.models import Notice
from kiosk.core.notices import LEVEL_WORDS, LEVELS, ordered
from kiosk.core.timeutil import KST, now_kst
from kiosk.errors import ConfigError, KioskError
from kiosk.ops import notice_spool as spool_io

DEFAULT_FOR = timedelta(hours=1)
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _duration(text: str) -> timedelta:
    t = text.strip().lower()
    m = _DURATION.match(t)
    if t.isdigit():
        value = timedelta(minutes=int(t))
    elif m and any(m.groups()):
        d, h, mi = (int(g or 0) for g in m.groups())
        value = timedelta(days=d, hours=h, minutes=mi)
    else:
        raise argparse.ArgumentTypeError(f"expected a duration like 30m, 2h, 1h30m (got {text!r})")
    if not timedelta(minutes=1) <= value <= spool_io.MAX_DURATION:
        raise argparse.ArgumentTypeError(f"duration must be 1m .. 7d (got {text!r})")
    return value


def _hhmm(text: str) -> tuple[int, int]:
    m = _HHMM.match(text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"expected HH:MM, 24-hour (got {text!r})")
    return int(m.group(1)), int(m.group(2))


def _where() -> argparse.ArgumentParser:
    # On `notice` and on each action, so that options go before or after the action;
    # SUPPRESS keeps an action's absent option from overwriting one given before it.
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--config",
        default=argparse.SUPPRESS,
        help="config file (default: $KIOSK_CONFIG or /etc/kiosk/config.yaml)",
    )
    p.add_argument(
        "--spool", default=argparse.SUPPRESS, help="spool directory (default: notices.spool_path)"
    )
    return p


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``notice`` and its actions to the kiosk's subcommands."""
    where = _where()
    p = subparsers.add_parser(
        "notice",
        parents=[where],
        help="show, list or clear an operator's notice on the screen",
        description="Operator notices: on the running kiosk's screen within 2 s.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    s = actions.add_parser("show", parents=[where], help="put a notice on screen")
    s.add_argument("--level", required=True, choices=LEVELS)
    s.add_argument("--ko", required=True, metavar="TEXT", help="the Korean text (shown first)")
    s.add_argument("--en", default="", metavar="TEXT", help="the English text (optional)")
    when = s.add_mutually_exclusive_group()
    when.add_argument(
        "--for",
        dest="duration",
        type=_duration,
        metavar="DURATION",
        help="e.g. 30m, 2h (default 1h)",
    )
    when.add_argument("--until", type=_hhmm, metavar="HH:MM", help="until this time (KST)")
    ls = actions.add_parser("list", parents=[where], help="the notices in the spool")
    ls.add_argument("--json", action="store_true", help="print JSON")
    c = actions.add_parser(
        "clear", parents=[where], help="take a notice off the screen (every one without ID)"
    )
    c.add_argument("id", nargs="?", metavar="ID")
    return p


def spool_path(args: argparse.Namespace) -> Path:
    """``--spool``, else the config's ``notices.spool_path``."""
    if getattr(args, "spool", None):
        return Path(args.spool)
    from kiosk.config import load_config, resolve_config_path

    return load_config(resolve_config_path(getattr(args, "config", None))).notices.spool_path


def until_of(args: argparse.Namespace, now: datetime) -> datetime:
    """When a new notice ends: ``--for`` from now, or the next ``--until`` HH:MM (KST)."""
    if args.until is not None:
        hour, minute = args.until
        local = now.astimezone(KST)
        end = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return end if end > local else end + timedelta(days=1)
    return now + (args.duration or DEFAULT_FOR)


def _describe(n: Notice, now: datetime) -> str:
    left = max(0, int((n.until - now).total_seconds() // 60))
    ko, en = LEVEL_WORDS[n.level]
    until = n.until.astimezone(KST)
    text = n.text_ko + (f" / {n.text_en}" if n.text_en else "")
    return f"{n.id}  {n.level} ({ko} · {en})  until {until:%m-%d %H:%M} ({left} min)  {text}"


def _item(n: Notice) -> dict[str, Any]:
    return {
        "id": n.id,
        "level": n.level,
        "text_ko": n.text_ko,
        "text_en": n.text_en,
        "issued_at": n.issued_at.isoformat(),
        "until": n.until.isoformat(),
    }


def _prune(path: Path, notices: tuple[Notice, ...], now: datetime) -> tuple[Notice, ...]:
    """Delete expired files (the kiosk only reads), return those still in force."""
    kept = []
    for n in notices:
        if n.until <= now:
            spool_io.remove_notice(path, n.id)
        else:
            kept.append(n)
    return ordered(kept)


def run(args: argparse.Namespace) -> int:
    """Run one ``kiosk notice`` action; 0 ok, 1 failure, 2 usage (one line on stderr)."""
    now = now_kst().replace(microsecond=0)
    path = spool_path(args)
    try:
        contents = spool_io.read_spool(path)
        notices = _prune(path, contents.notices, now)
        if args.action == "show":
            notice = spool_io.operator_notice(
                spool_io.new_id(now), args.level, args.ko, args.en, now, until_of(args, now)
            )
            spool_io.write_notice(path, notice)
            print(_describe(notice, now))
            return 0
        if args.action == "list":
            if args.json:
                print(json.dumps([_item(n) for n in notices], ensure_ascii=False, indent=2))
            else:
                for n in notices:
                    print(_describe(n, now))
                if not notices:
                    print(f"no operator notices in {path}")
            for name, reason in contents.refused:
                print(f"kiosk notice: {path / name} refused: {reason}", file=sys.stderr)
            return 0
        return _clear(path, contents, args.id)
    except spool_io.SpoolError as e:
        raise ConfigError([f"notice: {e}"]) from None
    except PermissionError:
        raise KioskError(
            f"cannot write to {path}: permission denied (run as root or a kiosk group member)"
        ) from None
    except OSError as e:
        raise KioskError(f"spool {path}: {e.strerror or e.__class__.__name__}") from None


def _clear(path: Path, contents: spool_io.SpoolContents, notice_id: str | None) -> int:
    if notice_id is None:
        # Every file, refused ones too: "clear" is how an operator gets rid of a bad file.
        names = spool_io.spool_names(path)
        for name in names:
            spool_io.remove_notice(path, name.removesuffix(".json"))
        print(f"cleared {len(names)} notice file{'s' if len(names) != 1 else ''} in {path}")
        return 0
    if not spool_io.remove_notice(path, notice_id):
        raise KioskError(f"no notice with id {notice_id!r} in {path}")
    print(f"cleared {notice_id}")
    return 0
