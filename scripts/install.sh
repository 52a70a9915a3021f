#!/usr/bin/env bash
# Install Station Kiosk as a system service on a Debian machine with no desktop.
#
#   sudo bash scripts/install.sh                     # eglfs (GPU) display, venv, enable
#   sudo bash scripts/install.sh --display linuxfb   # no GPU: Qt's software raster path
#   sudo bash scripts/install.sh --display cage      # inside the cage Wayland compositor
#   bash scripts/install.sh --root /tmp/r --no-venv  # into a scratch root (tests, images)
#
# Options:
#   --root DIR       install under DIR instead of / (also: DESTDIR=DIR)
#   --display KIND   eglfs (default) | linuxfb | cage
#   --no-venv        copy the app but do not build /opt/kiosk/venv
#   --no-systemctl   do not run systemctl at all (default: online if systemd runs, else
#                    offline `systemctl --root`)
#   --start          also start (or restart) the service now
#
# What it does (idempotent; re-run it to upgrade):
#   user `kiosk` (system, no login) + the groups dialout/video/render/input that exist;
#   /opt/kiosk/{app,assets,layouts,venv}; /usr/local/bin/kiosk -> /opt/kiosk/venv/bin/kiosk;
#   /etc/systemd/system/kiosk.service (+ kiosk.service.d/display.conf, or kiosk-cage.service);
#   /etc/kiosk/config.yaml from config.example.yaml and /etc/kiosk/eglfs-kms.json, never
#   overwritten; /etc/kiosk/secrets.env (API keys) 0640 root:kiosk, never overwritten.
# Undo with scripts/uninstall.sh. See docs/operations.md.
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)

say() { printf '[install] %s\n' "$*" >&2; }
die() { printf 'install.sh: %s\n' "$1" >&2; exit "${2:-1}"; }

root=${DESTDIR:-/}
display=eglfs
venv=1
use_systemctl=auto
start=0
while (($#)); do
    case $1 in
        --root) [[ $# -ge 2 ]] || die "--root needs a directory" 2; root=$2; shift ;;
        --root=*) root=${1#--root=} ;;
        --display) [[ $# -ge 2 ]] || die "--display needs eglfs, linuxfb or cage" 2; display=$2; shift ;;
        --display=*) display=${1#--display=} ;;
        --no-venv) venv=0 ;;
        --no-systemctl) use_systemctl=no ;;
        --start) start=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option '$1' (see --help)" 2 ;;
    esac
    shift
done
case $display in eglfs|linuxfb|cage) ;; *) die "--display must be eglfs, linuxfb or cage (got '$display')" 2 ;; esac
[[ -d $root ]] || die "--root $root is not a directory" 2
root=$(cd "$root" && pwd)
R=${root%/}  # prefix for every path below: "" for the real root
if [[ -z $R && $(id -u) -ne 0 ]]; then
    die "run as root (sudo), or use --root DIR to install into a scratch root"
fi
if [[ -n $R && $venv -eq 1 ]]; then
    # A venv records its own absolute path: one built under DIR would not run from /.
    die "--root needs --no-venv (a venv cannot be moved; build it on the target machine)" 2
fi

APP=/opt/kiosk
ETC=/etc/kiosk
UNITDIR=/etc/systemd/system

# --- the kiosk user -------------------------------------------------------------------
groups=()
for g in dialout video render input; do
    grep -q "^$g:" "$R/etc/group" 2>/dev/null && groups+=("$g")
done
mkdir -p "$R/etc"
if command -v systemd-sysusers >/dev/null; then
    lines=('u kiosk - "Station Kiosk" /var/lib/kiosk -')
    for g in "${groups[@]}"; do lines+=("m kiosk $g"); done
    systemd-sysusers --root="$root" --inline "${lines[@]}" 2>&1 | sed 's/^/[install] /' >&2
elif ! grep -q '^kiosk:' "$R/etc/passwd" 2>/dev/null; then
    prefix=(); [[ -n $R ]] && prefix=(--prefix "$root")
    useradd "${prefix[@]}" --system --user-group --home-dir /var/lib/kiosk --no-create-home \
        --shell /usr/sbin/nologin --comment "Station Kiosk" kiosk
    for g in "${groups[@]}"; do usermod "${prefix[@]}" -a -G "$g" kiosk; done
