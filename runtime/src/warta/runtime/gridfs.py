"""Writing GridFS files as their bytes arrive.

PyMongo's ``GridIn`` keeps up to 32 MB of chunks in memory before it inserts them, so a 20 MB
letter scan or a video would sit whole in a service's memory. ``GridFSUpload`` inserts each chunk
as soon as it is full and holds at most one partial chunk; the files it writes follow the GridFS
spec, so ``AsyncGridFSBucket`` reads them back as usual.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bson import Binary, Int64, ObjectId
from pymongo import ASCENDING, ReplaceOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

DEFAULT_CHUNK_SIZE = 255 * 1024  # the GridFS default: a chunk document stays under 256 KiB


@dataclass(frozen=True)
class Layout:
    """Where a GridFS file's bytes lie: its length and the size of its chunks."""

    length: int
    chunk_size: int


async def ensure_gridfs_indexes(db: AsyncDatabase[Any], bucket: str) -> None:
    """The GridFS spec's indexes, made when a service starts. The unique one on (file, n) is what
    lets a resumed upload notice chunks it already wrote."""
    await db[f"{bucket}.files"].create_index([("filename", ASCENDING), ("uploadDate", ASCENDING)])
    await db[f"{bucket}.chunks"].create_index([("files_id", ASCENDING), ("n", ASCENDING)], unique=True)


class GridFSUpload:
    def __init__(
        self,
        db: AsyncDatabase[Any],
        bucket: str,
        *,
        filename: str,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        file_id: ObjectId | None = None,
    ) -> None:
        self.file_id = file_id or ObjectId()
        self.filename = filename
        self.chunk_size = chunk_size
        self.length = 0
        self._chunks = db[f"{bucket}.chunks"]
        self._files = db[f"{bucket}.files"]
        self._pending = bytearray()
        self._next_chunk = 0

    async def write(self, data: bytes) -> None:
        self._pending += data
        self.length += len(data)
        while len(self._pending) >= self.chunk_size:
            await self._insert_chunk(bytes(self._pending[: self.chunk_size]))
            del self._pending[: self.chunk_size]

    async def close(self, metadata: dict[str, Any] | None = None) -> None:
        """Write the last partial chunk and the file document, which makes the file visible."""
        if self._pending:
            await self._insert_chunk(bytes(self._pending))
            self._pending.clear()
        await self._files.insert_one(
            {
                "_id": self.file_id,
                "length": Int64(self.length),
                "chunkSize": self.chunk_size,
                "uploadDate": datetime.now(UTC),
                "filename": self.filename,
                "metadata": metadata or {},
            }
        )

    async def abort(self) -> None:
        """Remove every chunk written so far; the file never existed."""
        self._pending.clear()
        await self._chunks.delete_many({"files_id": self.file_id})

    async def _insert_chunk(self, data: bytes) -> None:
        await self._chunks.insert_one({"files_id": self.file_id, "n": self._next_chunk, "data": Binary(data)})
        self._next_chunk += 1


class TooLarge(Exception):
    """More bytes arrived than the upload declared."""


@dataclass
class Progress:
    """How much of a resumable file is stored: ``offset`` bytes, the last ``len(tail)`` of which
    are not yet a whole chunk and must be kept by the caller until the next request."""

    offset: int
    tail: bytes


