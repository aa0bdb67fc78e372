"""The outbox relay on a real database: a commit's events are published as the commit hands them
over, without reading the outbox again; what a failed publish leaves pending goes out, in commit
order, before anything committed after it; the sweep drains on its own time however often commits
wake the relay; a commit whose hand-over may be lost makes the relay drain. (Delivery through a
real NATS server, outages and crashes included, is proven by the fault tests; here the bus is a
list.)"""

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from warta.contracts import Actor, Approved, ApprovedData, Event, ReviewLevel, Role
from warta.runtime import ServiceMetrics, outbox
from warta.runtime.clock import SystemClock
from warta.runtime.outbox import OutboxRelay
from warta.runtime.tx import Tx
from warta.runtime.unit_of_work import OUTBOX, UnitOfWork, ensure_outbox_index

LEAD = Actor(officer_id="rina", role=Role.TEAM_LEAD)


def approved(version: int) -> Event:
    data = ApprovedData(request_id="req-relay", version=version, level=ReviewLevel.TEAM_LEAD)
    return Approved.occurred(data=data, request_id=data.request_id, time=datetime.now(UTC), actor=LEAD)


async def until(check: Callable[[], bool], seconds: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "the relay did not get there"
        await asyncio.sleep(0.01)


@dataclass
class Relayed:
    """A relay over a real outbox, publishing to a list, and a unit of work that hands it commits."""

    db: AsyncDatabase[Any]
    finds: Any  # the ``watched`` client's reads
    sweep_seconds: float
    published: list[str] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)  # event ids whose next publish fails

    def __post_init__(self) -> None:
        self.relay = OutboxRelay(
            self.db[OUTBOX], self.publish, SystemClock(), ServiceMetrics("test"), sweep_seconds=self.sweep_seconds
        )
        self.uow = UnitOfWork(self.db.client, self.db, SystemClock(), self.relay.committed, on_doubt=self.relay.doubt)

    @property
    def reads(self) -> int:
        """How many times the outbox was read."""
        return self.finds.collections.count(OUTBOX)

    async def publish(self, event_type: str, payload: str, event_id: str, traceparent: str | None) -> None:
        if event_id in self.failing:
            self.failing.remove(event_id)
            raise ConnectionError("NATS is away")
        self.published.append(event_id)

    async def commit(self, *events: Event) -> None:
        async def work(tx: Tx) -> None:
            tx.emit(*events)

        await self.uow.run(work)

    async def pending(self) -> int:
        return await self.db[OUTBOX].count_documents({"sent_at": None})

    async def none_pending(self) -> None:  # marked sent once published
        for _ in range(500):
            if await self.pending() == 0:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{await self.pending()} events still pending")

    async def left_pending(self, event: Event) -> None:
        """An entry in the outbox that no commit of this relay handed over: another instance's, or
        one whose hand-over was lost."""
        await self.db[OUTBOX].insert_one(
            {
                "_id": str(event.id),
                "type": event.type,
                "payload": event.model_dump_json(),
                "created_at": datetime.now(UTC),
                "position": 0,
                "sent_at": None,
            }
        )

    async def started(self) -> None:
        self.relay.start()
        self.relay.kick()
        await until(lambda: self.reads >= 1)  # a relay that starts drains what is pending


@pytest.fixture
async def relayed(watched, namespace) -> AsyncIterator[Callable[[float], Relayed]]:
    client, finds = watched
    db = client[namespace.database("relay")]
    await ensure_outbox_index(db)
    made: list[Relayed] = []

    def make(sweep_seconds: float) -> Relayed:
        made.append(Relayed(db, finds, sweep_seconds))
        return made[-1]

    try:
        yield make
    finally:
        for each in made:
            await each.relay.stop()


async def test_commits_are_relayed_as_handed_over_and_what_a_failure_leaves_goes_out_first(relayed):
    bus = relayed(3600)
    first, second, third, fourth, fifth = (approved(n) for n in range(1, 6))
    await bus.commit(first)  # committed before the relay runs, as by a service's previous life
    await bus.started()
    await until(lambda: bus.published == [str(first.id)])
    read_at_start = bus.reads

    await bus.commit(second, third)
    await until(lambda: len(bus.published) == 3)
    assert bus.published[1:] == [str(second.id), str(third.id)]
    assert bus.reads == read_at_start  # handed over, not read back
    await bus.none_pending()

    bus.failing.add(str(fourth.id))
    await bus.commit(fourth)
    await until(lambda: not bus.failing)  # its publish failed: it stays pending
    assert await bus.pending() == 1
    await bus.commit(fifth)
    await until(lambda: len(bus.published) == 5)
    assert bus.published[3:] == [str(fourth.id), str(fifth.id)]
    assert bus.reads > read_at_start  # the relay was behind: it drained
    await bus.none_pending()


async def test_the_sweep_keeps_its_time_while_commits_keep_waking_the_relay(relayed):
    bus = relayed(0.3)
    await bus.started()
    leftover = approved(1)
    await bus.left_pending(leftover)
    loop = asyncio.get_running_loop()
    deadline, version = loop.time() + 5, 2
    # A commit every 20 ms, far more often than the sweep's period, for up to 5 s.
    while str(leftover.id) not in bus.published and loop.time() < deadline:
        await bus.commit(approved(version))
        await asyncio.sleep(0.02)
        version += 1
    assert str(leftover.id) in bus.published
    await bus.none_pending()


async def test_a_commit_whose_hand_over_may_be_lost_makes_the_relay_drain(relayed):
    bus = relayed(3600)
    await bus.started()
    await bus.commit(approved(1))
    await until(lambda: len(bus.published) == 1)
    lost = approved(2)
    await bus.left_pending(lost)
    bus.relay.doubt()
    await until(lambda: bus.published[-1:] == [str(lost.id)])
    await bus.none_pending()


async def test_commits_past_what_the_relay_keeps_waiting_are_drained_from_the_outbox(relayed, monkeypatch):
    monkeypatch.setattr(outbox, "HANDED_MOST", 2)
    bus = relayed(3600)
    await bus.started()
    read_at_start = bus.reads
    events = [approved(n) for n in range(1, 4)]
    await bus.commit(*events)  # three entries: more than the relay keeps waiting
    await until(lambda: len(bus.published) == 3)
    assert bus.published == [str(e.id) for e in events]
    assert bus.reads > read_at_start  # not handed over: drained
    await bus.none_pending()
