"""Every write a service makes counted by collection and by the work that caused it, on a real
MongoDB-wire server: what one request costs the database is read from the services' metrics."""

from typing import Any

from pymongo import AsyncMongoClient, DeleteMany, InsertOne, ReplaceOne, UpdateOne

from warta.runtime.logs import bound
from warta.runtime.metrics import CountedWrites, ServiceMetrics, answering


async def test_writes_are_counted_by_collection_and_by_the_event_call_or_own_work_that_made_them(servers, namespace):
    metrics = ServiceMetrics("test")
    client: AsyncMongoClient[Any] = AsyncMongoClient(
        servers.mongodb_url, tz_aware=True, event_listeners=[CountedWrites(metrics)]
    )
    db = client[namespace.database("writes")]
    try:
        with bound(event_id="e1", event_type="warta.team.assigned.v1"):
            await db.coverage.insert_many([{"_id": 1}, {"_id": 2}, {"_id": 3}])
            await db.inbox.insert_one({"_id": "e1"})
        with answering():  # an HTTP call being answered
            await db.coverage.update_one({"_id": 1}, {"$set": {"draft": "Isi"}})
            await db.coverage.find_one_and_update({"_id": 2}, {"$set": {"draft": "Isi"}})
            await db.coverage.bulk_write(
                [UpdateOne({"_id": 3}, {"$set": {"a": 1}}), UpdateOne({"_id": 1}, {"$set": {"a": 1}})]
            )
        await db.outbox.delete_many({})
        # Several collections in one command: each document counted under its own.
        await client.bulk_write(
            [
                InsertOne({"_id": "r1"}, namespace=f"{db.name}.step_clocks"),
                ReplaceOne({"_id": "r0"}, {"step": 2}, upsert=True, namespace=f"{db.name}.step_clocks"),
                InsertOne({"_id": "o1"}, namespace=f"{db.name}.outbox"),
                DeleteMany({"request_id": "r9"}, namespace=f"{db.name}.bookings"),
            ]
        )
        await db.coverage.find_one({"_id": 1})  # a read is no write
    finally:
        await client.close()

    def writes(collection: str, cause: str) -> float | None:
        return metrics.registry.get_sample_value(
            "warta_database_writes_total", {"collection": collection, "cause": cause}
        )

    assert writes("coverage", "warta.team.assigned.v1") == 3
    assert writes("inbox", "warta.team.assigned.v1") == 1
    assert writes("coverage", "call") == 4
    assert writes("outbox", "own work") == 2
    assert writes("step_clocks", "own work") == 2
    assert writes("bookings", "own work") == 1  # a delete in the combined write: one statement
    total = sum(
        s.value
        for m in metrics.registry.collect()
        if m.name == "warta_database_writes"
        for s in m.samples
        if s.name.endswith("_total")
    )
    assert total == 13
    # The combined write is one command, counted as such beside its documents.
    assert metrics.registry.get_sample_value("warta_database_combined_writes_total") == 1
