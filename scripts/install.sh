#!/usr/bin/env bash
# Install or upgrade Station Kiosk as a system service on a Debian machine with no desktop.
#
#   sudo bash scripts/install.sh                     # eglfs (GPU) display, venv, enable
#   sudo bash scripts/install.sh --display linuxfb   # no GPU: Qt's software raster path
#   sudo bash scripts/install.sh --display cage      # inside the cage Wayland compositor
#   sudo bash scripts/install.sh --dry-run           # say what an install/upgrade would do
#   sudo bash scripts/install.sh --rollback          # back to the previous release
#   bash scripts/install.sh --root /tmp/r --no-venv  # into a scratch root (tests, images)
#
# Options:
#   --root DIR          install under DIR instead of / (also: DESTDIR=DIR)
#   --display KIND      eglfs | linuxfb | cage (default: the one installed, else eglfs)
#   --no-venv           copy the app but do not build its venv
#   --check-with PY     with --no-venv: validate the new release by running its code with the
#                       interpreter PY (which must have the dependencies installed)
#   --no-check          switch to the new release without validating it (not recommended)
#   --no-systemctl      do not run systemctl at all (default: online if systemd runs, else
#                       offline `systemctl --root`)
#   --start             also start (or restart) the service now
#   --rollback          make the previous release current again (and restart if running)
#   --dry-run           print what would be done; change nothing
#
# Releases: each run installs the package into its own /opt/kiosk/releases/VERSION-COMMIT
# (app, assets, layouts and venv, with the git commit recorded in the package) next to the
# previous ones, then switches the symlink /opt/kiosk/current (/opt/kiosk/previous keeps the
# one before). /opt/kiosk/{app,assets,layouts,venv} point through `current`, so the unit,
# /usr/local/bin/kiosk and /etc/kiosk/config.yaml never change. Before the switch the new
# release must pass `kiosk check-config` and `kiosk snapshot` of every page against
# /etc/kiosk/config.yaml with its own layouts; if it fails, the old release stays current
# and running, and nothing else changes. A running service is restarted only after the
# switch. The three newest releases are kept.
# Also (idempotent): user `kiosk` (system, no login) + the groups dialout/video/render/input
# that exist; /etc/systemd/system/kiosk.service (+ kiosk.service.d/display.conf, or
# kiosk-cage.service); /etc/kiosk/config.yaml from config.example.yaml and
# /etc/kiosk/eglfs-kms.json, never overwritten; /etc/kiosk/secrets.env (API keys) 0640
# root:kiosk, never overwritten.
# Undo with scripts/uninstall.sh. See docs/operations.md.
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)

say() { printf '[install] %s\n' "$*" >&2; }
die() { printf 'install.sh: %s\n' "$1" >&2; exit "${2:-1}"; }

root=${DESTDIR:-/}
display=
venv=1
use_systemctl=auto
start=0
rollback=0
dry=0
check=1
check_with=
KEEP=3
while (($#)); do
    case $1 in
        --root) [[ $# -ge 2 ]] || die "--root needs a directory" 2; root=$2; shift ;;
        --root=*) root=${1#--root=} ;;
        --display) [[ $# -ge 2 ]] || die "--display needs eglfs, linuxfb or cage" 2; display=$2; shift ;;
        --display=*) display=${1#--display=} ;;
        --check-with) [[ $# -ge 2 ]] || die "--check-with needs a python interpreter" 2; check_with=$2; shift ;;
        --check-with=*) check_with=${1#--check-with=} ;;
        --no-venv) venv=0 ;;
        --no-check) check=0 ;;
        --no-systemctl) use_systemctl=no ;;
        --start) start=1 ;;
        --rollback) rollback=1 ;;
        --dry-run) dry=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option '$1' (see --help)" 2 ;;
    esac
    shift
