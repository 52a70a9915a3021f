#!/usr/bin/env bash
# Remove what scripts/install.sh installed.
#
#   sudo bash scripts/uninstall.sh            # keep /etc/kiosk/config.yaml and your keys
#   sudo bash scripts/uninstall.sh --purge    # also /etc/kiosk, /var/lib|cache/kiosk, user kiosk
#   bash scripts/uninstall.sh --root /tmp/r   # from a scratch root
#
# Options: --root DIR (also DESTDIR=DIR), --purge, --no-systemctl.
# /opt/kiosk goes with every release in it (/opt/kiosk/releases/*, current, previous).
# Without --purge, files under /etc/kiosk are removed only if they are still exactly as
# install.sh wrote them (an untouched secrets.env, the stock eglfs-kms.json); config.yaml
# is always kept.
set -euo pipefail

say() { printf '[uninstall] %s\n' "$*" >&2; }
die() { printf 'uninstall.sh: %s\n' "$1" >&2; exit "${2:-1}"; }

root=${DESTDIR:-/}
purge=0
use_systemctl=auto
while (($#)); do
    case $1 in
        --root) [[ $# -ge 2 ]] || die "--root needs a directory" 2; root=$2; shift ;;
        --root=*) root=${1#--root=} ;;
        --purge) purge=1 ;;
        --no-systemctl) use_systemctl=no ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option '$1' (see --help)" 2 ;;
    esac
    shift
done
[[ -d $root ]] || die "--root $root is not a directory" 2
root=$(cd "$root" && pwd)
R=${root%/}
if [[ -z $R && $(id -u) -ne 0 ]]; then
    die "run as root (sudo), or use --root DIR for a scratch root"
fi

APP=/opt/kiosk
ETC=/etc/kiosk
UNITDIR=/etc/systemd/system
units=()
for u in kiosk.service kiosk-cage.service; do [[ -e $R$UNITDIR/$u ]] && units+=("$u"); done

# --- stop and disable -----------------------------------------------------------------
if [[ $use_systemctl == auto ]] && ! command -v systemctl >/dev/null; then use_systemctl=no; fi
if [[ $use_systemctl != no && ${#units[@]} -gt 0 ]]; then
    if [[ -z $R && -d /run/systemd/system ]]; then
        say "systemctl disable --now ${units[*]}"
        systemctl disable --now --quiet "${units[@]}" || say "warning: systemctl disable failed"
    else
        say "systemctl --root=$root disable ${units[*]}"
        systemctl --root="$root" disable --quiet "${units[@]}" || say "warning: systemctl disable failed"
    fi
fi

# --- units, app, command --------------------------------------------------------------
for u in "${units[@]}"; do rm -f "$R$UNITDIR/$u"; done
rm -f "$R$UNITDIR/kiosk.service.d/display.conf"
rm -f "$R/etc/tmpfiles.d/kiosk-notices.conf"  # the spool's notices go with --purge (/var/lib/kiosk)
rmdir "$R/etc/tmpfiles.d" 2>/dev/null || true  # only in an empty scratch root
# Your own overrides (systemctl edit kiosk) stay; the folder goes only if it is empty.
rmdir "$R$UNITDIR/kiosk.service.d" 2>/dev/null || true
rmdir "$R$UNITDIR/multi-user.target.wants" 2>/dev/null || true  # only in an empty scratch root
if [[ -L $R/usr/local/bin/kiosk && $(readlink "$R/usr/local/bin/kiosk") == "$APP/"* ]]; then
    rm -f "$R/usr/local/bin/kiosk"
fi

# --- /etc/kiosk: keep what the operator wrote -----------------------------------------
secrets_template='# API keys for Station Kiosk, read by systemd (EnvironmentFile=); keep mode 0640 root:kiosk.
#SEOUL_API_KEY=
#SEOUL_SUBWAY_API_KEY=
#SEOUL_BUS_API_KEY=
#SAFETYDATA_API_KEY='
# What install.sh wrote before the bus and alert keys: also left untouched by the operator.
old_secrets_template='# API keys for Station Kiosk, read by systemd (EnvironmentFile=); keep mode 0640 root:kiosk.
#SEOUL_API_KEY=
#SEOUL_SUBWAY_API_KEY='
if ((purge)); then
    rm -rf "$R$ETC"
    say "purged $ETC"
else
    if [[ -f $R$ETC/secrets.env ]] && { [[ $(cat "$R$ETC/secrets.env") == "$secrets_template" ]] ||
        [[ $(cat "$R$ETC/secrets.env") == "$old_secrets_template" ]]; }; then
        rm -f "$R$ETC/secrets.env"
    elif [[ -f $R$ETC/secrets.env ]]; then
        say "kept $ETC/secrets.env (it holds your keys; --purge removes it)"
    fi
    if [[ -f $R$ETC/eglfs-kms.json && -f $R$APP/app/systemd/eglfs-kms.json ]] &&
        cmp -s "$R$ETC/eglfs-kms.json" "$R$APP/app/systemd/eglfs-kms.json"; then
        rm -f "$R$ETC/eglfs-kms.json"
    fi
    [[ -f $R$ETC/config.yaml ]] && say "kept $ETC/config.yaml"
    rmdir "$R$ETC" 2>/dev/null || true
fi
rm -rf "$R$APP"
say "removed $APP and the units"

# --- purge: data, cache and the user --------------------------------------------------
if ((purge)); then
    rm -rf "$R/var/lib/kiosk" "$R/var/cache/kiosk" "$R/run/kiosk"
    if grep -q '^kiosk:' "$R/etc/passwd" 2>/dev/null; then
        prefix=(); [[ -n $R ]] && prefix=(--prefix "$root")
        userdel "${prefix[@]}" kiosk
        # userdel removes the user's own group only when login.defs says so.
        if grep -q '^kiosk:' "$R/etc/group" 2>/dev/null; then groupdel "${prefix[@]}" kiosk; fi
        say "removed user kiosk"
    fi
fi
say "done"
