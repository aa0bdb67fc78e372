"""The unit of work on a real database: what one decision sends it, a repeat delivery, two
decisions at once whose clock writes collide, and decisions whose combined write is refused."""

import asyncio
from typing import Any

import pytest
from pymongo import AsyncMongoClient, UpdateOne
from pymongo.errors import ClientBulkWriteException, DuplicateKeyError, OperationFailure

from warta.contracts import Conflict
from warta.runtime.aggregate import Aggregate
from warta.runtime.bulk import write_together
from warta.runtime.clock import SystemClock
from warta.runtime.documents import AggregateCollection, delete_later, insert_later, put_later
from warta.runtime.tx import Tx
from warta.runtime.unit_of_work import OUTBOX, AlreadyApplied, UnitOfWork

from .test_step_clocks import assigned, clocks_in, disposed, received, wib

TYPE_MISMATCH = 14


class Sheet(Aggregate):
    request_id: str
    state: str = "registered"

    def issue(self) -> None:
        self.state = "issued"
        self.changed()


async def test_a_decision_writes_its_clocks_and_its_events_in_one_command_after_its_own(watched, namespace):
    client, sent = watched
    db = client[namespace.database("uow-one")]
    clocks = await clocks_in(db)
    uow = UnitOfWork(client, db, SystemClock(), lambda entries: None, clocks)
    sheets = AggregateCollection(db.sheets, Sheet, lambda sheet: sheet.request_id)
    await db.sheets.insert_one({"_id": "req-clock", "request_id": "req-clock", "revision": 1})
    issued = disposed(wib("2026-12-02", "15:50"))

    async def issue(tx: Tx) -> None:
        sheet = await sheets.get("req-clock", tx)
        assert sheet is not None
        sheet.issue()
        await sheets.save(tx, sheet)
        await tx.db.notes.insert_one({"_id": "made at once"}, session=tx.session)
        tx.emit(issued)

    consumed = received(wib("2026-12-02", "14:00"), wib("2026-12-02", "15:30"))
    before = len(sent.commands)
    await uow.run(issue, consumes=consumed)

    # The aggregate read, a write the body makes itself; the request's runs read once; then the
    # inbox mark, the aggregate, the runs of steps 1, 2 and 3, step 1's deviation and the outbox
    # entry together; the commit.
    assert sent.commands[before:] == ["find", "insert", "find", "bulkWrite", "commitTransaction"]
    assert await db.sheets.find_one({"_id": "req-clock"}, {"_id": 0}) == {
        "request_id": "req-clock",
        "revision": 2,
        "state": "issued",
    }
    assert await db.notes.count_documents({}) == 1
    runs = {doc["_id"]: doc.get("seconds") async for doc in db.step_clocks.find()}
    assert runs == {"req-clock:1:1": 5400.0, "req-clock:2:1": 1200.0, "req-clock:3:1": None}
    assert [doc["_id"] async for doc in db.deviations.find()] == ["req-clock:1:1"]
    assert [doc["_id"] async for doc in db[OUTBOX].find()] == [str(issued.id)]
    assert [doc["_id"] async for doc in db.inbox.find()] == [str(consumed.id)]


async def test_plain_documents_written_later_go_in_the_one_command_in_the_order_they_were_queued(watched, namespace):
    """A request's bookings replaced (the old deleted, the new inserted under the same keys), a
    record kept over its earlier copy and a new one inserted: all in the unit of work's own
    command, in order; a key taken fails the transaction and leaves everything as it was."""
    client, sent = watched
    db = client[namespace.database("uow-later")]
    uow = UnitOfWork(client, db, SystemClock(), lambda entries: None)
    await db.bookings.insert_many(
        [{"_id": "r1|officer:ani", "request_id": "r1"}, {"_id": "r1|item:cam", "request_id": "r1"}]
    )
    await db.bookings.insert_one({"_id": "r2|officer:ani", "request_id": "r2"})
    await db.versions.insert_one({"_id": "r1:1", "note": "first copy"})

    async def replan(tx: Tx) -> None:
        delete_later(tx, db.bookings, "request_id", "r1")
        insert_later(tx, db.bookings, {"_id": "r1|officer:ani", "request_id": "r1", "again": True})
        put_later(tx, db.versions, {"_id": "r1:1", "note": "kept again"})
        put_later(tx, db.versions, {"_id": "r1:2", "note": "new"})

    before = len(sent.commands)
    await uow.run(replan)
    assert sent.commands[before:] == ["bulkWrite", "commitTransaction"]
    assert [doc async for doc in db.bookings.find().sort("_id")] == [
        {"_id": "r1|officer:ani", "request_id": "r1", "again": True},
        {"_id": "r2|officer:ani", "request_id": "r2"},
    ]
    assert [doc async for doc in db.versions.find().sort("_id")] == [
        {"_id": "r1:1", "note": "kept again"},
        {"_id": "r1:2", "note": "new"},
    ]

    async def taken(tx: Tx) -> None:
        delete_later(tx, db.bookings, "request_id", "r1")
        insert_later(tx, db.bookings, {"_id": "r2|officer:ani", "request_id": "r1"})  # r2's key

    with pytest.raises(DuplicateKeyError):
        await uow.run(taken)
    assert await db.bookings.count_documents({"request_id": "r1"}) == 1