fi
kiosk_gid=$(awk -F: '$1 == "kiosk" { print $3 }' "$R/etc/group")
[[ -n $kiosk_gid ]] || die "could not create the kiosk user in $root/etc"
say "user kiosk (gid $kiosk_gid), groups: ${groups[*]:-none found}"

# --- the application ------------------------------------------------------------------
install -d -m 0755 "$R$APP" "$R$APP/app"
copy_tree() {  # copy_tree SRC_DIR DEST_DIR: replace DEST with SRC, no caches, root-owned
    local src=$1 dest=$2
    rm -rf "$dest.new"
    mkdir -p "$dest.new"
    tar -C "$src" --exclude=__pycache__ --exclude='*.pyc' --exclude='*.egg-info' -cf - . |
        tar -C "$dest.new" --no-same-owner -xf -
    chmod -R u=rwX,go=rX "$dest.new"
    rm -rf "$dest"
    mv "$dest.new" "$dest"
}
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
for item in kiosk pyproject.toml README.md LICENSE config.example.yaml docs systemd; do
    [[ -e $repo/$item ]] && cp -r "$repo/$item" "$staging/"
done
copy_tree "$staging" "$R$APP/app"
# The UI finds fonts in /opt/kiosk/assets (kiosk/ui/theme.py); layouts sit next to them.
copy_tree "$repo/assets" "$R$APP/assets"
copy_tree "$repo/layouts" "$R$APP/layouts"
say "app copied to $R$APP"

