"""The gauges read when Prometheus scrapes that the platform alerts stand on: the outbox's backlog
and its oldest event's age (on a real database, with a relay that never runs, as a stuck one would
not), and the replica set's members as the database driver sees them."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import generate_latest
from pymongo.hello import Hello
from pymongo.server_description import ServerDescription

from warta.runtime import ServiceMetrics
from warta.runtime.outbox import OutboxRelay
from warta.runtime.unit_of_work import OUTBOX, ensure_outbox_index

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


class StoppedClock:
    def now(self) -> datetime:
        return NOW


def sample(metrics: ServiceMetrics, name: str) -> str:
    """The value of one series of the scrape, as Prometheus reads it."""
    for line in generate_latest(metrics.registry).decode().splitlines():
        if line.startswith(f"{name} "):
            return line.split(" ")[1]
    raise AssertionError(f"{name} is not exposed")


async def never(event_type: str, payload: str, event_id: str, traceparent: str | None) -> None:
    raise AssertionError("the relay is not started in this test")


@pytest.fixture
async def outbox(mongo, namespace) -> Any:
    db = mongo[namespace.database("outbox")]
    await ensure_outbox_index(db)
    return db[OUTBOX]


async def test_the_backlog_and_the_age_of_its_oldest_event_are_read_at_scrape(outbox):
    metrics = ServiceMetrics("test")
    relay = OutboxRelay(outbox, never, StoppedClock(), metrics, sweep_seconds=60)
    await relay.refresh_gauges()
    assert (sample(metrics, "warta_outbox_pending"), sample(metrics, "warta_outbox_oldest_pending_seconds")) == (
        "0.0",
        "0.0",
    )

    # Two events committed 7 and 2 minutes ago that nothing relayed, and one relayed long ago.
    def event(number: int, minutes_ago: int, sent: bool) -> dict[str, Any]:
        created = NOW - timedelta(minutes=minutes_ago)
        return {
            "_id": f"e{number}",
            "type": "warta.review.approved.v1",
            "payload": "{}",
            "created_at": created,
            "position": 0,
            "sent_at": created if sent else None,
        }

    await outbox.insert_many([event(1, 2, False), event(2, 7, False), event(3, 60, True)])
    await relay.refresh_gauges()
    assert sample(metrics, "warta_outbox_pending") == "2.0"
    assert sample(metrics, "warta_outbox_oldest_pending_seconds") == str(7 * 60.0)

    await outbox.update_many({}, {"$set": {"sent_at": NOW}})
    await relay.refresh_gauges()
    assert sample(metrics, "warta_outbox_oldest_pending_seconds") == "0.0"


def member(port: int, hello: dict[str, Any] | None) -> ServerDescription:
    reply = None if hello is None else Hello({"ok": 1, "setName": "warta-mongodb", "maxWireVersion": 25, **hello})
    return ServerDescription(("warta-mongodb-0.warta-mongodb-svc", port), reply)


def test_the_replica_set_is_counted_by_what_the_driver_sees_of_each_member():
    metrics = ServiceMetrics("test")
    metrics.database_seen(
        [
            member(27017, {"isWritablePrimary": True}),
            member(27018, {"secondary": True}),
            member(27019, None),  # no answer to its last heartbeat
        ]
    )
    seen = {state: sample(metrics, f'warta_mongodb_members{{state="{state}"}}') for state in ("primary", "secondary")}
    assert seen == {"primary": "1.0", "secondary": "1.0"}
    assert sample(metrics, 'warta_mongodb_members{state="unreachable"}') == "1.0"

    # An election that has not ended: two secondaries, one unreachable, and a zero for "primary"
    # (not a missing series) so that the alert sees it.
    metrics.database_seen([member(27018, {"secondary": True}), member(27019, {"secondary": True}), member(27017, None)])
    assert sample(metrics, 'warta_mongodb_members{state="primary"}') == "0.0"
    assert sample(metrics, 'warta_mongodb_members{state="secondary"}') == "2.0"


async def test_the_test_database_is_seen_with_a_primary_and_nothing_unreachable(mongo):
    await mongo.admin.command("ping")
    metrics = ServiceMetrics("test")
    metrics.database_seen(mongo.topology_description.server_descriptions().values())
    assert sample(metrics, 'warta_mongodb_members{state="primary"}') == "1.0"
    assert sample(metrics, 'warta_mongodb_members{state="unreachable"}') == "0.0"
