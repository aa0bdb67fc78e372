"""The Grafana dashboard: committed as generated, well-formed, and reading what Warta measures.
(That every query runs on a real Prometheus is checked in tests/e2e/test_sop_clocks_in_prometheus.py.)"""

import json
import re
from pathlib import Path

from warta.devstack import dashboards

COMMITTED = Path(__file__).resolve().parents[3] / dashboards.OUTPUT
RULES = Path(__file__).resolve().parents[3] / "deploy" / "prometheus" / "rules" / "warta-sop.rules.yml"


def test_the_committed_dashboard_is_what_the_code_generates():
    assert COMMITTED.read_text() == dashboards.render(), "run `make dashboards` and commit the result"


def test_panels_are_well_formed_and_laid_out_without_overlap():
    board = json.loads(COMMITTED.read_text())
    assert board["uid"]
    assert board["timezone"] == "Asia/Jakarta"
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    taken: set[tuple[int, int]] = set()
    for panel in board["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0
        assert grid["x"] + grid["w"] <= 24
        cells = {
            (x, y) for x in range(grid["x"], grid["x"] + grid["w"]) for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not cells & taken, panel["title"]
        taken |= cells
        assert panel["targets"], panel["title"]
        refs = [t["refId"] for t in panel["targets"]]
        assert len(refs) == len(set(refs))
        for target in panel["targets"]:
            assert target["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            assert target["expr"].count("(") == target["expr"].count(")"), target["expr"]


def test_it_shows_what_the_operators_need_and_reads_only_recorded_rules_that_exist():
    board = json.loads(COMMITTED.read_text())
    exprs = " ".join(t["expr"] for p in board["panels"] for t in p["targets"])
    for needed in (
        "warta_sop_step_duration_seconds_bucket",  # per-step median and p90
        "warta_sop_step_standard_seconds",  # against the standard
        "warta:sop_step_within_standard:ratio_7d",  # within-standard %
        "warta:sop_steps_overdue:max",  # overdue now
        "warta_sop_steps_completed_total",  # throughput
        "warta_request_lead_time_seconds_bucket",  # lead time
        "warta_review_rejections_total",  # rejections by level and reason
        "warta_consumer_pending_messages",  # NATS consumer lag
        "warta_consumer_redelivered_messages",  # redeliveries
        "warta_dead_letters",  # DLQ size
    ):
        assert needed in exprs, needed
    recorded = set(re.findall(r"record: (\S+)", RULES.read_text()))
    used = set(re.findall(r"warta:[a-z0-9_:]+", exprs))
    assert used <= recorded, used - recorded