# --- the virtual environment (same interpreter choice as scripts/setup.sh) -----------
pick_python() {
    # As setup.sh: 3.12 first (PySide6 6.12.0 is safe there), then 3.13, then 3.11.
    # Unlike setup.sh, skip interpreters under /root or /home: the service runs with
    # ProtectHome=yes as user kiosk and could not load them.
    local c p
    for c in "${KIOSK_PYTHON:-}" \
             "$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12.*/bin/python3 2>/dev/null | sort -V | tail -1)" \
             "$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13.*/bin/python3 2>/dev/null | sort -V | tail -1)" \
             python3.12 python3.13 python3.11 python3 \
             /usr/local/bin/python3.12 /usr/local/bin/python3.13 /usr/bin/python3.12 \
             /usr/bin/python3.13 /usr/bin/python3.11 /usr/bin/python3; do
        [[ -n $c ]] || continue
        p=$(command -v "$c" 2>/dev/null) || continue
        case $(readlink -f "$p") in
            /root/*|/home/*) say "skipping $p: under a home directory the service cannot read"; continue ;;
        esac
        if "$p" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            echo "$p"; return 0
        fi
    done
    return 1
}
if ((venv)); then
    py=$(pick_python) || die "no system-wide CPython >= 3.11 found (apt install python3-venv, or set KIOSK_PYTHON)"
    say "building $APP/venv with $("$py" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
    [[ -x $APP/venv/bin/python ]] || "$py" -m venv "$APP/venv"
    "$APP/venv/bin/python" -m pip install -q --upgrade pip >/dev/null
    # Not editable: the service runs from site-packages, with .pyc compiled now
    # (ProtectSystem=strict leaves /opt read-only at run time).
    "$APP/venv/bin/python" -m pip install -q --no-cache-dir --force-reinstall --no-deps "$APP/app"
    "$APP/venv/bin/python" -m pip install -q --no-cache-dir "$APP/app"
    "$APP/venv/bin/python" -c 'import kiosk, PySide6; print("kiosk", kiosk.__version__, "PySide6", PySide6.__version__)' >&2
fi
install -d -m 0755 "$R/usr/local/bin"
ln -sfn "$APP/venv/bin/kiosk" "$R/usr/local/bin/kiosk"

# --- configuration (never overwritten) ------------------------------------------------
install -d -m 0755 "$R$ETC"
if [[ -e $R$ETC/config.yaml ]]; then
    say "kept existing $ETC/config.yaml"
else
    # Layout paths in the example are relative to the config file; point them at /opt.
    sed -E "s#^(layout:[[:space:]]*)layouts/#\\1$APP/layouts/#" "$repo/config.example.yaml" > "$R$ETC/config.yaml.new"
    chmod 0644 "$R$ETC/config.yaml.new"
    mv "$R$ETC/config.yaml.new" "$R$ETC/config.yaml"
    say "created $ETC/config.yaml (demo data until you edit it: sources.demo)"
fi
if [[ ! -e $R$ETC/eglfs-kms.json ]]; then
    install -m 0644 "$repo/systemd/eglfs-kms.json" "$R$ETC/eglfs-kms.json"
fi
secrets_template='# API keys for Station Kiosk, read by systemd (EnvironmentFile=); keep mode 0640 root:kiosk.
#SEOUL_API_KEY=
#SEOUL_SUBWAY_API_KEY='
if [[ ! -e $R$ETC/secrets.env ]]; then
    (umask 077; printf '%s\n' "$secrets_template" > "$R$ETC/secrets.env")
    say "created $ETC/secrets.env: put the API keys there"
fi
# Re-asserted on every run: a world-readable key file is the classic leak.
chmod 0640 "$R$ETC/secrets.env"
chown "0:$kiosk_gid" "$R$ETC/secrets.env" 2>/dev/null ||
    say "warning: could not chown $ETC/secrets.env to root:kiosk (not running as root?)"

# --- systemd units --------------------------------------------------------------------
install -d -m 0755 "$R$UNITDIR"
install -m 0644 "$repo/systemd/kiosk.service" "$R$UNITDIR/kiosk.service"
unit=kiosk.service
if [[ $display == cage ]]; then
    install -m 0644 "$repo/systemd/kiosk-cage.service" "$R$UNITDIR/kiosk-cage.service"
    rm -f "$R$UNITDIR/kiosk.service.d/display.conf"
    unit=kiosk-cage.service
else
    install -d -m 0755 "$R$UNITDIR/kiosk.service.d"
    install -m 0644 "$repo/systemd/display/$display.conf" "$R$UNITDIR/kiosk.service.d/display.conf"
fi
say "units installed: $unit (display: $display)"
# The operator notice spool /var/lib/kiosk/notices (root:kiosk 2770): made at every boot.
install -D -m 0644 "$repo/systemd/kiosk-notices.conf" "$R/etc/tmpfiles.d/kiosk-notices.conf"
if [[ -z $R ]] && command -v systemd-tmpfiles >/dev/null; then
    systemd-tmpfiles --create /etc/tmpfiles.d/kiosk-notices.conf || say "warning: notice spool not made"
fi

sysctl_() { say "systemctl $*"; systemctl "$@"; }
if [[ $use_systemctl == auto ]] && ! command -v systemctl >/dev/null; then
    say "systemctl not found: enable $unit yourself"
    use_systemctl=no
fi
if [[ $use_systemctl != no ]]; then
    online=0
    [[ -z $R && -d /run/systemd/system ]] && online=1
    other=kiosk-cage.service; [[ $unit == kiosk-cage.service ]] && other=kiosk.service
    if ((online)); then
        sysctl_ daemon-reload
        [[ -e $UNITDIR/$other ]] && sysctl_ disable --quiet "$other" || true
        sysctl_ enable --quiet "$unit"
        if ((start)); then sysctl_ restart "$unit"; else say "start it with: systemctl start $unit"; fi
    else
        [[ -e $R$UNITDIR/$other ]] && sysctl_ --root="$root" disable --quiet "$other" || true
        sysctl_ --root="$root" enable --quiet "$unit"
        ((start)) && say "systemd is not running here: not starting $unit"
    fi
fi
if [[ $display != cage && -e $R$UNITDIR/kiosk-cage.service ]]; then
    rm -f "$R$UNITDIR/kiosk-cage.service"  # switched away from cage
fi

if ((venv)); then
    "$APP/venv/bin/kiosk" check-config --config "$ETC/config.yaml" >&2 ||
        say "warning: $ETC/config.yaml does not validate yet (see the lines above)"
fi
say "done. Logs: journalctl -u ${unit%.service} -f   Status: kiosk status"
