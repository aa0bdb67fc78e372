"""The intake service's own database: the letter register, its yearly agenda counters and the
scanned letters (bytes in GridFS, one record per scan beside them)."""

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from bson import ObjectId
from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from warta.contracts import FieldProblem, InvalidInput, Leader
from warta.runtime import Tx
from warta.runtime.documents import AggregateCollection, from_document, to_document
from warta.runtime.gridfs import GridFSUpload, ensure_gridfs_indexes
from warta.runtime.indonesian import JAKARTA

from .domain import FacilitationRequest, LetterScan, RequestState, WordSearch, agenda_number_prefix
from .search import LOAD_BATCH, Found, SearchIndex, ensure_search_indexes

REQUESTS = "requests"
COUNTERS = "counters"
SCANS = "scans"
SCAN_BUCKET = "letter_scans"


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    await db[REQUESTS].create_index("letter_key", unique=True)
    await db[REQUESTS].create_index("agenda_number", unique=True)
    await db[REQUESTS].create_index([("state", ASCENDING), ("registered_at", DESCENDING)])
    await db[REQUESTS].create_index([("event.leader", ASCENDING), ("registered_at", DESCENDING)])
    await db[REQUESTS].create_index([("registered_at", DESCENDING)])
    await db[REQUESTS].create_index([("state", ASCENDING), ("event.starts_at", ASCENDING)])
    await db[REQUESTS].create_index([("received_at", DESCENDING)])
    await db[REQUESTS].create_index([("event.ends_at", ASCENDING)])
    await db[SCANS].create_index([("request_id", ASCENDING), ("uploaded_at", ASCENDING)])
    await ensure_gridfs_indexes(db, SCAN_BUCKET)
    await ensure_search_indexes(db)


async def index_the_register(db: AsyncDatabase[Any]) -> None:
    """At start: postings for the requests registered before the search index existed."""
    await RequestStore(db).index.backfill()


@dataclass(frozen=True)
class RequestQuery:
    """What the register can be searched by; every given criterion must hold."""

    state: RequestState | None = None
    agenda_number: str | None = None
    letter_number: str | None = None
    sender: str | None = None
    subject: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    leader: Leader | None = None

    def words(self) -> WordSearch | None:
        """The words typed for the sender and the subject; None if neither was searched by."""
        if not self.sender and not self.subject:
            return None
        return WordSearch.typed(sender=self.sender or "", subject=self.subject or "")

    def registered_since(self) -> datetime | None:
        """No letter is registered before it is received: the earliest registration time to look at."""
        return _jakarta_midnight(self.received_from) if self.received_from is not None else None

    def to_filter(self) -> dict[str, Any]:
        """Every criterion but the words (the search index answers those), as one flat filter with
        its most selective indexed field first: SecantusDB (the development database) plans no
        index for a top-level ``$and`` and answers a filter through the index of its first indexed
        field; MongoDB plans either shape alike."""
        criteria: dict[str, Any] = {}
        if self.agenda_number:
            number = self.agenda_number.strip()
            if number.isascii() and number.isdigit():  # staff say "nomor 123", not "0123/PROKOPIM/2026"
                prefix = agenda_number_prefix(int(number))
                # Every year's register has an entry 0123/...: the range holds exactly them.
                criteria["agenda_number"] = {"$gte": prefix, "$lt": prefix[:-1] + chr(ord("/") + 1)}
            else:
                criteria["agenda_number"] = number.upper()
        received: dict[str, datetime] = {}
        if self.received_from is not None:
            received["$gte"] = _jakarta_midnight(self.received_from)
        if self.received_to is not None:
            received["$lt"] = _jakarta_midnight(self.received_to + timedelta(days=1))
        if received:
            criteria["received_at"] = received
        if self.state is not None:
            criteria["state"] = self.state.value
        if self.leader is not None:
            criteria["event.leader"] = self.leader.value
        if self.letter_number:
            criteria["letter.number"] = _containing(self.letter_number)
        return criteria


def _containing(text: str) -> dict[str, str]:
    """Case-insensitive: the text is in the field, as text, not pattern."""
    return {"$regex": re.escape(" ".join(text.split())), "$options": "is"}


def _jakarta_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=JAKARTA)


