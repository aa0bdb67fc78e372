"""The scheduler's own database: the leadership agenda."""

from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from warta.runtime.documents import AggregateCollection

from .domain import AgendaEntry

AGENDA = "agenda"


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    await db[AGENDA].create_index([("state", ASCENDING), ("event.starts_at", ASCENDING)])


def agenda(db: AsyncDatabase[Any]) -> AggregateCollection[AgendaEntry]:
    return AggregateCollection(db[AGENDA], AgendaEntry, lambda e: e.request_id)
