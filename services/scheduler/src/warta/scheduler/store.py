"""The scheduler's own database: the leadership agenda, the roster, the inventory, and the
bookings that say who and what is held for which event."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from warta.runtime import Tx
from warta.runtime.documents import AggregateCollection, delete_later, from_document, insert_later, to_document

from .domain import AgendaEntry
from .planning import LOAD_HORIZON, Booking
from .roster import Item, Officer

AGENDA = "agenda"
OFFICERS = "officers"
ITEMS = "items"
BOOKINGS = "bookings"
LOCKS = "resource_locks"


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    await db[AGENDA].create_index([("state", ASCENDING), ("event.starts_at", ASCENDING)])
    await db[AGENDA].create_index([("event.starts_at", ASCENDING)])
    await db[AGENDA].create_index([("assignment.members.officer_id", ASCENDING)])
    await db[BOOKINGS].create_index([("resource", ASCENDING), ("starts_at", ASCENDING)])
    await db[BOOKINGS].create_index([("request_id", ASCENDING)])
    await db[BOOKINGS].create_index([("starts_at", ASCENDING)])
    await db[BOOKINGS].create_index([("ends_at", ASCENDING)])


class SchedulerStore:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.agenda = AggregateCollection(db[AGENDA], AgendaEntry, lambda e: e.request_id)
        self.officers = AggregateCollection(db[OFFICERS], Officer, lambda o: o.officer_id)
        self.items = AggregateCollection(db[ITEMS], Item, lambda i: i.item_id)
        self._bookings = db[BOOKINGS]
        self._locks = db[LOCKS]

    async def hold(self, tx: Tx, locks: Iterable[str]) -> None:
        """Write to each lock document first thing in the transaction (``Window.locks``): two
        assignments whose windows clash over an officer or item then conflict at the database, and
        the one retried sees the other's bookings. Without it both could read "free" and both commit."""
        # One command with a statement a lock: the same writes, one round trip.
        updates = [UpdateOne({"_id": lock}, {"$inc": {"version": 1}}, upsert=True) for lock in sorted(set(locks))]
        if updates:
            await self._locks.bulk_write(updates, ordered=True, session=tx.session)

    async def bookings_near(
        self, tx: Tx | None, resources: Iterable[str] | None, starts_at: datetime, ends_at: datetime, margin: timedelta
    ) -> list[Booking]:
        """Bookings (of the given resources, or all) that come within ``margin`` of the window."""
        # Every booking ever made starts before a window near today, few end after it: the end's
        # index answers this, and it leads the filter because SecantusDB (the development
        # database) uses the index of the filter's first indexed field.
        criteria: dict[str, Any] = {"ends_at": {"$gt": starts_at - margin}, "starts_at": {"$lt": ends_at + margin}}
        if resources is not None:
            criteria["resource"] = {"$in": sorted(set(resources))}
        cursor = self._bookings.find(criteria, session=tx.session if tx else None).sort("starts_at", ASCENDING)
        return [from_document(Booking, doc) async for doc in cursor]

    async def bookings_for_suggestion(self, starts_at: datetime, ends_at: datetime, buffer: timedelta) -> list[Booking]:
        """Everything that clashes with the window or counts towards the last 30 days' load."""
        return await self.bookings_near(None, None, starts_at - LOAD_HORIZON, ends_at, buffer)

    async def replace_bookings(self, tx: Tx, request_id: str, bookings: Iterable[Booking]) -> None:
        """The request's bookings as ``bookings`` say, written with the unit of work's own writes:
        nothing after this in the transaction reads them."""
        delete_later(tx, self._bookings, "request_id", request_id)
        for booking in bookings:
            insert_later(tx, self._bookings, to_document(booking, _id=f"{booking.request_id}|{booking.resource}"))

    async def entries_between(
        self, starts: datetime, ends: datetime, *, officer_id: str | None = None
    ) -> list[AgendaEntry]:
        criteria: dict[str, Any] = {"event.starts_at": {"$gte": starts, "$lt": ends}}
        if officer_id is not None:
            criteria["assignment.members.officer_id"] = officer_id
        return await self.agenda.find(criteria, sort=[("event.starts_at", ASCENDING)], limit=1000)
