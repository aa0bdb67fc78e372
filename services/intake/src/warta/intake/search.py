"""The register's word index (ADR 0019): postings, one per request, searched field and word, with
the request's registration time; the vocabulary a typed word's prefix is looked up in; and the
search that walks them newest first.

SecantusDB, the development database, reads whatever an index range yields whole before it sorts
and cuts to the limit, so the search never asks for "the newest 50": it asks for windows of
registration time sized to hold a few hundred entries, newest first, until the page and the count
are full. MongoDB answers the same queries from the same indexes.
"""

import contextlib
import logging
from collections.abc import AsyncGenerator, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from warta.runtime import Tx
from warta.runtime.documents import from_document
from warta.runtime.newest import LONGEST_SPAN, resized, span_below

from .domain import FacilitationRequest, WordSearch, searched_words

log = logging.getLogger(__name__)

TERMS = "request_terms"
WORDS = "request_words"
BUILT = "search-index"  # the mark, among the counters, that every request has its postings

# A search by words counts its matches up to here (or to the page's end, if further): counting
# every request with a common word would read the whole history.
TOTAL_BOUND = 500
# SecantusDB checks each document it fetches against the whole `$in` list: batches stay small.
LOAD_BATCH = 50
BACKFILL_BATCH = 200
# The walk's windows start a day long and are sized as ``warta.runtime.newest`` sizes its own, to
# hold about WINDOW_TARGET entries; one that would span LONGEST_SPAN takes everything older.
FIRST_SPAN = timedelta(days=1)
WINDOW_TARGET = 250
# Every stream is walked until the densest has yielded this many entries, and more than SPARSER
# times the sparsest; then only the sparsest. Streams alike in density are all walked: their
# intersection is the matches, counted without reading a request (a read costs several entries).
PROBE_ENOUGH = 64
SPARSER = 4
# A typed word that begins more vocabulary words than this is checked, never walked.
MOST_VOCABULARY = 16
# Indexed criteria of the register that can lead a walk, in registration order.
LEADING_CRITERIA = ("agenda_number", "state", "event.leader")


async def ensure_search_indexes(db: AsyncDatabase[Any]) -> None:
    await db[TERMS].create_index([("field", ASCENDING), ("word", ASCENDING), ("registered_at", DESCENDING)])
    await db[TERMS].create_index("request_id")
    await db[WORDS].create_index([("field", ASCENDING), ("word", ASCENDING)])


def postings(request_id: str, registered_at: datetime, words: dict[str, set[str]]) -> list[dict[str, Any]]:
    return [
        {
            "_id": f"{request_id}|{name}|{word}",
            "request_id": request_id,
            "field": name,
            "word": word,
            "registered_at": registered_at,
        }
        for name, found in sorted(words.items())
        for word in sorted(found)
    ]


def window_filter(equal: dict[str, Any], lo: datetime | None, hi: datetime | None) -> dict[str, Any]:
    """Equalities, then the window ``[lo, hi)``: the shape SecantusDB answers from a compound index."""
    bounds = {op: at for op, at in (("$gte", lo), ("$lt", hi)) if at is not None}
    return {**equal, "registered_at": bounds} if bounds else dict(equal)


def vocabulary_filter(name: str, typed: str) -> dict[str, Any]:
    """The vocabulary words of field ``name`` that begin with ``typed``: a range of one index."""
    return {"field": name, "word": {"$gte": typed, "$lt": typed[:-1] + chr(ord(typed[-1]) + 1)}}


def candidates_filter(ids: list[str], criteria: dict[str, Any]) -> dict[str, Any]:
    """``_id`` first: SecantusDB answers a filter through its first indexed field."""
    return {"_id": {"$in": ids}, **criteria}


@dataclass(frozen=True)
class Found:
    """A page of the register's search and how many requests match: exact unless ``more``, when
    there are more than ``total`` (a search by words stops counting at its bound)."""

    items: list[FacilitationRequest]
    total: int
    more: bool = False


@dataclass(frozen=True)
class Stream:
    """Requests in registration order as indexes yield them: a typed word's postings (one index
    range per vocabulary word it begins), or the register by one indexed criterion."""

    collection: AsyncCollection[Any]
    equalities: tuple[dict[str, Any], ...]
    id_field: str

    @property
    def criteria(self) -> set[str]:
        """The register's fields this stream's requests all match on."""
        return set().union(*self.equalities) if self.id_field == "_id" else set()

    async def within(self, lo: datetime | None, hi: datetime | None) -> dict[str, datetime]:
        found: dict[str, datetime] = {}
        for equal in self.equalities:
            cursor = self.collection.find(window_filter(equal, lo, hi), {self.id_field: 1, "registered_at": 1})
            async for doc in cursor:
                found[doc[self.id_field]] = doc["registered_at"]
        return found


