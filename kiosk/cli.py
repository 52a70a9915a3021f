"""Command-line entry points. Each subcommand maps errors to one line and an exit code.

Exit codes: 0 ok, 1 runtime failure (one clear line, no traceback), 2 bad config or usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from kiosk.buildinfo import VersionAction
from kiosk.errors import ConfigError, KioskError
from kiosk.panel.cli import add_actions as add_panel_actions

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected WIDTHxHEIGHT, e.g. 1920x1080 (got {text!r})"
        ) from None
    if not (320 <= w <= 16384 and 240 <= h <= 16384):
        raise argparse.ArgumentTypeError(f"size {w}x{h} is out of range (320x240 .. 16384x16384)")
    return w, h


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kiosk", description="Station Kiosk: Seoul station information display."
    )
    p.add_argument("--version", action=VersionAction)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def cmd(name: str, help_: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_, description=help_)
        if name != "status":
            sp.add_argument(
                "--config", help="config file (default: $KIOSK_CONFIG or /etc/kiosk/config.yaml)"
            )
        return sp

    r = cmd("run", "show the kiosk full-screen (or windowed for development)")
    r.add_argument("--windowed", action="store_true", help="a normal window instead of full screen")
    r.add_argument("--size", type=_size, help="window size WxH with --windowed (default 1920x1080)")
    r.add_argument("--screen", type=int, help="screen index to fill (overrides display.screen)")

    cmd("check-config", "validate the config and layout files")

    s = cmd("snapshot", "render pages offscreen to PNG files")
    s.add_argument("--size", type=_size, default=(3840, 2160), help="WxH (default 3840x2160)")
    s.add_argument("--out", default="snapshots", help="output folder (default ./snapshots)")
    s.add_argument(
        "--page", action="append", default=[], metavar="ID", help="only this page (repeatable)"
    )

    f = cmd("fetch", "poll each source once and print what came back")
    f.add_argument(
        "--source", help="only this source (subway, bus, air ...: a wrong name lists them)"
    )
    f.add_argument("--json", action="store_true", help="print JSON instead of a table")
    f.epilog = (
        "exit status: 0 if at least one requested source answered (data or no data), "
        "1 if every requested source failed, 2 for a bad config or an unknown --source"
    )

    fs = cmd("find-stops", "list the bus stops around station.location (for station.bus_stops)")
    fs.add_argument(
        "--radius", type=_radius, default=300, metavar="M", help="metres (default 300, up to 2000)"
    )
    fs.add_argument("--json", action="store_true", help="print JSON instead of a table")
    fs.epilog = (
        "exit status: 0 with the list (an empty one too), 1 if the lookup failed (no key, a "
        "rejected key, the daily limit, the network), 2 for a bad config or --radius"
    )

    add_panel_actions(cmd("panel", "talk to the display panel (through the running kiosk)"))

    st = cmd("status", "what the running kiosk reports")
    st.add_argument("--json", action="store_true", help="print JSON")
    st.add_argument("--runtime-dir", help="where the running kiosk writes status.json")

    from kiosk.ops import notice_cli, screenlog_cli

    notice_cli.add_parser(sub)
    screenlog_cli.add_parser(sub)

    b = cmd("bench", "measure speed and memory on demo data")
    b.add_argument("--size", type=_size, default=(3840, 2160))
    b.add_argument("--rotations", type=int, default=10_000)
    b.add_argument("--json", action="store_true")
    b.add_argument("--starts", type=int, help="fresh starts timed to the first frame (default 5)")
    b.add_argument("--repeats", type=int, help="samples per page, tick and fade (default 20)")
    b.add_argument("--cpu-seconds", type=float, help="idle CPU measured over (default 30)")
    b.add_argument(
        "--frame-seconds",
        type=float,
        help="how long every frame is timed in real time (default: one rotation + 6 s)",
    )
    b.add_argument(
        "--runs", type=int, help="full runs, reported as medians of their medians (default 1)"
    )
    b.add_argument("--soak", type=float, metavar="SECONDS", help="long run with injected faults")
    return p


def _load(args: argparse.Namespace):  # -> tuple[Config, Layout]
    from kiosk.config import load_all, resolve_config_path

    return load_all(resolve_config_path(args.config))


def _run(args: argparse.Namespace) -> int:
    from kiosk.app import RunOptions, run_kiosk
    from kiosk.config import resolve_config_path

    cfg, layout = _load(args)
    opts = RunOptions(
        config_path=resolve_config_path(args.config),
        windowed=args.windowed,
        size=tuple(args.size) if args.size else None,
        screen=args.screen,
    )
    return run_kiosk(opts, cfg, layout)


def _check_config(args: argparse.Namespace) -> int:
    from kiosk.config import resolve_config_path
    from kiosk.config_warnings import config_warnings, secrets_env_problems

    cfg, layout = _load(args)
    path = resolve_config_path(args.config)
    problems = secrets_env_problems(cfg, path)
    if problems:
        raise ConfigError(problems)
    print(f"{path}: ok ({len(layout.pages)} pages: {', '.join(p.id for p in layout.pages)})")
    for warning in config_warnings(cfg, layout, path):
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _snapshot(args: argparse.Namespace) -> int:
    from kiosk.app import snapshot_pages

    cfg, layout = _load(args)
    for path in snapshot_pages(cfg, layout, tuple(args.size), Path(args.out), args.page):
        print(path)
    return EXIT_OK


def _fetch(args: argparse.Namespace) -> int:
    from kiosk.poller.fetch import run as run_fetch

    cfg, _layout = _load(args)
    return run_fetch(cfg, args)


def _radius(text: str) -> int:
    from kiosk.poller.find_stops import radius_arg

    return radius_arg(text)


def _find_stops(args: argparse.Namespace) -> int:
    from kiosk.poller.find_stops import run as run_find_stops

    cfg, _layout = _load(args)
    return run_find_stops(cfg, args)


def _panel(args: argparse.Namespace) -> int:
    from kiosk.panel.cli import run as run_panel

    cfg, _layout = _load(args)
    return run_panel(cfg, args)


def _status(args: argparse.Namespace) -> int:
    from kiosk.ops.status import run as run_status

    return run_status(args)


def _notice(args: argparse.Namespace) -> int:
    from kiosk.ops.notice_cli import run as run_notice

    return run_notice(args)


def _screenlog(args: argparse.Namespace) -> int:
    from kiosk.ops.screenlog_cli import run as run_screenlog

    return run_screenlog(args)


def _bench(args: argparse.Namespace) -> int:
    from kiosk.bench import run as run_bench

    cfg, layout = _load(args)
    return run_bench(cfg, layout, args)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": _run,
    "check-config": _check_config,
    "snapshot": _snapshot,
    "fetch": _fetch,
    "find-stops": _find_stops,
    "panel": _panel,
    "status": _status,
    "bench": _bench,
    "notice": _notice,
    "screenlog": _screenlog,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run one command, map every failure to one line and an exit code."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ConfigError as e:
        for line in e.problems:
            print(line, file=sys.stderr)
        return EXIT_USAGE
    except KioskError as e:
        print(f"kiosk {args.command}: {e.one_line()}", file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `kiosk status | head`: the reader left; nothing to report
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as e:  # last resort: never a traceback on a technician's terminal
        import logging

        logging.getLogger("kiosk").debug("unexpected error", exc_info=True)
        print(
            f"kiosk {args.command}: unexpected {e.__class__.__name__}: {' '.join(str(e).split())}",
            file=sys.stderr,
        )
        return EXIT_FAIL
