"""The fleet's config keys (sources.cache_url, cache_password_file, fleet_size; metrics.listen,
metrics.textfile): validated by `kiosk check-config` with key paths, never echoing a password,
documented in config.example.yaml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kiosk.config import load_all
from kiosk.errors import ConfigError
from tests.conftest import REPO

PASSWORD = "Hunter2-redis-password"


def write(tmp_path: Path, sources: dict | None = None, metrics: dict | None = None) -> Path:
    cfg = yaml.safe_load((REPO / "config.example.yaml").read_text())
    cfg["layout"] = str(REPO / "layouts" / "yeouido.yaml")
    cfg["sources"].update(sources or {})
    if metrics is not None:
        cfg["metrics"] = metrics
    p = tmp_path / "config.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    return p


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as e:
        load_all(path)
    return e.value.problems


def test_the_keys_are_off_by_default_and_documented() -> None:
    cfg, _ = load_all(REPO / "config.example.yaml")
    assert cfg.sources.cache_url is None and cfg.sources.fleet_size == 1
    assert cfg.metrics.listen is None and cfg.metrics.textfile is None
    text = (REPO / "config.example.yaml").read_text()
    for key in ("cache_url:", "cache_password_file:", "fleet_size:", "listen:", "textfile:"):
        assert key in text, key


def test_a_fleet_config_is_valid_and_relative_paths_follow_the_config(tmp_path: Path) -> None:
    (tmp_path / "redis-password").write_text(PASSWORD + "\n")
    (tmp_path / "textfile").mkdir()
    path = write(
        tmp_path,
        {
            "cache_url": "redis://10.20.0.5:6379/0",
            "cache_password_file": "redis-password",
            "fleet_size": 4,
        },
        {"listen": "0.0.0.0:9464", "textfile": "textfile/kiosk.prom", "textfile_interval": 30},
    )
    cfg, _ = load_all(path)
    assert cfg.sources.cache_password_file == tmp_path / "redis-password"
    assert cfg.metrics.textfile == tmp_path / "textfile" / "kiosk.prom"
    assert cfg.sources.fleet_size == 4 and cfg.metrics.listen == "0.0.0.0:9464"
    for url in ("rediss://cache.lan:6380/1", "unix:///run/redis/redis-server.sock?db=0"):
        assert load_all(write(tmp_path, {"cache_url": url}))[0].sources.cache_url == url
    assert load_all(write(tmp_path, metrics={"listen": "[::1]:9464"}))[0].metrics.listen


@pytest.mark.parametrize(
    ("sources", "metrics", "expected"),
    [
        (
            {"cache_url": f"http://:{PASSWORD}@10.0.0.5:6379"},
            None,
            "sources.cache_url: unsupported scheme http://: use redis://, rediss:// or unix://",
        ),
        (
            {"cache_url": f"redis://:{PASSWORD}@10.0.0.5:6379/0?socket_timeout=600"},
            None,
            "sources.cache_url: unsupported option ?socket_timeout= (allowed: client_name, db, "
            "ssl_ca_certs, ssl_cert_reqs, ssl_certfile, ssl_keyfile)",
        ),
        (
            {"cache_url": f"redis://:{PASSWORD}@:6379/0"},
            None,
            "sources.cache_url: redis:// needs a host: redis://HOST:6379/0",
        ),
        (
            {"fleet_size": 0},
            None,
            "sources.fleet_size: Input should be greater than or equal to 1 (got 0)",
        ),
        (
            {"cache_password_file": "/etc/kiosk/redis-password"},
            None,
            "sources.cache_password_file: only used with sources.cache_url",
        ),
        (
            {"cache_url": "redis://h:6379/0", "cache_password_file": "/nonexistent/pw"},
            None,
            "sources.cache_password_file: file not found: /nonexistent/pw",
        ),
        (
            None,
            {"listen": "9464"},
            "metrics.listen: expected HOST:PORT such as 127.0.0.1:9464, got '9464'",
        ),
        (
            None,
            {"listen": "10.0.0.300:9464"},
            "metrics.listen: '10.0.0.300' is not an IPv4 address, [IPv6] address or localhost",
        ),
        (
            None,
            {"listen": "127.0.0.1:70000"},
            "metrics.listen: port 70000 is out of range (1-65535)",
        ),
        (
            None,
            {"textfile": "/var/lib/prometheus/node-exporter/kiosk.txt"},
            "metrics.textfile: node_exporter's textfile collector reads only *.prom files",
        ),
        (
            None,
            {"textfile": "/nonexistent/node-exporter/kiosk.prom"},
            "metrics.textfile: folder not found: /nonexistent/node-exporter",
        ),
        (None, {"port": 9464}, "metrics.port: unknown key"),
    ],
)
def test_bad_values_are_named_by_key_path(tmp_path, sources, metrics, expected) -> None:
    got = problems(write(tmp_path, sources, metrics))
    assert got == [expected]
    assert PASSWORD not in "\n".join(got)


def test_a_password_given_twice_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text(PASSWORD)
    path = write(
        tmp_path,
        {"cache_url": f"redis://:{PASSWORD}@h:6379/0", "cache_password_file": str(tmp_path / "pw")},
    )
    assert problems(path) == [
        "sources.cache_password_file: sources.cache_url has a password too; give it once"
    ]


def test_check_config_prints_no_password(tmp_path: Path) -> None:
    path = write(tmp_path, {"cache_url": f"redis://:{PASSWORD}@h:6379/x"}, {"listen": "nowhere"})
    r = subprocess.run(
        [sys.executable, "-m", "kiosk", "check-config", "--config", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert r.returncode == 2
    assert PASSWORD not in r.stdout + r.stderr and "Traceback" not in r.stderr
    lines = (r.stdout + r.stderr).strip().splitlines()
    assert "sources.cache_url: the database must be a number (/0), not /x" in lines
    assert any(line.startswith("metrics.listen: expected HOST:PORT") for line in lines)
