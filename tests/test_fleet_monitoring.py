"""The monitoring that ships with the kiosk: alert rules that promtool accepts and whose unit
tests pass, a Grafana dashboard whose every query parses and names only metrics the kiosk
exports, and a scrape config in docs/fleet.md that promtool accepts."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from kiosk.core.budget import BudgetPlan
from kiosk.core.timeutil import KST
from kiosk.ops.metrics import KioskMetrics
from tests.conftest import REPO
from tests.promtool import require_promtool

RULES = REPO / "ops" / "prometheus" / "kiosk-alerts.yml"
RULE_TESTS = REPO / "ops" / "prometheus" / "kiosk-alerts.test.yml"
DASHBOARD = REPO / "ops" / "grafana" / "station-kiosk.json"
T0 = datetime(2026, 11, 23, 13, 0, tzinfo=KST)
# What the rules may name that the kiosk does not export itself.
FOREIGN = {"up", "node_textfile_mtime_seconds"}


class _Ledger:
    name = "subway"
    calls_made = 3
    plan = BudgetPlan(1000, reserve=50)
    sharing = True

    def remaining(self, now: datetime) -> int:
        return 900


def exported_names() -> set[str]:
    """Every sample name a fully fed kiosk exports (histogram buckets, _total included)."""
    m = KioskMetrics("Yeouido", "0.1.0", lambda: T0)
    m.snapshot("subway", "ok", T0)
    m.panel(
        desired_on=True, actual_on=True, desired_backlight=1, actual_backlight=1, answering=True
    )
    m.watch_ledger(_Ledger())
    m.frame_painted(0.01)
    m.page_changed()
    text = generate_latest(m.registry).decode()
    return {s.name for f in text_string_to_metric_families(text) for s in f.samples}


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression (identifiers before { or [ or standing alone)."""
    expr = re.sub(r'"[^"]*"', '""', expr)  # no label values
    expr = re.sub(r"\$\w+", "", expr)  # no Grafana variables ($__rate_interval)
    words = set(re.findall(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b", expr))
    functions = {
        "sum", "max", "min", "by", "on", "ignoring", "unless", "and", "or", "rate", "increase",
        "histogram_quantile", "predict_linear", "time", "vector", "le", "instance", "source",
        "key", "level", "which", "state", "site", "count", "avg", "bool",
    }  # fmt: skip
    return {w for w in words if not w.isdigit() and w not in functions and ("_" in w or w == "up")}


def test_alert_rules_pass_promtool_check_and_their_unit_tests() -> None:
    promtool = require_promtool()
    r = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True)
    assert r.returncode == 0 and "SUCCESS: 9 rules found" in r.stdout, r.stdout + r.stderr
    r = subprocess.run(
        [promtool, "test", "rules", RULE_TESTS.name],
        cwd=RULE_TESTS.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0 and "SUCCESS" in r.stdout, r.stdout + r.stderr


def test_the_rules_cover_what_operations_needs_and_name_real_metrics() -> None:
    rules = yaml.safe_load(RULES.read_text())["groups"][0]["rules"]
    alerts = {r["alert"]: r for r in rules}
    assert {
        "KioskDown",
        "KioskDataStale",
        "KioskQuotaNearlySpent",
        "KioskPanelNotAnswering",
        "KioskMemoryGrowing",
    } <= set(alerts)
    known = exported_names() | FOREIGN
    for name, rule in alerts.items():
        assert metric_names(rule["expr"]) <= known, (name, metric_names(rule["expr"]) - known)
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
    tested = {
        t["alertname"]
        for case in yaml.safe_load(RULE_TESTS.read_text())["tests"]
        for t in case["alert_rule_test"]
    }
    assert tested == set(alerts)  # every alert has a promtool unit test


def dashboard_exprs() -> list[tuple[str, str]]:
    dash = json.loads(DASHBOARD.read_text())
    return [(p["title"], t["expr"]) for p in dash["panels"] for t in p["targets"]]


def test_dashboard_is_valid_json_and_every_query_names_exported_metrics() -> None:
    dash = json.loads(DASHBOARD.read_text())
    assert dash["uid"] and dash["panels"] and dash["templating"]["list"]
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids))
    known = exported_names()
    for title, expr in dashboard_exprs():
        names = metric_names(expr)
        assert names and names <= known, (title, names - known)
    covered = set().union(*(metric_names(e) for _, e in dashboard_exprs()))
    for wanted in (
        "kiosk_up",
        "kiosk_source_age_seconds",
        "kiosk_quota_remaining",
        "kiosk_frame_seconds_bucket",
    ):
        assert wanted in covered


def test_every_dashboard_query_parses(tmp_path: Path) -> None:
    promtool = require_promtool()
    # Grafana's variables, as Grafana would expand them, then each query as a recording rule.
    rules = [
        {
            "record": f"dashboard:query_{i}",
            "expr": expr.replace("$__rate_interval", "2m")
            .replace("$site", "yeouido")
            .replace("$instance", ".*"),
        }
        for i, (_, expr) in enumerate(dashboard_exprs())
    ]
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    r = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_scrape_config_in_the_docs_passes_promtool(tmp_path: Path) -> None:
    promtool = require_promtool()
    text = (REPO / "docs" / "fleet.md").read_text()
    m = re.search(r"```yaml prometheus\.yml\n(.*?)```", text, re.S)
    assert m, "docs/fleet.md has no ```yaml prometheus.yml block"
    cfg = yaml.safe_load(m.group(1))
    assert [j["job_name"] for j in cfg["scrape_configs"]] == ["kiosk", "node"]
    assert cfg["rule_files"] == ["/etc/prometheus/rules/kiosk-alerts.yml"]
    cfg["rule_files"] = [str(RULES)]
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(cfg))
    r = subprocess.run([promtool, "check", "config", str(path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("doc", ["docs/fleet.md", "docs/operations.md"])
def test_the_docs_name_the_shipped_files(doc: str) -> None:
    text = (REPO / doc).read_text()
    assert "fleet.md" in text or doc.endswith("fleet.md")
    if doc.endswith("fleet.md"):
        for f in ("ops/prometheus/kiosk-alerts.yml", "ops/grafana/station-kiosk.json"):
            assert f in text and (REPO / f).is_file()
