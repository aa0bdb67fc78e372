"""The intake service's own database: the letter register and its yearly agenda counters."""

from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from warta.runtime import Tx
from warta.runtime.documents import AggregateCollection

from .domain import FacilitationRequest, RequestState

REQUESTS = "requests"
COUNTERS = "counters"


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    await db[REQUESTS].create_index("letter_key", unique=True)
    await db[REQUESTS].create_index("agenda_number", unique=True)
    await db[REQUESTS].create_index([("state", ASCENDING), ("registered_at", DESCENDING)])


class RequestStore:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.requests = AggregateCollection(db[REQUESTS], FacilitationRequest, lambda r: r.id)
        self._counters = db[COUNTERS]

    async def next_agenda_sequence(self, tx: Tx, year: int) -> int:
        """The next number of the year's register; inside the transaction, so an aborted
        registration leaves no gap."""
        counter = await self._counters.find_one_and_update(
            {"_id": f"agenda:{year}"},
            {"$inc": {"sequence": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=tx.session,
        )
        assert counter is not None  # upsert with ReturnDocument.AFTER always returns one
        return int(counter["sequence"])

    async def find_by_letter_key(self, key: str) -> FacilitationRequest | None:
        found = await self.requests.find({"letter_key": key}, sort=[("_id", ASCENDING)], limit=1)
        return found[0] if found else None

    async def list(self, *, state: RequestState | None, limit: int, offset: int) -> list[FacilitationRequest]:
        query = {} if state is None else {"state": state.value}
        return await self.requests.find(query, sort=[("registered_at", DESCENDING)], limit=limit, skip=offset)
