"""The intake service's own database: the letter register and its yearly agenda counters."""

from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from warta.contracts import Conflict
from warta.runtime import Tx
from warta.runtime.documents import from_document, to_document

from .domain import FacilitationRequest, RequestState

REQUESTS = "requests"
COUNTERS = "counters"


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    await db[REQUESTS].create_index("letter_key", unique=True)
    await db[REQUESTS].create_index("agenda_number", unique=True)
    await db[REQUESTS].create_index([("state", ASCENDING), ("registered_at", DESCENDING)])


class RequestStore:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self._requests = db[REQUESTS]
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
        return int(counter["sequence"])

    async def insert(self, tx: Tx, request: FacilitationRequest) -> None:
        await self._requests.insert_one(to_document(request, _id=request.id), session=tx.session)

    async def save(self, tx: Tx, request: FacilitationRequest) -> None:
        """Replace the stored request if nobody changed it since it was loaded."""
        result = await self._requests.replace_one(
            {"_id": request.id, "revision": request.revision - 1},
            to_document(request, _id=request.id),
            session=tx.session,
        )
        if result.matched_count != 1:
            raise Conflict(f"request {request.id} was changed by someone else; reload and try again")

    async def get(self, request_id: str, tx: Tx | None = None) -> FacilitationRequest | None:
        doc = await self._requests.find_one({"_id": request_id}, session=tx.session if tx else None)
        return from_document(FacilitationRequest, doc) if doc else None

    async def find_by_letter_key(self, key: str) -> FacilitationRequest | None:
        doc = await self._requests.find_one({"letter_key": key})
        return from_document(FacilitationRequest, doc) if doc else None

    async def list(self, *, state: RequestState | None, limit: int, offset: int) -> list[FacilitationRequest]:
        query: dict[str, Any] = {} if state is None else {"state": state.value}
        cursor = self._requests.find(query).sort("registered_at", DESCENDING).skip(offset).limit(limit)
        return [from_document(FacilitationRequest, doc) async for doc in cursor]
