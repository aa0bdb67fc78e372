"""The publisher's own database: submitted versions and publications."""

from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from warta.runtime import Tx
from warta.runtime.documents import AggregateCollection, from_document, put_later, to_document
from warta.runtime.sends import SendLedger

from .domain import Publication, Submission
from .mail import Delivery
from .registry import Contact, Outlet

DUPLICATE_KEY = 11000  # the server's code for an _id that exists

SUBMISSIONS = "submissions"
PUBLICATIONS = "publications"
OUTLETS = "outlets"
CONTACTS = "contacts"
DELIVERIES = "deliveries"
ARRIVALS = "arrivals"


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    await db[PUBLICATIONS].create_index([("state", ASCENDING), ("ordered_at", ASCENDING)])
    await db[DELIVERIES].create_index([("request_id", ASCENDING), ("version", ASCENDING)])


class PublisherStore:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.publications = AggregateCollection(db[PUBLICATIONS], Publication, lambda p: p.request_id)
        self._publications = db[PUBLICATIONS]
        self._submissions = db[SUBMISSIONS]
        self._arrivals = db[ARRIVALS]

    async def hold_publishing(self, request_id: str, until: datetime) -> None:
        """Extend a running press of "publish" (no new revision: the press's own saves go on).
        The one write to a publication outside a transaction (ADR 0004): it runs beside the press's
        own transactions on the same document, whose writes it waits for; as a transaction of its
        own it would collide with them, each collision aborting one of the two."""
        await self._publications.update_one(
            {"_id": request_id, "publishing_until": {"$ne": None}}, {"$set": {"publishing_until": until}}
        )

    async def note_arrival(self, tx: Tx, request_id: str, received_at: datetime) -> None:
        """When the letter arrived: the start of the request's whole lead time."""
        put_later(tx, self._arrivals, {"_id": request_id, "received_at": received_at})

    async def arrival(self, request_id: str) -> datetime | None:
        doc = await self._arrivals.find_one({"_id": request_id})
        return doc["received_at"] if doc else None

    async def keep_submission(self, tx: Tx, submission: Submission) -> None:
        key = f"{submission.request_id}:{submission.version}"
        put_later(tx, self._submissions, to_document(submission, _id=key))

    async def get_submission(self, tx: Tx, request_id: str, version: int) -> Submission | None:
        key = f"{request_id}:{version}"
        tx.require_written(self._submissions.full_name, key)
        doc = await self._submissions.find_one({"_id": key}, session=tx.session)
        return from_document(Submission, doc) if doc else None


class RegistryStore:
    """The media registry: outlets keyed by their normalised name, contacts by their email."""

    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self._outlets = db[OUTLETS]
        self._contacts = db[CONTACTS]

    async def outlets(self) -> list[Outlet]:
        return [from_document(Outlet, doc) async for doc in self._outlets.find().sort("_id", ASCENDING)]

    async def contacts(self, tx: Tx | None = None) -> list[Contact]:
        cursor = self._contacts.find(session=tx.session if tx else None).sort("_id", ASCENDING)
        return [from_document(Contact, doc) async for doc in cursor]

    async def contact(self, email: str, tx: Tx | None = None) -> Contact | None:
        doc = await self._contacts.find_one({"_id": email}, session=tx.session if tx else None)
        return from_document(Contact, doc) if doc else None

    async def put_outlet(self, tx: Tx, outlet: Outlet) -> None:
        await self._outlets.replace_one(
            {"_id": outlet.key}, to_document(outlet, _id=outlet.key), upsert=True, session=tx.session
        )

    async def import_contact(self, tx: Tx, contact: Contact) -> None:
        """A contact as a registry file gives it: every detail but the opt-out, which is the
        contact's own wish. One update, so an opt-out recorded meanwhile is never undone."""
        document = to_document(contact)
        document.pop("_id", None)  # the filter's, on an insert
        wish = document.pop("opted_out_at", None)
        await self._contacts.update_one(
            {"_id": contact.email},
            {"$set": document, "$setOnInsert": {"opted_out_at": wish}},
            upsert=True,
            session=tx.session,
        )

    async def opt_out(self, tx: Tx, email: str, at: datetime) -> Contact | None:
        """Record the opt-out once (the first time stands), and answer the contact as it is now.
        In a transaction, as an import's writes to contacts are (ADR 0004)."""
        await self._contacts.update_one(
            {"_id": email, "opted_out_at": None}, {"$set": {"opted_out_at": at}}, session=tx.session
        )
        return await self.contact(email, tx)


class DeliveryLedger(SendLedger[Delivery]):
    """One entry per publication and recipient: what was sent, what waits, what failed."""

    def __init__(self, db: AsyncDatabase[Any]) -> None:
        super().__init__(db[DELIVERIES], Delivery, key=lambda delivery: delivery.key)
        self._deliveries = db[DELIVERIES]

    async def open(self, deliveries: list[Delivery]) -> None:
        """Add the entries that do not exist yet, in one round trip: a repeated fan-out never
        resets what happened to a recipient."""
        if not deliveries:
            return
        try:
            await self._deliveries.insert_many(
                [to_document(delivery, _id=delivery.key) for delivery in deliveries], ordered=False
            )
        except BulkWriteError as failed:
            # Entries that exist are what a repeated fan-out expects; anything else is a failure
            # (a write concern not met among them).
            others = [e for e in failed.details.get("writeErrors", ()) if e.get("code") != DUPLICATE_KEY]
            if others or failed.details.get("writeConcernErrors"):
                raise

    async def of(self, request_id: str, version: int) -> list[Delivery]:
        return await self.find({"request_id": request_id, "version": version}, [("_id", ASCENDING)])
