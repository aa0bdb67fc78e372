"""The notifier's MongoDB collections: ``officers`` (the directory), ``cases`` (what it knows of
each request), ``timers`` (one per run of a step it watches) and ``messages`` (the ledger)."""

from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from warta.contracts import Role
from warta.runtime import Tx
from warta.runtime.documents import from_document, to_document
from warta.runtime.newest import newest
from warta.runtime.sends import SendLedger, SendState

from .domain import Case, Officer, StepTimer, TimerState
from .messages import Message

OPEN = [TimerState.RUNNING.value, TimerState.WARNED.value, TimerState.OVERDUE.value]


DUE_BATCH = 200  # messages handed to the senders per round


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    await db["timers"].create_index([("request_id", ASCENDING), ("step", ASCENDING), ("state", ASCENDING)])
    await db["timers"].create_index([("state", ASCENDING), ("warn_at", ASCENDING)])
    await db["messages"].create_index([("state", ASCENDING), ("not_before", ASCENDING)])
    await db["messages"].create_index([("request_id", ASCENDING), ("created_at", ASCENDING)])
    await db["messages"].create_index([("requests", ASCENDING)])  # a digest's other requests
    # The newest messages by windows of time (``newest``): an officer's own (the console's page
    # of them), and everyone's or those in a state, for a supervisor.
    await db["messages"].create_index([("officer_id", ASCENDING), ("created_at", ASCENDING)])
    await db["messages"].create_index([("state", ASCENDING), ("created_at", ASCENDING)])
    await db["messages"].create_index([("created_at", ASCENDING)])
    await db["officers"].create_index([("role", ASCENDING)])


def _session(tx: Tx | None) -> Any:
    return tx.session if tx else None


