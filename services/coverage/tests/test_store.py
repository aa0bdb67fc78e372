"""The coverage service's database, on the real server."""

import os
import uuid
from datetime import UTC, datetime

from bson import ObjectId

from warta.contracts import AssetKind
from warta.coverage.media import Asset, MediaType
from warta.coverage.store import MEDIA_CHUNK_SIZE, CoverageStore, create_indexes
from warta.runtime.gridfs import Progress


async def pieces(data: bytes, size: int = 64 * 1024):
    for at in range(0, len(data), size):
        yield data[at : at + size]


async def test_an_assets_bytes_are_read_where_its_size_puts_them_without_its_file_document(watched):
    """Every range of a video spanning three chunks reads back as stored, from its chunks alone."""
    client, seen = watched
    db = client[f"t{uuid.uuid4().hex[:8]}_coverage"]
    await create_indexes(db)
    store = CoverageStore(db)
    data = os.urandom(2 * MEDIA_CHUNK_SIZE + 100)
    media = store.media_file(str(ObjectId()))
    progress = Progress(0, b"")
    await media.append(progress, pieces(data), size=len(data))
    await media.complete(progress, filename="sambutan.mp4", metadata={})
    asset = Asset(
        asset_id=str(media.file_id),
        request_id="req-1",
        kind=AssetKind.VIDEO,
        media_type=MediaType.MP4,
        filename="sambutan.mp4",
        size=len(data),
        sha256="0" * 64,
        uploaded_by="dewi",
        uploaded_at=datetime(2026, 12, 8, 2, 0, tzinfo=UTC),
    )

    async def read(start: int, end: int) -> bytes:
        return b"".join([piece async for piece in store.read_asset(asset, start, end)])

    seen.collections.clear()
    assert await read(0, len(data)) == data
    middle = (MEDIA_CHUNK_SIZE - 10, 2 * MEDIA_CHUNK_SIZE + 5)
    assert await read(*middle) == data[middle[0] : middle[1]]
    assert await read(len(data) - 5, len(data)) == data[-5:]
    assert seen.collections == ["media.chunks"] * (3 + 3 + 1)
    await client.drop_database(db.name)
