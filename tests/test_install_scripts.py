"""scripts/install.sh and scripts/uninstall.sh, run for real into a scratch root."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
IS_ROOT = os.geteuid() == 0
pytestmark = pytest.mark.skipif(
    not (shutil.which("systemd-sysusers") or shutil.which("useradd")),
    reason="neither systemd-sysusers nor useradd is installed: cannot create the kiosk user",
)
HAS_SYSTEMCTL = shutil.which("systemctl") is not None
# Account databases change on every user add/remove (backups, locks): compared by content.
ACCOUNT_FILES = {
    "passwd",
    "group",
    "shadow",
    "gshadow",
    "passwd-",
    "group-",
    "shadow-",
    "gshadow-",
    ".pwd.lock",
}


def run(script: str, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DESTDIR"}
    return subprocess.run(
        ["bash", str(REPO / "scripts" / script), "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def install(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    r = run("install.sh", root, "--no-venv", *args)
    assert r.returncode == 0, r.stderr
    return r


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A minimal Debian-like root: dialout and video exist, render and input do not."""
    r = tmp_path / "root"
    for d in ("etc/systemd/system", "opt", "usr/local/bin", "var/lib", "var/cache", "run"):
        (r / d).mkdir(parents=True)
    (r / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (r / "etc/group").write_text("root:x:0:\ndialout:x:20:\nvideo:x:44:\n")
    for name in ("shadow", "gshadow"):
        (r / "etc" / name).write_text("")
        (r / "etc" / name).chmod(0o600)
    return r


def snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.name not in ACCOUNT_FILES}


def account(root: Path, db: str, name: str) -> list[str] | None:
    for line in (root / "etc" / db).read_text().splitlines():
        if line.split(":")[0] == name:
            return line.split(":")
    return None


def test_install_creates_user_app_units_and_config_with_the_right_modes(root):
    r = install(root)
    assert "kept existing" not in r.stderr
    user = account(root, "passwd", "kiosk")
    assert user is not None and user[5] == "/var/lib/kiosk" and user[6].endswith("nologin")
    assert account(root, "group", "dialout")[3] == "kiosk"
    assert account(root, "group", "video")[3] == "kiosk"
    assert account(root, "group", "render") is None and account(root, "group", "input") is None

    app = root / "opt/kiosk"
    assert (app / "app/kiosk/__init__.py").is_file() and (app / "app/pyproject.toml").is_file()
    assert not list((app / "app").rglob("__pycache__"))
    assert list((app / "assets/fonts").glob("*.ttf")) and (app / "layouts/yeouido.yaml").is_file()
    assert os.readlink(root / "usr/local/bin/kiosk") == "/opt/kiosk/venv/bin/kiosk"

    units = root / "etc/systemd/system"
    assert (units / "kiosk.service").read_text() == (REPO / "systemd/kiosk.service").read_text()
    assert (units / "kiosk.service.d/display.conf").read_text() == (
        REPO / "systemd/display/eglfs.conf"
    ).read_text()
    if HAS_SYSTEMCTL:
        assert (
            os.readlink(units / "multi-user.target.wants/kiosk.service")
            == "/etc/systemd/system/kiosk.service"
        )

    config = root / "etc/kiosk/config.yaml"
    example = (REPO / "config.example.yaml").read_text()
    text = config.read_text()
    assert "layout: /opt/kiosk/layouts/yeouido.yaml" in text
    assert text.replace("/opt/kiosk/layouts/", "layouts/") == example  # nothing else changed
    assert stat.S_IMODE(config.stat().st_mode) == 0o644
    layout = text.split("layout:")[1].split()[0]
    assert (root / layout.lstrip("/")).is_file()  # the layout the config names is installed
    assert (root / "etc/kiosk/eglfs-kms.json").read_text() == (
        REPO / "systemd/eglfs-kms.json"
    ).read_text()

    secrets = root / "etc/kiosk/secrets.env"
    st = secrets.stat()
    assert stat.S_IMODE(st.st_mode) == 0o640
    assert all(line.startswith("#") for line in secrets.read_text().splitlines())  # no keys yet
    if IS_ROOT:
        assert (st.st_uid, st.st_gid) == (0, int(account(root, "group", "kiosk")[2]))


def test_reinstall_keeps_config_and_keys_refreshes_the_app_and_switches_display(root):
    install(root)
    config = root / "etc/kiosk/config.yaml"
    config.write_text("# edited by the technician\n")
    secrets = root / "etc/kiosk/secrets.env"
    secrets.write_text("SEOUL_API_KEY=abc123\n")
    secrets.chmod(0o644)  # someone loosened it
    (root / "opt/kiosk/app/kiosk/stale_module.py").write_text("")
    r = install(root, "--display", "linuxfb")
    assert "kept existing /etc/kiosk/config.yaml" in r.stderr
    assert config.read_text() == "# edited by the technician\n"
    assert secrets.read_text() == "SEOUL_API_KEY=abc123\n"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o640
    assert not (root / "opt/kiosk/app/kiosk/stale_module.py").exists()
    dropin = root / "etc/systemd/system/kiosk.service.d/display.conf"
    assert dropin.read_text() == (REPO / "systemd/display/linuxfb.conf").read_text()
    assert [
        line for line in (root / "etc/passwd").read_text().splitlines() if line.startswith("kiosk:")
    ]
    assert (
        len(
            [
                line
                for line in (root / "etc/passwd").read_text().splitlines()
                if line.startswith("kiosk:")
            ]
        )
        == 1
    )


