#!/usr/bin/env bash
# Set up Station Kiosk on a fresh Debian machine and run it.
#
#   bash scripts/setup.sh demo   # install, then `kiosk run` on the bundled demo data
#   bash scripts/setup.sh test   # install, then run the whole test suite
#   bash scripts/setup.sh        # install only
#
# Idempotent: re-running only installs what is missing.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
mode=${1:-install}
shift || true

say() { printf '[setup] %s\n' "$*" >&2; }

# --- Debian packages: Qt's runtime libraries, systemd-analyze for the unit tests,
# redis-server for the shared-cache and quota tests (each test starts its own server on a
# random port), and prometheus for its promtool (the suite checks the alert rules and the
# metrics with it).
debs=(libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6
      libdbus-1-3 libglib2.0-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
      libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0
      systemd redis-server prometheus)
# Installed for their tools only: Debian would also start their servers (Redis on :6379,
# Prometheus on :9090) on a machine that runs systemd; those just installed are switched off.
tool_only=(redis-server prometheus)
if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then
    missing=()
    for p in "${debs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    if ((${#missing[@]})); then
        if [[ $(id -u) -ne 0 ]]; then
            say "missing Debian packages (run as root to install): ${missing[*]}"
        else
            say "installing Debian packages: ${missing[*]}"
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -qq
            apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
            if [[ -d /run/systemd/system ]]; then
                for p in "${tool_only[@]}"; do
                    if [[ " ${missing[*]} " == *" $p "* ]]; then
                        systemctl disable --now "$p.service" >/dev/null 2>&1 || true
                    fi
                done
            fi
        fi
    fi
fi

# --- Python: CPython 3.12 lets us use PySide6 6.12.0 safely (see pyproject.toml); 3.12 over
# 3.13 because it is the more mature runtime for a display that runs for months.
pick_python() {
    local c
    for c in "${KIOSK_PYTHON:-}" \
             "$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12.*/bin/python3 2>/dev/null | sort -V | tail -1)" \
             "$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13.*/bin/python3 2>/dev/null | sort -V | tail -1)" \
             python3.12 python3.13 python3.11 python3; do
        [[ -n $c ]] || continue
        command -v "$c" >/dev/null 2>&1 || continue
        if "$c" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            echo "$c"; return 0
        fi
    done
    return 1
}
if [[ ! -x .venv/bin/python ]]; then
    py=$(pick_python) || { say "no CPython >= 3.11 found; set KIOSK_PYTHON"; exit 1; }
    say "creating .venv with $("$py" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
    "$py" -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [[ ! -f $stamp ]]; then
    say "installing Python packages into .venv"
    piplog=.venv/pip-install.log
    if ! { .venv/bin/python -m pip install -q --upgrade pip &&
           .venv/bin/python -m pip install -q -e ".[test]"; } >"$piplog" 2>&1; then
        tail -30 "$piplog" >&2
        say "pip install failed (full log: $piplog)"
        exit 1
    fi
    rm -f .venv/.installed-*
    touch "$stamp"
fi
# pip compiles what it installs (an installed kiosk's modules: scripts/install.sh), not an
# editable checkout; with PYTHONDONTWRITEBYTECODE=1 (the unit's, and this machine's) every
# kiosk process would then compile its ~110 modules again at each start. Quick when current.
.venv/bin/python -m compileall -q kiosk >/dev/null || say "could not compile kiosk/ to bytecode"

case $mode in
    install) say "done: .venv/bin/kiosk --help" ;;
    demo)
        if [[ -z ${DISPLAY:-}${WAYLAND_DISPLAY:-}${QT_QPA_PLATFORM:-} ]]; then
            # No screen: kiosk run explains the options in one line; then show the pages anyway.
            .venv/bin/kiosk run --config config.example.yaml "$@" || true
            say "no display here: rendering every demo page to ./snapshots instead"
            exec .venv/bin/kiosk snapshot --config config.example.yaml --size 1920x1080 --out snapshots
        fi
        exec .venv/bin/kiosk run --config config.example.yaml "$@" ;;
    # One worker per core (at most four): the long tests wait on real kiosk processes and servers.
    test) export QT_QPA_PLATFORM=offscreen
          exec .venv/bin/python -m pytest -n auto --maxprocesses 4 "$@" ;;
    *) say "unknown mode '$mode' (demo | test | install)"; exit 2 ;;
esac
