"""The outbox relay on a real database: a commit's events are published as the commit hands them
over, without reading the outbox again; what a failed publish leaves pending goes out, in commit
order, before anything committed after it. (Delivery through a real NATS server, outages and
crashes included, is proven by the fault tests; here the bus is a list.)"""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient, monitoring

from warta.contracts import Actor, Approved, ApprovedData, Event, ReviewLevel, Role
from warta.runtime import ServiceMetrics
from warta.runtime.clock import SystemClock
from warta.runtime.outbox import OutboxRelay
from warta.runtime.tx import Tx
from warta.runtime.unit_of_work import OUTBOX, UnitOfWork, ensure_outbox_index

LEAD = Actor(officer_id="rina", role=Role.TEAM_LEAD)


class OutboxReads(monitoring.CommandListener):
    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find" and event.command["find"] == OUTBOX:
            self.count += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def approved(version: int) -> Event:
    data = ApprovedData(request_id="req-relay", version=version, level=ReviewLevel.TEAM_LEAD)
    return Approved.occurred(data=data, request_id=data.request_id, time=datetime.now(UTC), actor=LEAD)


async def until(check: Callable[[], bool], seconds: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "the relay did not get there"
        await asyncio.sleep(0.01)


async def test_commits_are_relayed_as_handed_over_and_what_a_failure_leaves_goes_out_first(servers, namespace):
    reads = OutboxReads()
    client: AsyncMongoClient[Any] = AsyncMongoClient(servers.mongodb_url, tz_aware=True, event_listeners=[reads])
    db = client[namespace.database("relay")]
    await ensure_outbox_index(db)
    published: list[str] = []
    failing: set[str] = set()

    async def publish(event_type: str, payload: str, event_id: str, traceparent: str | None) -> None:
        if event_id in failing:
            failing.remove(event_id)
            raise ConnectionError("NATS is away")
        published.append(event_id)

    relay = OutboxRelay(db[OUTBOX], publish, SystemClock(), ServiceMetrics("test"), sweep_seconds=3600)
    uow = UnitOfWork(client, db, SystemClock(), relay.committed)

    async def commit(*events: Event) -> None:
        async def work(tx: Tx) -> None:
            tx.emit(*events)

        await uow.run(work)

    async def pending() -> int:
        return await db[OUTBOX].count_documents({"sent_at": None})

    async def none_pending() -> None:  # marked sent once published
        for _ in range(500):
            if await pending() == 0:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{await pending()} events still pending")

    first, second, third, fourth, fifth = (approved(n) for n in range(1, 6))
    try:
        await commit(first)  # committed before the relay runs, as by a service's previous life
        relay.start()
        relay.kick()
        await until(lambda: published == [str(first.id)])
        read_at_start = reads.count
        assert read_at_start >= 1  # a relay that starts drains what is pending

        await commit(second, third)
        await until(lambda: len(published) == 3)
        assert published[1:] == [str(second.id), str(third.id)]
        assert reads.count == read_at_start  # handed over, not read back
        await none_pending()

        failing.add(str(fourth.id))
        await commit(fourth)
        await until(lambda: not failing)  # its publish failed: it stays pending
        assert await pending() == 1
        await commit(fifth)
        await until(lambda: len(published) == 5)
        assert published[3:] == [str(fourth.id), str(fifth.id)]
        assert reads.count > read_at_start  # the relay was behind: it drained
        await none_pending()
    finally:
        await relay.stop()
        await client.close()
