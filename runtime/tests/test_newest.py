"""The newest documents by windows of time, on the real database: the same answer as one sorted,
limited query, whatever the density of the history (a busy week, a quiet year, nothing for a
long stretch), a page at a time with ``before``, for one officer among others, and a document
stamped a little ahead of the clock."""

import random
from datetime import UTC, datetime, timedelta

from pymongo import ASCENDING, DESCENDING

from warta.runtime.newest import newest, span_below

NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def history() -> list[dict]:
    """Dense days lately, a sparse year before, a gap of two years, a few very old; two officers."""
    chance = random.Random(58)
    stamps = [NOW - timedelta(minutes=chance.randint(0, 3 * 24 * 60)) for _ in range(150)]
    stamps += [NOW - timedelta(days=chance.randint(30, 365), minutes=chance.randint(0, 600)) for _ in range(60)]
    stamps += [NOW - timedelta(days=chance.randint(1100, 1400)) for _ in range(5)]
    stamps.append(NOW + timedelta(seconds=30))  # an officer's clock a little ahead
    stamps.append(stamps[0])  # a tie, ordered by id
    return [
        {"_id": f"d{n:04d}", "officer_id": "siti" if n % 3 else "dewi", "finished_at": at.replace(microsecond=0)}
        for n, at in enumerate(stamps)
    ]


async def test_the_newest_are_those_one_sorted_query_gives_page_after_page(mongo, namespace):
    collection = mongo[namespace.database("newest")]["deviations"]
    await collection.create_index([("officer_id", ASCENDING), ("finished_at", DESCENDING)])
    await collection.create_index([("finished_at", DESCENDING)])
    await collection.insert_many(history())

    async def sorted_query(equal: dict, before: datetime | None, limit: int) -> list[str]:
        bound = {"finished_at": {"$lt": before}} if before else {}
        cursor = collection.find({**equal, **bound}).sort([("finished_at", DESCENDING), ("_id", DESCENDING)])
        return [doc["_id"] async for doc in cursor.limit(limit)]

    for equal in ({}, {"officer_id": "siti"}, {"officer_id": "dewi"}):
        for limit in (1, 7, 50, 500):
            before = None
            while True:
                found = await newest(collection, equal, "finished_at", limit=limit, now=NOW, before=before)
                assert [doc["_id"] for doc in found] == await sorted_query(equal, before, limit), (equal, limit, before)
                if len(found) < limit:
                    break
                before = found[-1]["finished_at"]
    everyone = await newest(collection, {}, "finished_at", limit=1000, now=NOW)
    assert len(everyone) == len(history())
    assert everyone[0]["finished_at"] > NOW  # ahead of the clock, still the newest
    assert await newest(collection, {"officer_id": "nobody"}, "finished_at", limit=10, now=NOW) == []


async def test_below_a_quiet_stretch_the_window_reaches_about_its_target_into_the_dense_one():
    """Nothing for 100 days below ``hi``, then 100 entries a day: a blind window of 256 days would
    hold 15,600; the probed one reaches through the quiet stretch and about 250 entries on."""
    hi = NOW
    stamps = [hi - timedelta(days=100) - timedelta(minutes=14.4 * n) for n in range(100 * 400)]

    async def probe(lo: datetime, up: datetime) -> int:
        return sum(lo <= at < up for at in stamps)

    span = await span_below(hi, timedelta(days=256), 250, probe)
    held = await probe(hi - span, hi)
    assert 100 <= held <= 750, (span, held)
    # Sparse below (a few entries no thin slice meets): the whole span, cheap to read.
    stamps[:] = [hi - timedelta(days=d, hours=7) for d in (20, 90, 200)]
    assert await span_below(hi, timedelta(days=256), 250, probe) == timedelta(days=256)


class Counting:
    """The collection, counting the documents its queries hand over: what the database read."""

    def __init__(self, collection) -> None:
        self.collection, self.read = collection, 0

    def find(self, *args, **kwargs):
        outer, cursor = self, self.collection.find(*args, **kwargs)

        class Cursor:
            def __aiter__(self):
                return self._each()

            async def _each(self):
                async for doc in cursor:
                    outer.read += 1
                    yield doc

            async def to_list(self):
                return [doc async for doc in self._each()]

        return Cursor()


async def test_a_page_below_a_quiet_stretch_reads_about_the_page_not_the_stretch_below_it(mongo, namespace):
    """A hundred days with nothing, then 60 a day for a hundred days: the newest 50 read a few
    hundred documents at most (probes included), never the thousands of the dense stretch."""
    collection = mongo[namespace.database("newest")]["messages"]
    await collection.create_index([("officer_id", ASCENDING), ("created_at", DESCENDING)])
    dense = [
        {"_id": f"m{n:05d}", "officer_id": "dewi", "created_at": NOW - timedelta(days=100, minutes=24 * n)}
        for n in range(6000)
    ]
    await collection.insert_many(dense)
    counting = Counting(collection)
    found = await newest(counting, {"officer_id": "dewi"}, "created_at", limit=50, now=NOW)  # type: ignore[arg-type]
    assert [doc["_id"] for doc in found] == [f"m{n:05d}" for n in range(50)]
    print(f"read {counting.read} documents for a page of 50 below a quiet stretch of 100 days")
    assert counting.read <= 400