@pytest.mark.parametrize("repeat", ["decided again", "refused by the state"])
async def test_a_repeat_delivery_is_told_apart_and_writes_nothing(repeat, watched, namespace):
    # The inbox mark goes in the combined write (ADR 0037), so a repeat runs the body again: the
    # key taken at the end aborts what it did, whether it decided the same way again or refused
    # because the first delivery had already moved the state on.
    client, sent = watched
    db = client[namespace.database(f"uow-repeat-{repeat.replace(' ', '-')}")]
    uow = UnitOfWork(client, db, SystemClock(), lambda entries: None)
    sheets = AggregateCollection(db.sheets, Sheet, lambda sheet: sheet.request_id)
    await db.sheets.insert_one({"_id": "req-again", "request_id": "req-again", "revision": 1})
    consumed = received(wib("2026-12-02", "14:00"), wib("2026-12-02", "15:30"))
    issued = disposed(wib("2026-12-02", "15:50"))
    deliveries = 0

    async def issue(tx: Tx) -> None:
        nonlocal deliveries
        deliveries += 1
        sheet = await sheets.get("req-again", tx)
        assert sheet is not None
        if sheet.state == "issued" and repeat == "refused by the state":
            raise Conflict("the sheet is issued already")
        sheet.issue()
        await sheets.save(tx, sheet)
        await tx.db.notes.insert_one({"delivery": deliveries}, session=tx.session)
        tx.emit(issued)

    await uow.run(issue, consumes=consumed)
    if repeat == "decided again":
        await db.sheets.update_one({"_id": "req-again"}, {"$set": {"state": "registered"}})
    before = len(sent.commands)
    with pytest.raises(AlreadyApplied):
        await uow.run(issue, consumes=consumed)

    assert deliveries == 2
    # After the attempt, one read of the inbox tells the repeat from a failure of its own.
    assert sent.commands[-1] == "find"
    assert sent.collections[-1] == "inbox"
    assert ("bulkWrite" in sent.commands[before:]) is (repeat == "decided again")
    assert "commitTransaction" not in sent.commands[before:]
    assert [doc["delivery"] async for doc in db.notes.find()] == [1]
    assert await db.sheets.find_one({"_id": "req-again"}, {"revision": 1}) == {"_id": "req-again", "revision": 2}
    assert [doc["_id"] async for doc in db[OUTBOX].find()] == [str(issued.id)]
    assert await db.inbox.count_documents({}) == 1


async def test_two_deliveries_of_one_event_at_once_apply_it_once(watched, namespace):
    # JetStream handed the event to two workers (its ack wait ran out under the first): both run
    # their bodies before either writes; the second's inbox mark collides with the first's.
    client, _ = watched
    db = client[namespace.database("uow-twice-at-once")]
    for name in ("inbox", "notes"):
        await db.create_collection(name)  # as a running service has them (see the clock race above)
    uow = UnitOfWork(client, db, SystemClock(), lambda entries: None)
    consumed = received(wib("2026-12-02", "14:00"), wib("2026-12-02", "15:30"))
    both_inside = asyncio.Barrier(2)
    bodies = 0

    async def note(tx: Tx) -> None:
        nonlocal bodies
        bodies += 1
        if bodies <= 2:
            await both_inside.wait()
        await tx.db.notes.insert_one({"body": bodies}, session=tx.session)

    outcomes = await asyncio.wait_for(
        asyncio.gather(uow.run(note, consumes=consumed), uow.run(note, consumes=consumed), return_exceptions=True),
        30,
    )

    assert bodies >= 2
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["AlreadyApplied", "NoneType"]
    assert await db.inbox.count_documents({}) == 1
    assert await db.notes.count_documents({}) == 1


