"""The Prometheus rules under deploy/ are valid and do what their unit tests say, by promtool
(Debian's prometheus package); every alert has a severity, an English summary and a section of the
runbook, and is seen firing in a unit test; the platform alerts name every service of the registry
and the stream the services use."""

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from warta.devstack import kubernetes
from warta.runtime import ServiceSettings

PROMETHEUS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("promtool")
    assert binary, "promtool is missing: run tools/system/deps.sh (Debian's prometheus package)"
    return subprocess.run([binary, *args], capture_output=True, text=True, cwd=PROMETHEUS, timeout=120)


def test_the_rules_are_valid():
    rules = sorted(str(p) for p in (PROMETHEUS / "rules").glob("*.yml"))
    assert rules
    checked = promtool("check", "rules", *rules)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # promtool read every rule written (recording rules and alerts, the event-loop alert among them)
    written = sum(len(g["rules"]) for r in rules for g in yaml.safe_load(Path(r).read_text())["groups"])
    assert written >= 10
    assert f"SUCCESS: {written} rules found" in checked.stdout


def test_the_rules_pass_their_unit_tests():
    tests = sorted(str(p) for p in (PROMETHEUS / "tests").glob("*.yml"))
    assert tests
    tested = promtool("test", "rules", *tests)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


RUNBOOK = PROMETHEUS.parents[1] / "docs" / "operations.md"
SEVERITIES = {"warning", "critical"}
# Words of the section's Bahasa Indonesia that an English summary never has.
INDONESIAN = re.compile(r"\b(langkah|permohonan|peristiwa|gagal|tertahan|melewati|kurang|ada|dan)\b", re.I)


def alerts() -> list[dict[str, Any]]:
    return [
        rule
        for path in sorted((PROMETHEUS / "rules").glob("*.yml"))
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]


def runbook_anchors() -> dict[str, str]:
    """GitHub's anchor of each heading of the runbook's "Alerts" section → the heading."""
    section = RUNBOOK.read_text().split("\n## Alerts\n", 1)[1].split("\n## ", 1)[0]
    headings = re.findall(r"^### (.+)$", section, re.M)
    return {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-"): h for h in headings}


def test_every_alert_has_a_severity_an_english_summary_and_its_runbook_section():
    anchors = runbook_anchors()
    names = [rule["alert"] for rule in alerts()]
    assert len(names) == len(set(names)), names
    for rule in alerts():
        name, annotations = rule["alert"], rule["annotations"]
        assert rule["labels"]["severity"] in SEVERITIES, name
        assert annotations["summary"].isascii(), name
        assert not INDONESIAN.search(annotations["summary"]), name
        page, _, anchor = annotations["runbook_url"].partition("#")
        assert page == "docs/operations.md", name
        assert anchors.get(anchor) == name, (name, anchor)
    # and no section of the runbook speaks of an alert that is gone
    assert set(anchors.values()) == set(names)


def test_every_alert_is_seen_firing_in_a_promtool_test():
    fired = {
        case["alertname"]
        for path in (PROMETHEUS / "tests").glob("*.yml")
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert {rule["alert"] for rule in alerts()} <= fired


def test_the_platform_alerts_name_every_service_and_the_stream_they_run_on():
    exprs = {rule["alert"]: rule["expr"] for rule in alerts()}
    for alert in ("WartaTargetDown", "WartaServiceDown", "WartaNotScraped"):
        (jobs,) = re.findall(r'up\{job=~"([^"]+)"\}', exprs[alert])
        assert sorted(jobs.split("|")) == sorted(kubernetes.all_services()), alert
    assert 'up{job="nats"}' in exprs["WartaNATSServerDown"]
    recorded = {
        rule["record"]: rule["expr"]
        for path in (PROMETHEUS / "rules").glob("*.yml")
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
        if "record" in rule
    }
    stream = ServiceSettings.model_fields["stream_name"].default
    assert f'stream_name="{stream}"' in recorded["warta:jetstream_consumer_pending:max"]
    # The consumers are named "<service>__<event>", which gives the alert its service.
    for name in kubernetes.all_services():
        for consumer in kubernetes.consumers_of(name):
            assert re.fullmatch(r"[a-z]+__.+", consumer), consumer
            assert consumer.split("__")[0] == name, consumer
