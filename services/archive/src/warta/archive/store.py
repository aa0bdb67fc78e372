"""The archive's MongoDB collections.

``records``: one document per event id, never updated (append-only); a unique index on the stream
sequence too. ``dossiers``: one per request, recomputed from its records after every new one,
with its step runs (``runs``, folded by ``runs_fold``) so that a summary over many requests
reads no records.
``disposals``: what the retention schedule removed, when, and on whose command.
"""

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from warta.runtime.documents import from_document, to_document

from .domain import RUNS_FOLD, Dossier, DossierState, Record, StepRun

RECORDS = "records"
DOSSIERS = "dossiers"
DISPOSALS = "disposals"


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    await db[RECORDS].create_index([("sequence", ASCENDING)], unique=True)
    await db[RECORDS].create_index([("request_id", ASCENDING), ("sequence", ASCENDING)])
    await db[RECORDS].create_index([("officer_id", ASCENDING), ("sequence", ASCENDING)])
    await db[RECORDS].create_index([("stored_at", ASCENDING)])
    await db[DOSSIERS].create_index([("received_at", ASCENDING)])
    await db[DOSSIERS].create_index([("state", ASCENDING), ("ended_at", ASCENDING)])
    # The SOP summary's requests still open or ended in its period, whatever their state.
    await db[DOSSIERS].create_index([("ended_at", ASCENDING)])


def _by_received(doc: dict[str, Any]) -> tuple[bool, Any, str]:
    """The order of ``sort([("received_at", 1), ("_id", 1)])``: a dossier without a received time first."""
    received = doc.get("received_at")
    return received is not None, received or 0, str(doc["_id"])


# What a search or a dossier's page reads: not the runs, which only the summaries use.
WITHOUT_RUNS = {"runs": 0, "runs_fold": 0}


def _runs(doc: dict[str, Any]) -> list[StepRun] | None:
    """The dossier's step runs; None if it has none this version can use (stored without them,
    folded by another version of the fold, or not readable as runs)."""
    runs = doc.get("runs")
    if runs is None or doc.get("runs_fold") != RUNS_FOLD:
        return None
    try:
        return [StepRun.model_validate(run) for run in runs]
    except ValidationError:
        return None


class ArchiveStore:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self._records = db[RECORDS]
        self._dossiers = db[DOSSIERS]
        self._disposals = db[DISPOSALS]

    async def add(self, record: Record) -> bool:
        """Keep a record; False if it was kept before (a redelivery or a republished event)."""
        try:
            await self._records.insert_one(to_document(record, _id=record.event_id))
        except DuplicateKeyError:
            return False
        return True

    async def records_of(self, request_id: str) -> list[Record]:
        cursor = self._records.find({"request_id": request_id}).sort("sequence", ASCENDING)
        return [from_document(Record, doc) async for doc in cursor]

    async def records(self, query: dict[str, Any]) -> AsyncIterator[Record]:
        async for doc in self._records.find(query).sort("sequence", ASCENDING):
            yield from_document(Record, doc)

    async def put_dossier(self, dossier: Dossier, runs: list[StepRun] | None = None) -> None:
        """Store the dossier, with its step runs when given, unless one folded from more records
        is there already: two events of a request applied at once each fold the records they see,
        and the later write must not be the staler one."""
        extra: dict[str, Any] = {"_id": dossier.request_id}
        if runs is not None:
            extra |= {"runs": [to_document(run) for run in runs], "runs_fold": RUNS_FOLD}
        with contextlib.suppress(DuplicateKeyError):  # the stored one is newer: keep it
            await self._dossiers.replace_one(
                {"_id": dossier.request_id, "events": {"$lte": dossier.events}},
                to_document(dossier, **extra),
                upsert=True,
            )

    async def dossier(self, request_id: str) -> Dossier | None:
        doc = await self._dossiers.find_one({"_id": request_id}, WITHOUT_RUNS)
        return from_document(Dossier, doc) if doc else None

    async def dossiers(self, query: dict[str, Any], limit: int = 0) -> list[Dossier]:
        """Dossiers by received time, oldest first."""
        return [dossier for dossier, _ in await self.dossiers_with_runs(query, limit, runs=False)]

    async def dossiers_with_runs(
        self, query: dict[str, Any], limit: int = 0, runs: bool = True
    ) -> list[tuple[Dossier, list[StepRun] | None]]:
        """Dossiers by received time, oldest first, each with its step runs (``_runs``); with
        ``runs`` False, the runs are not read (None)."""
        docs = await self._dossier_documents(query, limit, None if runs else WITHOUT_RUNS)
        return [(from_document(Dossier, doc), _runs(doc) if runs else None) for doc in docs]

    async def _dossier_documents(
        self, query: dict[str, Any], limit: int, projection: dict[str, int] | None = None
    ) -> list[dict[str, Any]]:
        """A query with an ``$or`` is run as one query per branch, each answered from its own
        index: SecantusDB plans none for an ``$or`` and would read every dossier the archive
        ever kept."""
        rest = {k: v for k, v in query.items() if k != "$or"}
        branches = query.get("$or")
        if not branches or any(set(branch) & set(rest) for branch in branches):
            cursor = self._dossiers.find(query, projection).sort([("received_at", ASCENDING), ("_id", ASCENDING)])
            return [doc async for doc in cursor.limit(limit)]
        found: dict[str, dict[str, Any]] = {}
        for branch in branches:
            async for doc in self._dossiers.find({**rest, **branch}, projection):
                found[doc["_id"]] = doc
        ordered = sorted(found.values(), key=_by_received)
        return ordered[:limit] if limit else ordered

    async def ended_before(self, state: DossierState, before: datetime) -> list[Dossier]:
        return await self.dossiers({"state": state.value, "ended_at": {"$lte": before}})

    async def unreadable_before(self, before: datetime) -> list[Record]:
        """Records no request can claim: not understood and without a request id."""
        query = {"known": False, "request_id": None, "stored_at": {"$lte": before}}
        return [r async for r in self.records(query)]

    async def dispose(self, request_id: str | None, event_ids: list[str], entry: dict[str, Any]) -> None:
        """Remove records (and their dossier) and note the disposal; the note is written first, so
        a disposal cut short is finished by running the command again."""
        await self._disposals.insert_one(entry)
        await self._records.delete_many({"_id": {"$in": event_ids}})
        if request_id is not None:
            await self._dossiers.delete_one({"_id": request_id})

    async def disposals(self) -> list[dict[str, Any]]:
        return [doc async for doc in self._disposals.find().sort("disposed_at", ASCENDING)]