done
case $display in ''|eglfs|linuxfb|cage) ;; *) die "--display must be eglfs, linuxfb or cage (got '$display')" 2 ;; esac
[[ -d $root ]] || die "--root $root is not a directory" 2
root=$(cd "$root" && pwd)
R=${root%/}  # prefix for every path below: "" for the real root
APP=/opt/kiosk
ETC=/etc/kiosk
UNITDIR=/etc/systemd/system
if [[ -z $display ]]; then
    # Not given: keep the display path this machine has (an upgrade or a rollback must not
    # swap linuxfb for the default), else eglfs.
    display=eglfs
    if [[ -e $R$UNITDIR/kiosk-cage.service ]]; then
        display=cage
    elif [[ -f $R$UNITDIR/kiosk.service.d/display.conf ]]; then
        for kind in eglfs linuxfb; do
            for known in "$R$APP/current/app/systemd/display/$kind.conf" "$repo/systemd/display/$kind.conf"; do
                if [[ -f $known ]] && cmp -s "$known" "$R$UNITDIR/kiosk.service.d/display.conf"; then
                    display=$kind
                fi
            done
        done
    fi
fi
if [[ -z $R && $(id -u) -ne 0 ]]; then
    die "run as root (sudo), or use --root DIR to install into a scratch root"
fi
if [[ -n $R && $venv -eq 1 && $rollback -eq 0 ]]; then
    # A venv records its own absolute path: one built under DIR would not run from /.
    die "--root needs --no-venv (a venv cannot be moved; build it on the target machine)" 2
fi
if [[ -n $check_with ]] && ! command -v "$check_with" >/dev/null; then
    die "--check-with $check_with: no such interpreter" 2
fi

unit=kiosk.service
[[ $display == cage ]] && unit=kiosk-cage.service

# --- releases and the symlinks that choose one ----------------------------------------
release_of() { local t; t=$(readlink "$R$APP/$1" 2>/dev/null) || return 0; basename "$t"; }
point() {  # point LINK TARGET: replace the symlink atomically (rename over it)
    ln -sfn "$2" "$R$APP/.$1.new"
    mv -Tf "$R$APP/.$1.new" "$R$APP/$1"
}
link_top_level() {  # /opt/kiosk/{app,assets,layouts,venv} -> current/...: the paths units use
    local name
    for name in app assets layouts venv; do
        if [[ ! -L $R$APP/$name ]]; then rm -rf "${R:?}$APP/$name"; fi
        ln -sfn "current/$name" "$R$APP/$name"
    done
}

units_from() {  # units_from DIR: the unit and the display drop-in out of DIR/systemd
    local src=$1
    install -d -m 0755 "$R$UNITDIR"
    install -m 0644 "$src/kiosk.service" "$R$UNITDIR/kiosk.service"
    if [[ $display == cage ]]; then
        install -m 0644 "$src/kiosk-cage.service" "$R$UNITDIR/kiosk-cage.service"
        rm -f "$R$UNITDIR/kiosk.service.d/display.conf"
    else
        install -d -m 0755 "$R$UNITDIR/kiosk.service.d"
        install -m 0644 "$src/display/$display.conf" "$R$UNITDIR/kiosk.service.d/display.conf"
    fi
    # The operator notice spool /var/lib/kiosk/notices (root:kiosk 2770): made at every boot.
    if [[ -f $src/kiosk-notices.conf ]]; then
        install -D -m 0644 "$src/kiosk-notices.conf" "$R/etc/tmpfiles.d/kiosk-notices.conf"
        if [[ -z $R ]] && command -v systemd-tmpfiles >/dev/null; then
            systemd-tmpfiles --create /etc/tmpfiles.d/kiosk-notices.conf || say "warning: notice spool not made"
        fi
    fi
}
drop_cage_unit() {  # switched away from cage: its unit goes (after enable_and_restart disabled it)
    if [[ $display != cage ]]; then rm -f "$R$UNITDIR/kiosk-cage.service"; fi
}

sysctl_() { say "systemctl $*"; systemctl "$@"; }
systemd_online() { [[ -z $R && -d /run/systemd/system ]]; }
if [[ $use_systemctl == auto ]] && ! command -v systemctl >/dev/null; then
    [[ $dry -eq 1 ]] || say "systemctl not found: enable $unit yourself"
    use_systemctl=no
fi
# Enable the unit and (re)start it: a running kiosk runs the old code until it restarts.
enable_and_restart() {
    [[ $use_systemctl != no ]] || return 0
    local other=kiosk-cage.service
    [[ $unit == kiosk-cage.service ]] && other=kiosk.service
    if systemd_online; then
        sysctl_ daemon-reload
        if [[ -e $UNITDIR/$other ]]; then sysctl_ disable --quiet "$other" || true; fi
        sysctl_ enable --quiet "$unit"
        if ((start)) || systemctl is-active --quiet "$unit"; then
            sysctl_ restart "$unit"
        else
            say "start it with: systemctl start $unit"
        fi
    else
        if [[ -e $R$UNITDIR/$other ]]; then sysctl_ --root="$root" disable --quiet "$other" || true; fi
        sysctl_ --root="$root" enable --quiet "$unit"
        if ((start)); then say "systemd is not running here: not starting $unit"; fi
    fi
}