@pytest.mark.skipif(
    not HAS_SYSTEMCTL, reason="systemctl is not installed: enablement cannot be checked"
)
def test_cage_display_enables_the_cage_unit_and_switching_back_removes_it(root):
    units = root / "etc/systemd/system"
    install(root, "--display", "cage")
    assert (units / "kiosk-cage.service").is_file()
    assert (units / "multi-user.target.wants/kiosk-cage.service").is_symlink()
    assert not (units / "multi-user.target.wants/kiosk.service").exists()
    install(root, "--display", "eglfs")
    assert not (units / "kiosk-cage.service").exists()
    assert not (units / "multi-user.target.wants/kiosk-cage.service").exists()
    assert (units / "multi-user.target.wants/kiosk.service").is_symlink()


def test_uninstall_keeps_config_and_keys_and_removes_the_rest(root):
    before = snapshot(root)
    install(root)
    (root / "etc/kiosk/secrets.env").write_text("SEOUL_SUBWAY_API_KEY=xyz\n")
    r = run("uninstall.sh", root)
    assert r.returncode == 0, r.stderr
    assert snapshot(root) - before == {
        "etc/kiosk",
        "etc/kiosk/config.yaml",
        "etc/kiosk/secrets.env",
    }
    assert "kept /etc/kiosk/secrets.env" in r.stderr and "kept /etc/kiosk/config.yaml" in r.stderr
    assert account(root, "passwd", "kiosk") is not None  # the user stays (files may still be its)


def test_uninstall_removes_an_untouched_key_template_and_stock_files(root):
    before = snapshot(root)
    install(root)
    assert run("uninstall.sh", root).returncode == 0
    assert snapshot(root) - before == {"etc/kiosk", "etc/kiosk/config.yaml"}


def test_uninstall_keeps_your_own_unit_overrides(root):
    install(root)
    override = root / "etc/systemd/system/kiosk.service.d/override.conf"
    override.write_text("[Service]\nEnvironment=QT_SCALE_FACTOR=2\n")
    assert run("uninstall.sh", root).returncode == 0
    assert override.is_file()
    assert not (root / "etc/systemd/system/kiosk.service.d/display.conf").exists()


@pytest.mark.skipif(not IS_ROOT, reason="removing a user from a scratch root needs root (userdel)")
def test_purge_returns_the_root_to_where_it_was(root):
    before = snapshot(root)
    passwd, group = (root / "etc/passwd").read_text(), (root / "etc/group").read_text()
    install(root, "--display", "cage")
    (root / "var/lib/kiosk").mkdir()
    (root / "var/lib/kiosk/screen.jsonl").write_text("{}\n")
    (root / "var/cache/kiosk").mkdir()
    r = run("uninstall.sh", root, "--purge")
    assert r.returncode == 0, r.stderr
    assert snapshot(root) == before
    assert (root / "etc/passwd").read_text() == passwd
    assert (root / "etc/group").read_text() == group


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--display", "wayland"], "--display must be eglfs, linuxfb or cage (got 'wayland')"),
        (["--frobnicate"], "unknown option '--frobnicate' (see --help)"),
        (["--display"], "--display needs eglfs, linuxfb or cage"),
    ],
)
def test_bad_options_are_one_line_exit_2(root, args, message):
    r = run("install.sh", root, "--no-venv", *args)
    assert (r.returncode, r.stderr) == (2, f"install.sh: {message}\n")
    assert not (root / "opt/kiosk").exists()


def test_a_venv_under_a_scratch_root_is_refused_with_the_reason(root):
    r = run("install.sh", root)
    assert r.returncode == 2
    assert (
        r.stderr.strip()
        == "install.sh: --root needs --no-venv (a venv cannot be moved; build it on the target machine)"
    )


def test_missing_root_dir_is_a_usage_error(tmp_path):
    for script in ("install.sh", "uninstall.sh"):
        r = run(script, tmp_path / "nope")
        assert r.returncode == 2 and "is not a directory" in r.stderr


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)
@pytest.mark.parametrize("display", ["eglfs", "linuxfb"])
def test_installed_unit_and_dropin_verify_clean(root, tmp_path, display):
    install(root, "--display", display)
    stage = tmp_path / "stage"
    shutil.copytree(root / "etc/systemd/system", stage, symlinks=True)
    kiosk_bin = root / "opt/kiosk/venv/bin/kiosk"  # --no-venv: a stand-in for the console script
    kiosk_bin.parent.mkdir(parents=True)
    kiosk_bin.write_text("#!/bin/sh\nexit 0\n")
    kiosk_bin.chmod(0o755)
    unit = stage / "kiosk.service"
    unit.write_text(unit.read_text().replace("/opt/kiosk/venv/bin/kiosk", str(kiosk_bin)))
    r = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0 and [line for line in r.stderr.splitlines() if "kiosk" in line] == []