async def newest_first(
    streams: list[Stream], *, now: datetime, floor: datetime | None
) -> AsyncGenerator[tuple[list[str], bool], None]:
    """The requests every stream yields, window by window of registration time, newest first
    (ties by id), each with whether every stream was walked for it. Once the densest stream has
    yielded PROBE_ENOUGH entries, and more than SPARSER times the sparsest, only the sparsest is
    walked on; the caller checks the others on the requests themselves. Below a window that held
    nothing, the next is probed before it is read (``span_below``). Nothing is registered before
    ``floor``."""

    async def probe(lo: datetime, hi: datetime) -> int:
        return min([len(await stream.within(lo, hi)) for stream in streams])

    hi: datetime | None = None
    span = FIRST_SPAN
    lo: datetime | None = now - span
    every, probed = True, False
    while True:
        last = lo is None or (floor is not None and lo <= floor)
        if last:
            lo = floor
        found = [await stream.within(lo, hi) for stream in streams]
        yield _in_order(found), every
        if last or lo is None:
            return
        densest, sparsest = max(map(len, found)), min(range(len(found)), key=lambda n: len(found[n]))
        if len(streams) > 1 and densest >= PROBE_ENOUGH and densest > SPARSER * len(found[sparsest]):
            streams, found, every = [streams[sparsest]], [found[sparsest]], False
        entries = max(map(len, found))
        newest = max((at for each in found for at in each.values()), default=None)
        span = resized(span, entries, WINDOW_TARGET, newest - lo if newest is not None and probed else None)
        probed = not entries and span < LONGEST_SPAN
        if probed:
            span = await span_below(lo, span, WINDOW_TARGET, probe)
        hi, lo = lo, (lo - span if span < LONGEST_SPAN else None)


def _in_order(found: list[dict[str, datetime]]) -> list[str]:
    first, *others = found
    common = sorted(key for key in first if all(key in other for other in others))
    return sorted(common, key=first.__getitem__, reverse=True)  # stable: ties stay in id order


@dataclass
class _Page:
    """Matches counted in order, the page's ids kept; counting stops past ``bound``."""

    limit: int
    offset: int
    bound: int
    ids: list[str] = field(default_factory=list)
    counted: int = 0

    def count(self, matches: Iterable[str]) -> None:
        for key in matches:
            if self.offset <= self.counted < self.offset + self.limit:
                self.ids.append(key)
            self.counted += 1

    @property
    def overflowing(self) -> bool:
        return self.counted > self.bound


def _duplicates_only(error: BulkWriteError) -> bool:
    return all(problem.get("code") == 11000 for problem in error.details.get("writeErrors", []))