# --- rollback: no build, just the other symlink ----------------------------------------
if ((rollback)); then
    cur=$(release_of current)
    prev=$(release_of previous)
    [[ -n $prev && -d $R$APP/releases/$prev ]] ||
        die "no previous release to roll back to (releases: $(ls "$R$APP/releases" 2>/dev/null | tr '\n' ' '))"
    if ((dry)); then
        say "would switch $APP/current from ${cur:-nothing} to $prev ($APP/previous: ${cur:-nothing})"
        say "would install the units of $prev and restart $unit if it runs"
        exit 0
    fi
    point current "releases/$prev"
    [[ -n $cur ]] && point previous "releases/$cur"
    if [[ -d $R$APP/releases/$prev/app/systemd ]]; then
        units_from "$R$APP/releases/$prev/app/systemd"
    else
        say "$prev ships no units: kept the installed ones"
    fi
    say "rolled back: $APP/current is $prev (was ${cur:-nothing}; install.sh --rollback returns to it)"
    enable_and_restart
    drop_cage_unit
    exit 0
fi

# --- what is being installed -------------------------------------------------------------
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/pyproject.toml" | head -1)
[[ -n $version ]] || die "cannot read the version from $repo/pyproject.toml"
shipped=(kiosk pyproject.toml layouts assets systemd config.example.yaml)
commit=unknown
if [[ -f $repo/kiosk/_commit.py ]]; then  # an exported tree that already records its commit
    commit=$(sed -n 's/^COMMIT = "\(.*\)"$/\1/p' "$repo/kiosk/_commit.py")
elif [[ -e $repo/.git ]] && command -v git >/dev/null && head=$(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null); then
    commit=$head
    [[ -z $(git -C "$repo" status --porcelain -- "${shipped[@]}" 2>/dev/null) ]] || commit="$head-dirty"
fi
id="$version-$commit"
n=2
while [[ -e $R$APP/releases/$id ]]; do id="$version-$commit.$n"; n=$((n + 1)); done
rel=$APP/releases/$id
cur=$(release_of current)
if [[ -z $cur && -d $R$APP/app && ! -L $R$APP/app ]]; then
    cur=legacy  # installed by an install.sh from before releases: it becomes one
fi

if ((dry)); then
    grep -q '^kiosk:' "$R/etc/passwd" 2>/dev/null || say "would create the system user kiosk"
    [[ -e $R$ETC/config.yaml ]] || say "would create $ETC/config.yaml from config.example.yaml (demo data)"
    [[ -e $R$ETC/secrets.env ]] || say "would create $ETC/secrets.env (0640 root:kiosk) for the API keys"
    [[ $cur == legacy ]] && say "would move the unversioned install in $APP into $APP/releases/"
    say "would install kiosk $version (commit $commit) into $rel$( ((venv)) && echo ' with its own venv')"
    if ((check)) && [[ $venv -eq 1 || -n $check_with ]]; then
        say "would check it: kiosk check-config and kiosk snapshot of every page, with $ETC/config.yaml and the new release's layouts"
    else
        say "would not validate it ($( ((check)) && echo 'no venv and no --check-with' || echo '--no-check'))"
    fi
    say "would switch $APP/current from ${cur:-nothing} to releases/$id ($APP/previous: ${cur:-nothing})"
    say "would install $UNITDIR/$unit (display: $display) and /usr/local/bin/kiosk"
    if [[ $use_systemctl != no ]]; then
        if systemd_online && { ((start)) || systemctl is-active --quiet "$unit"; }; then
            say "would enable and restart $unit (after the check passed)"
        else
            say "would enable $unit"
        fi
    fi
    exit 0
fi

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

