"""The scheduler's own database: the leadership agenda."""

from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from warta.contracts import Conflict
from warta.runtime import Tx
from warta.runtime.documents import from_document, to_document

from .domain import AgendaEntry, AgendaState

AGENDA = "agenda"


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    await db[AGENDA].create_index([("state", ASCENDING), ("event.starts_at", ASCENDING)])


class AgendaStore:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self._agenda = db[AGENDA]

    async def insert(self, tx: Tx, entry: AgendaEntry) -> None:
        await self._agenda.insert_one(to_document(entry, _id=entry.request_id), session=tx.session)

    async def save(self, tx: Tx, entry: AgendaEntry) -> None:
        result = await self._agenda.replace_one(
            {"_id": entry.request_id, "revision": entry.revision - 1},
            to_document(entry, _id=entry.request_id),
            session=tx.session,
        )
        if result.matched_count != 1:
            raise Conflict(f"agenda entry {entry.request_id} was changed by someone else; reload and try again")

    async def get(self, request_id: str, tx: Tx | None = None) -> AgendaEntry | None:
        doc = await self._agenda.find_one({"_id": request_id}, session=tx.session if tx else None)
        return from_document(AgendaEntry, doc) if doc else None

    async def list(self, *, state: AgendaState | None, limit: int, offset: int) -> list[AgendaEntry]:
        query: dict[str, Any] = {} if state is None else {"state": state.value}
        cursor = self._agenda.find(query).sort("event.starts_at", ASCENDING).skip(offset).limit(limit)
        return [from_document(AgendaEntry, doc) async for doc in cursor]