async def test_a_cancelled_attempt_is_not_taken_for_a_repeat(watched, namespace):
    # A service stopping cancels its work: that ends the delivery as it is, unacknowledged, without
    # asking the inbox, even for an event applied before.
    client, sent = watched
    db = client[namespace.database("uow-cancelled")]
    uow = UnitOfWork(client, db, SystemClock(), lambda entries: None)
    consumed = received(wib("2026-12-02", "14:00"), wib("2026-12-02", "15:30"))

    async def nothing(tx: Tx) -> None:
        pass

    async def cancelled(tx: Tx) -> None:
        raise asyncio.CancelledError

    await uow.run(nothing, consumes=consumed)
    before = len(sent.collections)
    with pytest.raises(asyncio.CancelledError):
        await uow.run(cancelled, consumes=consumed)
    assert "inbox" not in sent.collections[before:]


async def test_a_first_delivery_whose_body_refuses_is_not_taken_for_a_repeat(watched, namespace):
    client, _ = watched
    db = client[namespace.database("uow-refused-first")]
    uow = UnitOfWork(client, db, SystemClock(), lambda entries: None)

    async def refuse(tx: Tx) -> None:
        await tx.db.notes.insert_one({"_id": "made at once"}, session=tx.session)
        raise Conflict("not yet")

    with pytest.raises(Conflict, match="not yet"):
        await uow.run(refuse, consumes=received(wib("2026-12-02", "14:00"), wib("2026-12-02", "15:30")))
    assert await db.notes.count_documents({}) == 0
    assert await db.inbox.count_documents({}) == 0


async def test_two_decisions_that_open_the_same_clock_at_once_both_commit_and_open_it_once(
    watched, namespace, monkeypatch
):
    # Two teams assigned to one request at the same moment (a reassignment racing the first): both
    # read no run of step 4 and both write its first. The second write conflicts; the transaction
    # has to run again (the conflict's label must survive the combined write), and then finds the
    # run the first opened, which a reassigned team keeps.
    client, _ = watched
    db = client[namespace.database("uow-race")]
    clocks = await clocks_in(db)
    for name in ("inbox", "assignments"):
        # As a running service has them: creating a collection inside a transaction conflicts with
        # any other transaction's write to it, before the writes this test is about.
        await db.create_collection(name)
    uow = UnitOfWork(client, db, SystemClock(), lambda entries: None, clocks)
    # Neither first attempt writes its clock run until both have read the clocks: on a busy machine
    # one transaction could otherwise commit before the other's read, which then sees its run.
    both_read = asyncio.Barrier(2)
    reads = 0
    read_clocks = clocks.changes

    async def changes_once_both_have_read(session: Any, events: Any) -> Any:
        nonlocal reads
        found = await read_clocks(session, events)
        reads += 1
        if reads <= 2:
            await both_read.wait()
        return found

    monkeypatch.setattr(clocks, "changes", changes_once_both_have_read)
    attempts: list[str] = []

    def assign(name: str) -> Any:
        async def body(tx: Tx) -> None:
            attempts.append(name)
            await tx.db.assignments.insert_one({"team": name, "attempt": attempts.count(name)}, session=tx.session)

        return body

    first, second = assigned(wib("2026-12-04", "07:45")), assigned(wib("2026-12-04", "07:46"))
    await asyncio.wait_for(
        asyncio.gather(uow.run(assign("first"), consumes=first), uow.run(assign("second"), consumes=second)), 30
    )

    assert len(attempts) > 2  # one of them ran again after the conflict
    assert [doc["_id"] async for doc in db.step_clocks.find()] == ["req-clock:4:1"]
    assert await db.inbox.count_documents({}) == 2
    assert await db.assignments.count_documents({}) == 2  # each body's write committed once