class ResumableGridFSFile:
    """A GridFS file whose bytes arrive over several requests (a video over a weak connection).

    Full chunks are inserted in small batches, so memory stays at a few chunks whatever the file
    size; a request repeated after a crash finds its chunks already there and writes over them.
    """

    def __init__(
        self, db: AsyncDatabase[Any], bucket: str, file_id: ObjectId, *, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> None:
        self.file_id = file_id
        self.chunk_size = chunk_size
        self._db = db
        self._bucket = bucket
        self._chunks = db[f"{bucket}.chunks"]
        self._files = db[f"{bucket}.files"]

    async def append(
        self,
        progress: Progress,
        pieces: AsyncIterator[bytes],
        *,
        size: int,
        batch: int = 16,
        on_stored: Callable[[bytes], None] | None = None,
    ) -> None:
        """Store ``pieces`` after ``progress``, updating it as they are stored. On any exit,
        normal or not, ``progress`` says what is stored (the caller saves it). ``on_stored`` sees
        every byte once, in order, as it is taken in (e.g. to hash the file on the way)."""
        # Pieces are kept as they came and cut into chunks once: each byte is copied once on its
        # way to the driver. A batch is written while the next one arrives, so the network and
        # the database work at the same time; at most two batches are in memory.
        pending: list[bytes] = [progress.tail] if progress.tail else []
        pending_bytes = len(progress.tail)
        next_chunk = confirmed = (progress.offset - len(progress.tail)) // self.chunk_size
        received = progress.offset
        writing: asyncio.Task[int] | None = None
        try:
            async for piece in pieces:
                if received + len(piece) > size:
                    raise TooLarge(f"more than the declared {size} bytes")
                pending.append(piece)
                pending_bytes += len(piece)
                received += len(piece)
                if on_stored is not None:
                    on_stored(piece)
                if pending_bytes >= batch * self.chunk_size:
                    chunks, pending = self._cut(pending, pending_bytes)
                    pending_bytes = sum(len(p) for p in pending)
                    if writing is not None:
                        confirmed = await writing
                    writing = asyncio.ensure_future(self._write(chunks, next_chunk))
                    next_chunk += len(chunks)
        finally:
            # Whatever arrived before the connection dropped is kept, not thrown away; if the
            # database fails, the upload stands at the last chunk it confirmed.
            try:
                if writing is not None:
                    confirmed = await writing
                chunks, pending = self._cut(pending, pending_bytes)
                confirmed = await self._write(chunks, next_chunk)
                progress.offset, progress.tail = received, b"".join(pending)
            except Exception:
                progress.offset, progress.tail = confirmed * self.chunk_size, b""
                raise

    def _cut(self, pending: list[bytes], pending_bytes: int) -> tuple[list[bytes], list[bytes]]:
        """The whole chunks in ``pending`` and what is left after them (less than a chunk)."""
        whole = pending_bytes // self.chunk_size
        if not whole:
            return [], pending
        chunks: list[bytes] = []
        parts: list[memoryview] = []
        filled = 0
        left: list[bytes] = []
        for piece in pending:
            view = memoryview(piece)
            while len(view) and len(chunks) < whole:
                take = min(self.chunk_size - filled, len(view))
                parts.append(view[:take])
                filled += take
                view = view[take:]
                if filled == self.chunk_size:
                    chunks.append(b"".join(parts))
                    parts, filled = [], 0
            if len(view):
                left.append(view.tobytes())
        return chunks, left

    async def _write(self, chunks: list[bytes], n: int) -> int:
        """Write chunks numbered from ``n``; return the number after the last."""
        if not chunks:
            return n
        docs = [{"files_id": self.file_id, "n": n + i, "data": chunk} for i, chunk in enumerate(chunks)]
        try:
            await self._chunks.insert_many(docs, ordered=True)
        except BulkWriteError:
            # Chunks written before a crash the upload's saved offset did not record: write over them.
            await self._chunks.bulk_write(
                [
                    ReplaceOne(
                        {"files_id": self.file_id, "n": d["n"]}, {k: v for k, v in d.items() if k != "_id"}, upsert=True
                    )
                    for d in docs
                ],
                ordered=True,
            )
        return n + len(chunks)

    def layout(self, length: int) -> Layout:
        """The layout of this file once ``length`` bytes are in it: its readers need not ask."""
        return Layout(length=length, chunk_size=self.chunk_size)

    async def complete(self, progress: Progress, *, filename: str, metadata: dict[str, Any]) -> None:
        """Write the last partial chunk and the file document; the file is then readable."""
        n = (progress.offset - len(progress.tail)) // self.chunk_size
        if progress.tail:
            await self._chunks.replace_one(
                {"files_id": self.file_id, "n": n},
                {"files_id": self.file_id, "n": n, "data": Binary(progress.tail)},
                upsert=True,
            )
        await self._files.replace_one(
            {"_id": self.file_id},
            {
                "_id": self.file_id,
                "length": Int64(progress.offset),
                "chunkSize": self.chunk_size,
                "uploadDate": datetime.now(UTC),
                "filename": filename,
                "metadata": metadata,
            },
            upsert=True,
        )

    async def discard(self) -> None:
        await self._chunks.delete_many({"files_id": self.file_id})
        await self._files.delete_one({"_id": self.file_id})


class MissingChunk(Exception):
    """A stored file lacks a chunk it should have."""


async def read_range(
    db: AsyncDatabase[Any],
    bucket: str,
    file_id: ObjectId,
    start: int = 0,
    end: int | None = None,
    *,
    layout: Layout | None = None,
) -> AsyncIterator[bytes]:
    """Bytes ``start`` to ``end`` (exclusive) of a GridFS file, a chunk at a time.

    Each chunk is fetched by its exact (file, n) key. PyMongo's ``GridOut`` asks for
    ``n >= first`` sorted by ``n``, which SecantusDB answers by reading every chunk of the file
    first: seconds for a 1 GB video, for every range request or header peek.

    ``layout`` is the file's when the caller knows it for certain (the writer that has just closed
    the file); without it, the file document is read first, one more round trip.
    """
    if layout is None:
        info = await db[f"{bucket}.files"].find_one({"_id": file_id})
        if info is None:
            raise MissingChunk(f"no file {file_id}")
        layout = Layout(length=int(info["length"]), chunk_size=int(info["chunkSize"]))
    size, chunk_size = layout.length, layout.chunk_size
    end = size if end is None else min(end, size)
    if start >= end:
        return
    chunks = db[f"{bucket}.chunks"]
    for n in range(start // chunk_size, (end - 1) // chunk_size + 1):
        doc = await chunks.find_one({"files_id": file_id, "n": n})
        if doc is None:
            raise MissingChunk(f"file {file_id} has no chunk {n}")
        base = n * chunk_size
        yield bytes(doc["data"])[max(start - base, 0) : end - base]
