"""GridFS files written chunk by chunk, on the real database."""

import hashlib
import os
import uuid

from bson import ObjectId
from gridfs import AsyncGridFSBucket

from warta.runtime.gridfs import Progress, ResumableGridFSFile, ensure_gridfs_indexes, read_range

CHUNK = 1024


async def pieces(data: bytes, size: int = 700):
    for at in range(0, len(data), size):
        yield data[at : at + size]


async def read_back(db, bucket: str, file_id: ObjectId) -> bytes:
    stream = await AsyncGridFSBucket(db, bucket_name=bucket).open_download_stream(file_id)
    try:
        return await stream.read()
    finally:
        await stream.close()


async def test_a_file_sent_in_parts_reads_back_whole(mongo):
    db = mongo[f"t{uuid.uuid4().hex[:8]}_gridfs"]
    await ensure_gridfs_indexes(db, "media")
    data = os.urandom(10 * CHUNK + 333)
    media = ResumableGridFSFile(db, "media", ObjectId(), chunk_size=CHUNK)
    progress = Progress(0, b"")
    for start, end in ((0, 2500), (2500, 2501), (2501, 9000), (9000, len(data))):
        await media.append(progress, pieces(data[start:end]), size=len(data), batch=2)
        assert progress.offset == end
        assert len(progress.tail) == end % CHUNK
    await media.complete(progress, filename="v.mp4", metadata={})
    assert hashlib.sha256(await read_back(db, "media", media.file_id)).digest() == hashlib.sha256(data).digest()
    await mongo.drop_database(db.name)


async def test_bytes_sent_again_after_a_crash_write_over_their_chunks(mongo):
    db = mongo[f"t{uuid.uuid4().hex[:8]}_gridfs"]
    await ensure_gridfs_indexes(db, "media")
    data = os.urandom(6 * CHUNK + 10)
    media = ResumableGridFSFile(db, "media", ObjectId(), chunk_size=CHUNK)
    stored = Progress(0, b"")
    await media.append(stored, pieces(data[:4000]), size=len(data), batch=1)
    # The service died before saving that progress: the client resends from the last saved offset.
    stale = Progress(0, b"")
    await media.append(stale, pieces(data), size=len(data), batch=1)
    await media.complete(stale, filename="v.mp4", metadata={})
    assert await read_back(db, "media", media.file_id) == data
    assert await db["media.chunks"].count_documents({"files_id": media.file_id}) == 7
    await mongo.drop_database(db.name)


async def test_a_reader_told_the_layout_by_the_writer_reads_only_chunks(watched):
    """The writer that has just closed a file knows where its bytes lie; a reader given that
    layout reads the same bytes without first asking for the file document."""
    client, seen = watched
    db = client[f"t{uuid.uuid4().hex[:8]}_gridfs"]
    await ensure_gridfs_indexes(db, "media")
    data = os.urandom(3 * CHUNK + 100)
    media = ResumableGridFSFile(db, "media", ObjectId(), chunk_size=CHUNK)
    progress = Progress(0, b"")
    await media.append(progress, pieces(data), size=len(data))
    await media.complete(progress, filename="v.mp4", metadata={})

    async def read(start: int, end: int, **layout) -> bytes:
        return b"".join([p async for p in read_range(db, "media", media.file_id, start, end, **layout)])

    seen.collections.clear()
    assert await read(CHUNK - 10, 2 * CHUNK + 5, layout=media.layout(len(data))) == data[CHUNK - 10 : 2 * CHUNK + 5]
    assert await read(0, len(data) + 50, layout=media.layout(len(data))) == data
    assert seen.collections == ["media.chunks"] * (3 + 4)
    seen.collections.clear()
    assert await read(CHUNK - 10, 2 * CHUNK + 5) == data[CHUNK - 10 : 2 * CHUNK + 5]
    assert seen.collections == ["media.files"] + ["media.chunks"] * 3
    await client.drop_database(db.name)