# --- configuration (never overwritten; the check below needs it) ----------------------
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
#SEOUL_SUBWAY_API_KEY=
#SEOUL_BUS_API_KEY=
#SAFETYDATA_API_KEY='
if [[ ! -e $R$ETC/secrets.env ]]; then
    (umask 077; printf '%s\n' "$secrets_template" > "$R$ETC/secrets.env")
    say "created $ETC/secrets.env: put the API keys there"
fi
# Re-asserted on every run: a world-readable key file is the classic leak.
chmod 0640 "$R$ETC/secrets.env"
chown "0:$kiosk_gid" "$R$ETC/secrets.env" 2>/dev/null ||
    say "warning: could not chown $ETC/secrets.env to root:kiosk (not running as root?)"

# --- an unversioned install becomes the first release --------------------------------
install -d -m 0755 "$R$APP" "$R$APP/releases"
if [[ $cur == legacy ]]; then
    old=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$R$APP/app/kiosk/__init__.py" 2>/dev/null)
    cur="${old:-0}-unversioned"
    mkdir -p "$R$APP/releases/$cur"
    for name in app assets layouts venv; do
        if [[ -e $R$APP/$name ]]; then mv "$R$APP/$name" "$R$APP/releases/$cur/$name"; fi
    done
    if [[ -d $R$APP/releases/$cur/venv/bin ]]; then  # its scripts name the venv by path
        grep -lI "^#!$APP/venv/bin/" "$R$APP/releases/$cur/venv/bin/"* 2>/dev/null |
            xargs -r sed -i "1s|^#!$APP/venv/bin/|#!$APP/releases/$cur/venv/bin/|"
    fi
    point current "releases/$cur"
    link_top_level  # the unit's paths work again before anything else happens
    say "moved the unversioned install into $APP/releases/$cur"
fi

# --- the new release ------------------------------------------------------------------
building=$R$rel
cleanup() {
    [[ -n ${building:-} ]] && rm -rf "$building"
    [[ -n ${staging:-} ]] && rm -rf "$staging"
    [[ -n ${checkdir:-} ]] && rm -rf "$checkdir"
    [[ -n ${check_config:-} ]] && rm -f "$check_config"
    return 0
}
trap cleanup EXIT
copy_tree() {  # copy_tree SRC_DIR DEST_DIR: a copy without caches, root-owned
    local src=$1 dest=$2
    mkdir -p "$dest"
    tar -C "$src" --exclude=__pycache__ --exclude='*.pyc' --exclude='*.egg-info' -cf - . |
        tar -C "$dest" --no-same-owner -xf -
    chmod -R u=rwX,go=rX "$dest"
}
staging=$(mktemp -d)
for item in kiosk pyproject.toml README.md LICENSE config.example.yaml examples docs systemd; do
    [[ -e $repo/$item ]] && cp -r "$repo/$item" "$staging/"
done
# The commit goes into the package: /opt/kiosk has no .git (kiosk --version, kiosk status).
printf '"""Written by scripts/install.sh: the commit this release was built from."""\n\nCOMMIT = "%s"\n' \
    "$commit" > "$staging/kiosk/_commit.py"
install -d -m 0755 "$R$rel"
copy_tree "$staging" "$R$rel/app"
# The UI finds fonts in /opt/kiosk/assets (kiosk/ui/theme.py); layouts sit next to them.
copy_tree "$repo/assets" "$R$rel/assets"
copy_tree "$repo/layouts" "$R$rel/layouts"
printf 'version=%s\ncommit=%s\ninstalled=%s\nfrom=%s\n' "$version" "$commit" \
    "$(TZ=Asia/Seoul date '+%Y-%m-%d %H:%M:%S KST')" "$repo" > "$R$rel/RELEASE"
say "kiosk $version (commit $commit) copied to $R$rel"

# --- its virtual environment (same interpreter choice as scripts/setup.sh) -----------
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
    say "building $rel/venv with $("$py" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
    "$py" -m venv "$rel/venv"
    "$rel/venv/bin/python" -m pip install -q --upgrade pip >/dev/null
    # Not editable: the service runs from site-packages, with .pyc compiled now
    # (ProtectSystem=strict leaves /opt read-only at run time).
    "$rel/venv/bin/python" -m pip install -q --no-cache-dir "$rel/app"
    "$rel/venv/bin/python" -c 'import kiosk, PySide6; print("kiosk", kiosk.__version__, "PySide6", PySide6.__version__)' >&2
fi

