"""Writing GridFS files as their bytes arrive.

PyMongo's ``GridIn`` keeps up to 32 MB of chunks in memory before it inserts them, so a 20 MB
letter scan or a video would sit whole in a service's memory. ``GridFSUpload`` inserts each chunk
as soon as it is full and holds at most one partial chunk; the files it writes follow the GridFS
spec, so ``AsyncGridFSBucket`` reads them back as usual.
"""

from datetime import UTC, datetime
from typing import Any

from bson import Binary, Int64, ObjectId
from pymongo.asynchronous.database import AsyncDatabase

DEFAULT_CHUNK_SIZE = 255 * 1024  # the GridFS default: a chunk document stays under 256 KiB


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