class RequestStore:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self.requests = AggregateCollection(db[REQUESTS], FacilitationRequest, lambda r: r.id)
        self._counters = db[COUNTERS]
        self.index = SearchIndex(db, db[REQUESTS], db[COUNTERS])

    async def next_agenda_sequence(self, tx: Tx, year: int, *, count: int = 1) -> int:
        """The first of the year's next ``count`` numbers; inside the transaction, so an aborted
        registration leaves no gap."""
        counter = await self._counters.find_one_and_update(
            {"_id": f"agenda:{year}"},
            {"$inc": {"sequence": count}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=tx.session,
        )
        assert counter is not None  # upsert with ReturnDocument.AFTER always returns one
        return int(counter["sequence"]) - count + 1

    async def agenda_numbers(self, request_ids: list[str]) -> dict[str, tuple[str, str]]:
        """Each request's agenda number and its event's title, in the order named; in small
        batches (SecantusDB checks each document it reads against the whole ``$in`` list)."""
        wanted = list(dict.fromkeys(request_ids))
        found: dict[str, tuple[str, str]] = {}
        for start in range(0, len(wanted), LOAD_BATCH):
            batch = {"_id": {"$in": wanted[start : start + LOAD_BATCH]}}
            found |= {
                doc["_id"]: (doc["agenda_number"], doc["event"]["title"])
                async for doc in self.requests.collection.find(batch, {"agenda_number": 1, "event.title": 1})
            }
        return {key: found[key] for key in wanted if key in found}

    async def find_by_letter_key(self, key: str) -> FacilitationRequest | None:
        found = await self.requests.find({"letter_key": key}, sort=[("_id", ASCENDING)], limit=1)
        return found[0] if found else None

    async def search(self, query: RequestQuery, *, limit: int, offset: int, now: datetime) -> Found:
        """Newest registration first, walked by the search index (by words, by an indexed
        criterion, or the whole register) and counted to its bound: a page costs the page, not
        the years of register behind it."""
        since = query.registered_since()
        return await self.index.search(
            query.words(), query.to_filter(), since=since, limit=limit, offset=offset, now=now
        )

    async def waiting_in(self, state: RequestState, *, limit: int) -> list[FacilitationRequest]:
        return await self.requests.find({"state": state.value}, sort=[("registered_at", ASCENDING)], limit=limit)

    async def accepted_overlapping(self, starts_at: datetime, ends_at: datetime) -> list[FacilitationRequest]:
        # Every accepted request's event starts before a window near today, few end after it:
        # the end's index answers this (first, for SecantusDB; see bookings in the scheduler).
        criteria = {
            "event.ends_at": {"$gt": starts_at},
            "event.starts_at": {"$lt": ends_at},
            "state": RequestState.DISPOSED.value,
        }
        return await self.requests.find(criteria, sort=[("event.starts_at", ASCENDING)], limit=500)


class ScanStore:
    """Scans are uploaded before the registration that names them, so a refused registration
    never leaves a half-stored file: the scan waits unattached until a registration claims it in
    the same transaction, and unattached scans are removed after ``keep_unattached``."""

    def __init__(self, db: AsyncDatabase[Any], keep_unattached: timedelta = timedelta(days=1)) -> None:
        self._db = db
        self._bucket = AsyncGridFSBucket(db, bucket_name=SCAN_BUCKET)
        self._scans = db[SCANS]
        self._keep_unattached = keep_unattached

    def open_upload(self, filename: str | None) -> GridFSUpload:
        return GridFSUpload(self._db, SCAN_BUCKET, filename=filename or "scan")

    async def record(self, scan: LetterScan) -> None:
        await self._scans.insert_one(to_document(scan, _id=scan.scan_id, request_id=None))

    async def claim(self, tx: Tx, scan_id: str, *, request_id: str, field: str = "scan_id") -> LetterScan:
        """Attach an unattached scan to a request, inside the request's transaction."""
        # An update and a read, not find_one_and_update: SecantusDB answers that by reading every
        # scan ever uploaded (ADR 0004). The transaction makes the two one step.
        claimed = await self._scans.update_one(
            {"_id": scan_id, "request_id": None}, {"$set": {"request_id": request_id}}, session=tx.session
        )
        doc = await self._scans.find_one({"_id": scan_id}, session=tx.session) if claimed.matched_count else None
        if doc is None:
            raise InvalidInput(
                "the scan cannot be attached",
                fields=[
                    FieldProblem(
                        field,
                        "no such uploaded scan, or it already belongs to another request",
                        type="scan_unavailable",
                    )
                ],
            )
        return from_document(LetterScan, doc)

    async def read(self, scan_id: str) -> AsyncIterator[bytes]:
        try:
            download = await self._bucket.open_download_stream(ObjectId(scan_id))
        except NoFile:
            return
        try:
            while chunk := await download.readchunk():
                yield chunk
        finally:
            await download.close()

    async def discard_unattached(self, now: datetime) -> int:
        stale = self._scans.find({"request_id": None, "uploaded_at": {"$lt": now - self._keep_unattached}})
        discarded = 0
        async for doc in stale:
            # The record goes first: a file without a record is invisible, a record without a file is not.
            if (await self._scans.delete_one({"_id": doc["_id"], "request_id": None})).deleted_count:
                with contextlib.suppress(NoFile):
                    await self._bucket.delete(ObjectId(doc["_id"]))
                discarded += 1
        return discarded