# --- the check: the new release must read the station's config and draw every page ------
as_kiosk=()
if [[ -z $R && $(id -u) -eq 0 ]]; then
    # As the service's user: a check run as root must not leave root-owned caches behind.
    chmod o+rx "$R$rel" 2>/dev/null || true
    as_kiosk=(setpriv --reuid=kiosk --regid=kiosk --init-groups)
fi
check_release() {
    local kiosk_cmd=() out pages shown
    if ((venv)); then
        kiosk_cmd=("$rel/venv/bin/kiosk")
    else
        kiosk_cmd=(env "PYTHONPATH=$R$rel/app" "$check_with" -m kiosk)
    fi
    checkdir=$(mktemp -d)
    chmod 0755 "$checkdir"
    if ((${#as_kiosk[@]})); then chown kiosk:kiosk "$checkdir"; fi
    # The config as it is, but with the new release's layouts (and relative paths intact:
    # the copy sits beside it).
    check_config=$R$ETC/.config.check-$id.yaml
    sed -E "s#^(layout:[[:space:]]*)$APP/layouts/#\\1$R$rel/layouts/#" "$R$ETC/config.yaml" > "$check_config"
    chmod 0644 "$check_config"
    local env_=(env -i "PATH=$PATH" LANG=C.UTF-8 "HOME=$checkdir" QT_QPA_PLATFORM=offscreen
                "XDG_CACHE_HOME=$checkdir/cache" "KIOSK_ASSETS=$R$rel/assets")
    while IFS= read -r line; do env_+=("$line"); done < <(grep -E '^[A-Z_][A-Z0-9_]*=' "$R$ETC/secrets.env" 2>/dev/null || true)
    # From the empty check folder: `python -m` puts the working directory first on sys.path,
    # and a checkout there would be checked instead of the release.
    if ! out=$(cd "$checkdir" && "${as_kiosk[@]}" "${env_[@]}" "${kiosk_cmd[@]}" check-config --config "$check_config" 2>&1); then
        printf '%s\n' "$out" | sed 's/^/[install]   /' >&2
        return 1
    fi
    pages=$(printf '%s\n' "$out" | sed -n 's/.*: ok (\([0-9]*\) pages.*/\1/p' | head -1)
    if ! out=$(cd "$checkdir" && "${as_kiosk[@]}" "${env_[@]}" "${kiosk_cmd[@]}" snapshot --config "$check_config" --size 1920x1080 --out "$checkdir/snapshots" 2>&1); then
        printf '%s\n' "$out" | sed 's/^/[install]   /' >&2
        return 1
    fi
    shown=$(find "$checkdir/snapshots" -name '*.png' -size +0 2>/dev/null | wc -l)
    if [[ -z $pages || $shown -ne $pages ]]; then
        say "  snapshot drew $shown of ${pages:-?} pages"
        return 1
    fi
    say "checked $id: config valid, all $pages pages drawn"
}
if ((check)) && [[ $venv -eq 1 || -n $check_with ]]; then
    if ! check_release; then
        say "the new release $id failed the check: it is removed; ${cur:-no release} stays current and running"
        exit 1
    fi
else
    say "not checked: $( ((check)) && echo 'no venv and no --check-with' || echo '--no-check')"
fi

# --- switch ---------------------------------------------------------------------------
building=
point current "releases/$id"
[[ -n $cur ]] && point previous "releases/$cur"
link_top_level
install -d -m 0755 "$R/usr/local/bin"
ln -sfn "$APP/venv/bin/kiosk" "$R/usr/local/bin/kiosk"
say "$APP/current is $id$([[ -n $cur ]] && echo " (previous: $cur; install.sh --rollback returns to it)")"

# --- systemd units --------------------------------------------------------------------
units_from "$R$rel/app/systemd"
say "units installed: $unit (display: $display)"
enable_and_restart
drop_cage_unit

# --- keep the newest few releases (never current or previous) --------------------------
prev=$(release_of previous)
mapfile -t old < <(ls -1t "$R$APP/releases" | grep -vxF -e "$id" -e "${prev:-$id}" | tail -n +$((KEEP - 1)))
for r in "${old[@]}"; do
    rm -rf "${R:?}$APP/releases/$r"
    say "removed old release $r"
done
say "done. Logs: journalctl -u ${unit%.service} -f   Status: kiosk status"