class NotifierStore:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self._officers = db["officers"]
        self._cases = db["cases"]
        self._timers = db["timers"]
        self._messages = db["messages"]
        self._ledger = SendLedger(self._messages, Message, key=lambda message: message.key)

    # -- the directory --------------------------------------------------------------------------

    async def put_officer(self, officer: Officer) -> None:
        await self._officers.replace_one(
            {"_id": officer.officer_id}, to_document(officer, _id=officer.officer_id), upsert=True
        )

    async def set_digests(self, officer_id: str, digests: dict[Any, int]) -> None:
        # Only this field: an administrator's change to the entry made meanwhile is kept.
        await self._officers.update_one(
            {"_id": officer_id}, {"$set": {"digests": {str(k): v for k, v in digests.items()}}}
        )

    async def officer(self, officer_id: str, tx: Tx | None = None) -> Officer | None:
        doc = await self._officers.find_one({"_id": officer_id}, session=_session(tx))
        return from_document(Officer, doc) if doc else None

    async def officers_named(self, officer_ids: list[str], tx: Tx | None = None) -> dict[str, Officer]:
        """Those of ``officer_ids`` in the directory, in one query (a team is a handful)."""
        cursor = self._officers.find({"_id": {"$in": sorted(set(officer_ids))}}, session=_session(tx))
        return {doc["_id"]: from_document(Officer, doc) async for doc in cursor}

    async def officers(self, role: Role | None = None, tx: Tx | None = None) -> list[Officer]:
        query = {"role": role.value} if role else {}
        cursor = self._officers.find(query, session=_session(tx)).sort("_id", ASCENDING)
        return [from_document(Officer, doc) async for doc in cursor]

    # -- cases and timers ----------------------------------------------------------------------

    async def case(self, request_id: str, tx: Tx | None = None) -> Case | None:
        doc = await self._cases.find_one({"_id": request_id}, session=_session(tx))
        return from_document(Case, doc) if doc else None

    async def put_case(self, tx: Tx, case: Case) -> None:
        await self._cases.replace_one(
            {"_id": case.request_id}, to_document(case, _id=case.request_id), upsert=True, session=tx.session
        )

    async def open_timer(self, tx: Tx, request_id: str, step: int) -> StepTimer | None:
        doc = await self._timers.find_one(
            {"request_id": request_id, "step": step, "state": {"$in": OPEN}}, session=tx.session
        )
        return from_document(StepTimer, doc) if doc else None

    async def start_timer(self, tx: Tx, timer: StepTimer) -> None:
        await self._timers.insert_one(to_document(timer, _id=timer.key), session=tx.session)

    async def stop_timers(self, tx: Tx, request_id: str, step: int) -> None:
        await self._timers.update_many(
            {"request_id": request_id, "step": step, "state": {"$in": OPEN}},
            {"$set": {"state": TimerState.STOPPED.value}},
            session=tx.session,
        )

    async def timer(self, tx: Tx, key: str) -> StepTimer | None:
        doc = await self._timers.find_one({"_id": key}, session=tx.session)
        return from_document(StepTimer, doc) if doc else None

    async def save_timer(self, tx: Tx, timer: StepTimer) -> None:
        await self._timers.replace_one({"_id": timer.key}, to_document(timer, _id=timer.key), session=tx.session)

    async def ringing(self, now: datetime) -> list[StepTimer]:
        """Timers whose next alarm has come."""
        queries = [
            {"state": TimerState.RUNNING.value, "warn_at": {"$lte": now}},
            {"state": TimerState.WARNED.value, "due_at": {"$lte": now}},
        ]
        # One query per state rather than an $or: each is answered from the state's index
        # (SecantusDB plans none for an $or), however many timers have long stopped.
        return [from_document(StepTimer, doc) for query in queries async for doc in self._timers.find(query)]

    # -- the ledger ------------------------------------------------------------------------------

    async def add_messages(self, tx: Tx, messages: list[Message]) -> None:
        if messages:
            await self._messages.insert_many([to_document(m, _id=m.key) for m in messages], session=tx.session)

    async def due_messages(self, now: datetime, lease: timedelta) -> list[Message]:
        queries = [
            {"state": SendState.PENDING.value, "not_before": {"$lte": now}},
            {"state": SendState.TRANSIENT.value, "retry_at": {"$lte": now}},
            {"state": SendState.SENDING.value, "claimed_at": {"$lte": now - lease}},
        ]
        # One query per state, as for the timers: the ledger keeps every message ever sent.
        due = [
            doc
            for query in queries
            async for doc in self._messages.find(query).sort("created_at", ASCENDING).limit(DUE_BATCH)
        ]
        due.sort(key=lambda doc: doc["created_at"])
        return [from_document(Message, doc) for doc in due[:DUE_BATCH]]

    async def claim(self, message: Message, now: datetime) -> bool:
        return await self._ledger.claim(message, now)

    async def record(self, message: Message) -> None:
        await self._ledger.record(message)

    async def pending_digest(self, tx: Tx, key: str) -> Message | None:
        doc = await self._messages.find_one({"_id": key, "state": SendState.PENDING.value}, session=tx.session)
        return from_document(Message, doc) if doc else None

    async def put_digest(self, tx: Tx, digest: Message) -> None:
        """Start the round's digest, or add to it while it is pending. A digest the sender took
        in the meantime conflicts with this transaction, which the unit of work runs again."""
        await self._messages.replace_one(
            {"_id": digest.key}, to_document(digest, _id=digest.key), upsert=True, session=tx.session
        )

    async def reopen_failed(self, query: dict[str, Any]) -> int:
        reopened = 0
        for each in self._by_request(query):
            reopened += await self._ledger.reopen_failed(each)
        return reopened

    async def messages(self, query: dict[str, Any], limit: int, now: datetime) -> list[Message]:
        """The newest ``limit`` messages matching, in the order they were made: an officer's
        page of them costs the page, however many they were sent over the years. A request's
        are a few dozen at most: read at once."""
        found: dict[str, dict[str, Any]] = {}
        for each in self._by_request(query):
            if "request_id" in query:
                docs = [doc async for doc in self._messages.find(each)]
            else:
                docs = await newest(self._messages, each, "created_at", limit=limit, now=now)
            for doc in docs:
                found[doc["_id"]] = doc
        ordered = sorted(found.values(), key=lambda doc: (doc["created_at"], doc["_id"]))
        return [from_document(Message, doc) for doc in ordered[-limit:]]

    @staticmethod
    def _by_request(query: dict[str, Any]) -> list[dict[str, Any]]:
        """A query naming a request, as two: the messages about it, and the digests it is in
        besides its first request (two indexed queries; SecantusDB plans no index for an $or)."""
        if "request_id" not in query:
            return [query]
        rest = {k: v for k, v in query.items() if k != "request_id"}
        return [query, {**rest, "requests": query["request_id"]}]