class SearchIndex:
    """The postings and vocabulary of the register's requests, kept in step with them."""

    def __init__(self, db: AsyncDatabase[Any], requests: AsyncCollection[Any], marks: AsyncCollection[Any]) -> None:
        self._terms = db[TERMS]
        self._words = db[WORDS]
        self._requests = requests
        self._marks = marks

    async def write(self, tx: Tx, request: FacilitationRequest) -> None:
        """The request's postings, replacing those it had, in the request's own transaction."""
        await self._terms.delete_many({"request_id": request.id}, session=tx.session)
        await self.add_new(tx, [request])

    async def add_new(self, tx: Tx, requests: list[FacilitationRequest]) -> None:
        """The postings of requests registered in this transaction, which have none yet."""
        entries = [
            entry
            for request in requests
            for entry in postings(
                request.id, request.registered_at, searched_words(request.letter.sender, request.letter.subject)
            )
        ]
        await self._add(entries, tx.session)

    async def _add(self, entries: list[dict[str, Any]], session: AsyncClientSession | None) -> None:
        if not entries:
            return
        await self._terms.insert_many(entries, ordered=False, session=session)
        words = {f"{e['field']}|{e['word']}": {"field": e["field"], "word": e["word"]} for e in entries}
        known = self._words.find({"_id": {"$in": sorted(words)}}, {"_id": 1}, session=session)
        missing = set(words) - {doc["_id"] async for doc in known}
        if missing:
            new = [{"_id": key, **words[key]} for key in sorted(missing)]
            await self._words.insert_many(new, ordered=False, session=session)

    async def backfill(self) -> int:
        """Postings for every request that has none, for a register kept before the index: in
        batches, idempotent, safe beside registrations (they index their own). A mark among the
        counters says when the whole register is done; later starts skip it."""
        if await self._marks.find_one({"_id": BUILT}) is not None:
            return 0
        log.info("search index: indexing the words of requests registered before it")
        indexed = seen = 0
        batch: list[dict[str, Any]] = []
        cursor = self._requests.find({}, {"letter.sender": 1, "letter.subject": 1, "registered_at": 1})
        async for doc in cursor.batch_size(BACKFILL_BATCH):
            batch.append(doc)
            if len(batch) == BACKFILL_BATCH:
                indexed, seen, batch = indexed + await self._backfill(batch), seen + len(batch), []
                log.info("search index: %d requests read, %d indexed", seen, indexed)
        indexed += await self._backfill(batch)
        await self._marks.update_one({"_id": BUILT}, {"$set": {"built": True}}, upsert=True)
        log.info("search index: done, %d requests read, %d indexed", seen + len(batch), indexed)
        return indexed

    async def _backfill(self, batch: list[dict[str, Any]]) -> int:
        indexed = await self._indexed([doc["_id"] for doc in batch])
        unindexed = [doc for doc in batch if doc["_id"] not in indexed]
        entries = [
            entry
            for doc in unindexed
            for entry in postings(
                doc["_id"], doc["registered_at"], searched_words(doc["letter"]["sender"], doc["letter"]["subject"])
            )
        ]
        try:
            await self._add(entries, None)
        except BulkWriteError as error:  # another instance, starting at the same time, got there first
            if not _duplicates_only(error):
                raise
        return len(unindexed)

    async def _indexed(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), LOAD_BATCH):
            found |= set(
                await self._terms.distinct("request_id", {"request_id": {"$in": ids[start : start + LOAD_BATCH]}})
            )
        return found

    async def search(
        self,
        words: WordSearch | None,
        criteria: dict[str, Any],
        *,
        since: datetime | None,
        limit: int,
        offset: int,
        now: datetime,
    ) -> Found:
        """The requests matching ``words`` (if any) and ``criteria``, newest first. Its cost
        follows the requests its sparsest stream yields before the page and the count are full,
        not the size of the register."""
        streams = await self._streams(words, criteria)
        if streams is None:
            return Found([], 0)
        page = _Page(limit=limit, offset=offset, bound=max(offset + limit, TOTAL_BOUND))
        # Streams that hold every typed word and every criterion yield the matches themselves,
        # while all are walked: those are counted without reading a request.
        covered = set(criteria) <= set().union(*(stream.criteria for stream in streams)) and (
            words is None or len(words.wanted) == sum(stream.id_field == "request_id" for stream in streams)
        )
        async with contextlib.aclosing(newest_first(streams, now=now, floor=since)) as windows:
            async for ids, every in windows:
                if covered and every:
                    page.count(ids)
                else:
                    await self._count_checked(page, ids, words, criteria)
                if page.overflowing:
                    break
        items = [from_document(FacilitationRequest, doc) for doc in await self._load(page.ids, {})]
        return Found(items, min(page.counted, page.bound), more=page.overflowing)

    async def _count_checked(
        self, page: _Page, ids: list[str], words: WordSearch | None, criteria: dict[str, Any]
    ) -> None:
        """The candidates that match, checked on the requests themselves, until the count is past its bound."""
        for start in range(0, len(ids), LOAD_BATCH):
            loaded = await self._load(ids[start : start + LOAD_BATCH], criteria)
            letters = ((doc["_id"], doc["letter"]) for doc in loaded)
            page.count(
                key for key, letter in letters if not words or words.found_in(letter["sender"], letter["subject"])
            )
            if page.overflowing:
                return

    async def _streams(self, words: WordSearch | None, criteria: dict[str, Any]) -> list[Stream] | None:
        """What the walk may follow: each typed word that begins few vocabulary words, and each
        indexed criterion, else the whole register; None when a typed word begins no word at all
        (nothing matches)."""
        if words is not None and not words.wanted:
            return None
        streams = []
        for name, typed in words.wanted if words is not None else ():
            vocabulary = sorted([doc["word"] async for doc in self._words.find(vocabulary_filter(name, typed))])
            if not vocabulary:
                return None
            if len(vocabulary) <= MOST_VOCABULARY:
                equalities = tuple({"field": name, "word": word} for word in vocabulary)
                streams.append(Stream(self._terms, equalities, "request_id"))
        for key in LEADING_CRITERIA:
            if key in criteria:
                streams.append(Stream(self._requests, ({key: criteria[key]},), "_id"))
        return streams or [Stream(self._requests, ({},), "_id")]

    async def _load(self, ids: list[str], criteria: dict[str, Any]) -> list[dict[str, Any]]:
        found = {doc["_id"]: doc async for doc in self._requests.find(candidates_filter(ids, criteria))}
        return [found[key] for key in ids if key in found]
