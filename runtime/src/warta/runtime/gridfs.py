"""Writing GridFS files as their bytes arrive.

PyMongo's ``GridIn`` keeps up to 32 MB of chunks in memory before it inserts them, so a 20 MB
letter scan or a video would sit whole in a service's memory. ``GridFSUpload`` inserts each chunk
as soon as it is full and holds at most one partial chunk; the files it writes follow the GridFS
spec, so ``AsyncGridFSBucket`` reads them back as usual.
"""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bson import Binary, Int64, ObjectId
from pymongo import ASCENDING, ReplaceOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

DEFAULT_CHUNK_SIZE = 255 * 1024  # the GridFS default: a chunk document stays under 256 KiB


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
        # Pieces are kept as they came and cut into chunks once, at flush: each byte is copied
        # once on its way to the driver, not on every append.
        pending: list[bytes] = [progress.tail] if progress.tail else []
        pending_bytes = len(progress.tail)
        first_chunk = (progress.offset - len(progress.tail)) // self.chunk_size
        received = progress.offset
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
                    first_chunk, pending = await self._flush(pending, pending_bytes, first_chunk)
                    pending_bytes = sum(len(p) for p in pending)
                    progress.offset, progress.tail = received, b"".join(pending)
        finally:
            # Whatever arrived before the connection dropped is kept, not thrown away.
            first_chunk, pending = await self._flush(pending, pending_bytes, first_chunk)
            progress.offset, progress.tail = received, b"".join(pending)

    async def _flush(self, pending: list[bytes], pending_bytes: int, n: int) -> tuple[int, list[bytes]]:
        """Write every whole chunk in ``pending``; return the next chunk number and what is left
        (less than a chunk)."""
        whole = pending_bytes // self.chunk_size
        if not whole:
            return n, pending
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
        return n + whole, left

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

    async def chunks(self) -> AsyncIterator[bytes]:
        """The stored bytes in order, a chunk at a time (for hashing or sniffing after the fact)."""
        n = 0
        while True:
            doc = await self._chunks.find_one({"files_id": self.file_id, "n": n})
            if doc is None:
                return
            yield bytes(doc["data"])
            n += 1

    async def discard(self) -> None:
        await self._chunks.delete_many({"files_id": self.file_id})
        await self._files.delete_one({"_id": self.file_id})
