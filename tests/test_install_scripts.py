"""scripts/install.sh and scripts/uninstall.sh, run for real into a scratch root."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

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


def run(
    script: str, root: Path, *args: str, repo: Path = REPO, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "DESTDIR"}
    return subprocess.run(
        ["bash", str(repo / "scripts" / script), "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**base, **(env or {})},
    )


def install(root: Path, *args: str, **kw) -> subprocess.CompletedProcess[str]:
    r = run("install.sh", root, "--no-venv", *args, **kw)
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
    # --no-venv: a stand-in for the console script, in the release /opt/kiosk/venv points into
    kiosk_bin = root / "opt/kiosk/current/venv/bin/kiosk"
    kiosk_bin.parent.mkdir(parents=True)
    kiosk_bin.write_text("#!/bin/sh\nexit 0\n")
    kiosk_bin.chmod(0o755)
    unit = stage / "kiosk.service"
    unit.write_text(unit.read_text().replace("/opt/kiosk/venv/bin/kiosk", str(kiosk_bin)))
    r = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0 and [line for line in r.stderr.splitlines() if "kiosk" in line] == []


# --- releases: versioned installs, a checked upgrade, rollback, dry run ----------------------

APP = "opt/kiosk"
CHECK = ("--check-with", sys.executable)  # the test's interpreter has every dependency


def current(root: Path) -> str:
    return os.readlink(root / APP / "current").removeprefix("releases/")


def previous(root: Path) -> str | None:
    link = root / APP / "previous"
    return os.readlink(link).removeprefix("releases/") if link.is_symlink() else None


def releases(root: Path) -> list[str]:
    return sorted(p.name for p in (root / APP / "releases").iterdir())


def head_commit() -> str:
    git = ["git", "-C", str(REPO)]
    head = subprocess.run([*git, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True)
    shipped = ["kiosk", "pyproject.toml", "layouts", "assets", "systemd", "config.example.yaml"]
    dirty = subprocess.run([*git, "status", "--porcelain", "--", *shipped], capture_output=True)
    return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def new_version(tmp_path: Path, version: str, name: str = "repo") -> Path:
    """A copy of the repository (no .git: an exported tree) that says it is ``version``."""
    repo = tmp_path / name
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "_commit.py")
    for item in ("kiosk", "layouts", "assets", "systemd", "scripts", "docs"):
        shutil.copytree(REPO / item, repo / item, ignore=skip)
    for item in ("pyproject.toml", "config.example.yaml", "README.md", "LICENSE"):
        shutil.copy(REPO / item, repo / item)
    for rel, old in (("pyproject.toml", 'version = "'), ("kiosk/__init__.py", '__version__ = "')):
        f = repo / rel
        text = f.read_text()
        line = next(x for x in text.splitlines() if x.startswith(old))
        f.write_text(text.replace(line, f'{old}{version}"'))
    return repo


@pytest.fixture
def systemctl_log(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A systemctl that only records its calls: proves what an install did and did not ask."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    log = tmp_path / "systemctl.log"
    fake = bin_dir / "systemctl"
    fake.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\n')
    fake.chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}"}, log


def test_each_version_installs_beside_the_last_and_rollback_switches_back(root, tmp_path):
    first = install(root, *CHECK)
    v1 = current(root)
    assert v1 == f"0.1.0-{head_commit()}" and previous(root) is None
    pages = len(yaml.safe_load((REPO / "layouts" / "yeouido.yaml").read_text())["pages"])
    assert f"checked {v1}: config valid, all {pages} pages drawn" in first.stderr
    app = root / APP
    for name in ("app", "assets", "layouts", "venv"):  # the unit's paths go through current
        assert os.readlink(app / name) == f"current/{name}"
    assert (app / "app/kiosk/_commit.py").read_text().endswith(f'COMMIT = "{head_commit()}"\n')
    assert "version=0.1.0\n" in (app / "current/RELEASE").read_text()

    up = install(root, *CHECK, repo=new_version(tmp_path, "0.2.0"))
    assert current(root) == "0.2.0-unknown" and previous(root) == v1
    assert releases(root) == sorted([v1, "0.2.0-unknown"])
    assert '__version__ = "0.2.0"' in (app / "app/kiosk/__init__.py").read_text()
    assert f"(previous: {v1}; install.sh --rollback returns to it)" in up.stderr
    assert (root / "etc/kiosk/config.yaml").read_text().count("/opt/kiosk/layouts/") == 1

    back = run("install.sh", root, "--rollback")
    assert back.returncode == 0, back.stderr
    assert current(root) == v1 and previous(root) == "0.2.0-unknown"
    assert '__version__ = "0.1.0"' in (app / "app/kiosk/__init__.py").read_text()
    assert f"rolled back: /opt/kiosk/current is {v1}" in back.stderr
    assert run("install.sh", root, "--rollback").returncode == 0  # and forward again
    assert current(root) == "0.2.0-unknown" and previous(root) == v1


@pytest.mark.parametrize("breakage", ["layout", "drawing"])
def test_a_new_version_that_fails_the_check_leaves_the_old_one_current(
    root, tmp_path, systemctl_log, breakage
):
    env, log = systemctl_log
    install(root, env=env)
    v1 = current(root)
    units = {p: p.read_bytes() for p in (root / "etc/systemd/system").rglob("*") if p.is_file()}
    calls = log.read_text()
    repo = new_version(tmp_path, "0.2.0")
    if breakage == "layout":  # a page kind the new version's config model no longer knows
        lay = repo / "layouts/yeouido.yaml"
        lay.write_text(lay.read_text().replace("kind: bikes", "kind: bicycles"))
    else:  # the new bikes page crashes when it draws
        page = repo / "kiosk/ui/pages/bikes.py"
        text = page.read_text()
        page.write_text(
            text.replace(
                "    def refresh(self, now: datetime) -> None:\n",
                "    def refresh(self, now: datetime) -> None:\n        raise RuntimeError('boom')\n",
            )
        )
    r = run("install.sh", root, "--no-venv", *CHECK, repo=repo, env=env)
    assert r.returncode == 1
    assert f"the new release 0.2.0-unknown failed the check: it is removed; {v1} stays" in r.stderr
    if breakage == "layout":
        assert "layout(yeouido.yaml).pages[" in r.stderr and "'bicycles'" in r.stderr
    else:
        assert "boom" in r.stderr or "RuntimeError" in r.stderr
    assert current(root) == v1 and previous(root) is None and releases(root) == [v1]
    assert '__version__ = "0.1.0"' in (root / APP / "app/kiosk/__init__.py").read_text()
    after = {p: p.read_bytes() for p in (root / "etc/systemd/system").rglob("*") if p.is_file()}
    assert after == units
    assert log.read_text() == calls  # no enable, no restart: the old kiosk keeps running
    assert not list((root / "etc/kiosk").glob(".config.check-*"))


def test_dry_run_says_what_it_would_do_and_changes_nothing(root, tmp_path):
    before = snapshot(root)
    r = run("install.sh", root, "--no-venv", "--dry-run", *CHECK)
    assert r.returncode == 0, r.stderr
    assert snapshot(root) == before
    assert "would create the system user kiosk" in r.stderr
    assert (
        f"would install kiosk 0.1.0 (commit {head_commit()}) into /opt/kiosk/releases/" in r.stderr
    )
    assert "would check it: kiosk check-config and kiosk snapshot of every page" in r.stderr
    install(root)
    v1 = current(root)
    before = snapshot(root)
    repo = new_version(tmp_path, "0.2.0")
    up = run("install.sh", root, "--no-venv", "--dry-run", repo=repo)
    assert up.returncode == 0, up.stderr
    assert f"would switch /opt/kiosk/current from {v1} to releases/0.2.0-unknown" in up.stderr
    assert "would create" not in up.stderr
    back = run("install.sh", root, "--rollback", "--dry-run")
    assert back.returncode == 1 and "no previous release to roll back to" in back.stderr
    install(root, repo=repo)
    before = snapshot(root)
    back = run("install.sh", root, "--rollback", "--dry-run")
    assert back.returncode == 0, back.stderr
    assert f"would switch /opt/kiosk/current from 0.2.0-unknown to {v1}" in back.stderr
    assert snapshot(root) == before


def test_rollback_with_nothing_to_roll_back_to_is_one_line(root):
    r = run("install.sh", root, "--rollback")
    assert r.returncode == 1
    assert r.stderr.startswith("install.sh: no previous release to roll back to")
    assert len(r.stderr.splitlines()) == 1


def test_the_newest_three_releases_are_kept(root, tmp_path):
    for v in ("0.2.0", "0.3.0", "0.4.0", "0.5.0"):
        install(root, repo=new_version(tmp_path, v, name=f"repo-{v}"))
    assert releases(root) == ["0.3.0-unknown", "0.4.0-unknown", "0.5.0-unknown"]
    assert current(root) == "0.5.0-unknown" and previous(root) == "0.4.0-unknown"


def test_an_unversioned_install_becomes_the_release_to_roll_back_to(root):
    """An /opt/kiosk from the install.sh before releases: real dirs, a venv named by path."""
    app = root / APP
    (app / "app/kiosk").mkdir(parents=True)
    (app / "app/kiosk/__init__.py").write_text('__version__ = "0.0.9"\n')
    (app / "layouts").mkdir()
    (app / "assets").mkdir()
    (app / "venv/bin").mkdir(parents=True)
    (app / "venv/bin/kiosk").write_text("#!/opt/kiosk/venv/bin/python\nimport kiosk\n")
    shutil.copytree(REPO / "systemd", app / "app/systemd")
    install(root)
    assert previous(root) == "0.0.9-unversioned"
    old = app / "releases/0.0.9-unversioned"
    assert (old / "app/kiosk/__init__.py").is_file()
    shebang = (old / "venv/bin/kiosk").read_text().splitlines()[0]
    assert shebang == "#!/opt/kiosk/releases/0.0.9-unversioned/venv/bin/python"
    assert run("install.sh", root, "--rollback").returncode == 0
    assert current(root) == "0.0.9-unversioned"
    assert (app / "venv/bin/kiosk").read_text().startswith("#!/opt/kiosk/releases/0.0.9")


def test_an_upgrade_or_rollback_without_display_keeps_the_installed_one(root, tmp_path):
    dropin = root / "etc/systemd/system/kiosk.service.d/display.conf"
    linuxfb = (REPO / "systemd/display/linuxfb.conf").read_text()
    install(root, "--display", "linuxfb")
    install(root, repo=new_version(tmp_path, "0.2.0"))
    assert dropin.read_text() == linuxfb
    assert run("install.sh", root, "--rollback").returncode == 0
    assert dropin.read_text() == linuxfb
    install(root, "--display", "eglfs")  # given: it wins
    assert dropin.read_text() == (REPO / "systemd/display/eglfs.conf").read_text()
