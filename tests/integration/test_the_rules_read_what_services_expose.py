"""Every Warta metric the Prometheus rules read is one a running service exposes at /metrics, and the
gauges the platform alerts stand on are there with their values at the first scrape: a renamed
metric would leave an alert silent, and no promtool test (which writes its own series) would see it."""

import re
from pathlib import Path

import yaml

from warta.devstack.pytest_plugin import apps_of

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "rules"
SUFFIXES = ("", "_total", "_bucket", "_count", "_sum", "_created")


def metrics_the_rules_read() -> set[str]:
    exprs = [
        rule["expr"]
        for path in RULES.glob("*.yml")
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
    ]
    return {name for expr in exprs for name in re.findall(r"\b(warta_[a-z_]+)", expr)}


async def test_every_warta_metric_of_the_rules_is_exposed_by_a_service(namespace):
    # The review service: a step service with a database, an outbox and a consumer.
    async with apps_of(namespace, ("review",)) as clients:
        text = (await clients["review"].get("/metrics")).text
    declared = {line.split(" ")[2] for line in text.splitlines() if line.startswith("# HELP ")}
    exposed = {name + suffix for name in declared for suffix in SUFFIXES}
    read = metrics_the_rules_read()
    assert {"warta_outbox_oldest_pending_seconds", "warta_mongodb_members", "warta_dead_letters"} <= read
    assert read <= exposed, read - exposed
    assert "warta_outbox_oldest_pending_seconds 0.0" in text.splitlines()
    assert 'warta_mongodb_members{state="primary"} 1.0' in text.splitlines()
    assert 'warta_mongodb_members{state="unreachable"} 0.0' in text.splitlines()