async def test_an_attempt_run_again_that_begins_with_the_combined_write_commits(watched, namespace):
    # A first attempt collides with another transaction (here the test's own, holding a document
    # the attempt writes) and runs again; the second attempt's body only adds an aggregate, so
    # the combined write is the first command of its transaction.
    client, _ = watched
    db = client[namespace.database("uow-again")]
    for name in ("sheets", "contended"):
        await db.create_collection(name)
    await db.contended.insert_one({"_id": "x", "n": 0})
    uow = UnitOfWork(client, db, SystemClock(), lambda entries: None)
    sheets = AggregateCollection(db.sheets, Sheet, lambda sheet: sheet.request_id)
    attempts = 0

    async def add(tx: Tx) -> None:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            await tx.db.contended.update_one({"_id": "x"}, {"$inc": {"n": 1}}, session=tx.session)
        await sheets.insert(tx, Sheet(request_id="req-again"))

    async with client.start_session() as holder:
        await holder.start_transaction()
        await db.contended.update_one({"_id": "x"}, {"$inc": {"n": 10}}, session=holder)
        await asyncio.wait_for(uow.run(add), 30)
        await holder.abort_transaction()

    assert attempts == 2
    assert await db.sheets.count_documents({"_id": "req-again"}) == 1
    assert await db.contended.find_one({"_id": "x"}) == {"_id": "x", "n": 0}


async def test_a_body_that_reads_back_an_aggregate_it_wrote_is_stopped_and_writes_nothing(watched, namespace):
    # Its write waits for the end: the read would find the document as it was, and a second save
    # from it would be refused as someone else's change.
    client, _ = watched
    db = client[namespace.database("uow-read-back")]
    uow = UnitOfWork(client, db, SystemClock(), lambda entries: None)
    sheets = AggregateCollection(db.sheets, Sheet, lambda sheet: sheet.request_id)
    await db.sheets.insert_one({"_id": "req-back", "request_id": "req-back", "revision": 1})

    async def twice(tx: Tx) -> None:
        sheet = await sheets.get("req-back", tx)
        assert sheet is not None
        sheet.issue()
        await sheets.save(tx, sheet)
        await sheets.get_many(["req-back"], tx)

    with pytest.raises(RuntimeError, match="read back"):
        await uow.run(twice)
    assert await db.sheets.find_one({"_id": "req-back"}, {"_id": 0}) == {"request_id": "req-back", "revision": 1}


@pytest.mark.parametrize("refusal", ["changed meanwhile", "key taken"])
async def test_a_decision_whose_combined_write_is_refused_says_why_and_writes_nothing(refusal, servers, namespace):
    client: AsyncMongoClient[Any] = AsyncMongoClient(servers.mongodb_url, tz_aware=True)
    db = client[namespace.database(f"uow-refused-{refusal.replace(' ', '-')}")]
    clocks = await clocks_in(db)
    uow = UnitOfWork(client, db, SystemClock(), lambda entries: None, clocks)
    sheets = AggregateCollection(db.sheets, Sheet, lambda sheet: sheet.request_id)
    await db.sheets.insert_one({"_id": "req-clock", "request_id": "req-clock", "revision": 1})
    found = await sheets.get("req-clock")
    assert found is not None
    loaded: Sheet = found
    await db.sheets.update_one({"_id": "req-clock"}, {"$set": {"revision": 2}})  # another officer's change

    async def decide(tx: Tx) -> None:
        if refusal == "changed meanwhile":
            loaded.issue()
            await sheets.save(tx, loaded)
        else:
            await sheets.insert(tx, Sheet(request_id="req-clock"))
        tx.emit(disposed(wib("2026-12-02", "15:50")))

    expected: type[Exception] = Conflict if refusal == "changed meanwhile" else DuplicateKeyError
    try:
        with pytest.raises(expected):
            await uow.run(decide, consumes=received(wib("2026-12-02", "14:00"), wib("2026-12-02", "15:30")))
        assert await db.sheets.find_one({"_id": "req-clock"}, {"_id": 0}) == {"request_id": "req-clock", "revision": 2}
        for written in ("inbox", OUTBOX, "step_clocks", "deviations"):
            assert await db[written].count_documents({}) == 0, written
    finally:
        await client.close()


async def test_a_write_the_database_refuses_in_a_combined_write_comes_out_with_its_own_code(watched, namespace):
    client, _ = watched
    db = client[namespace.database("uow-refused-write")]
    await db.counters.insert_one({"_id": "x", "n": "not a number"})
    with pytest.raises(OperationFailure) as refused:
        await write_together(
            client, [UpdateOne({"_id": "x"}, {"$inc": {"n": 1}}, namespace=db.counters.full_name)], None
        )
    assert refused.value.code == TYPE_MISMATCH
    assert not isinstance(refused.value, ClientBulkWriteException)
