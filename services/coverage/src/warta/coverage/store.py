"""The coverage service's own database: workspaces, their immutable versions, the media (bytes in
the GridFS bucket ``media``, one record per asset) and the uploads in progress."""

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from bson import ObjectId
from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from warta.runtime import Tx
from warta.runtime.documents import AggregateCollection, from_document, insert_later, to_document
from warta.runtime.gridfs import DEFAULT_CHUNK_SIZE, Layout, ResumableGridFSFile, ensure_gridfs_indexes, read_range

from .domain import CoverageVersion, Workspace, WorkspaceState
from .media import Asset, Upload, UploadState

WORKSPACES = "workspaces"
VERSIONS = "versions"
ASSETS = "assets"
UPLOADS = "uploads"
MEDIA_BUCKET = "media"
MEDIA_CHUNK_SIZE = DEFAULT_CHUNK_SIZE  # every media file is written in chunks of this size


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    await db[WORKSPACES].create_index([("state", ASCENDING), ("clock_started_at", ASCENDING)])
    await db[VERSIONS].create_index([("request_id", ASCENDING), ("version", ASCENDING)], unique=True)
    await db[VERSIONS].create_index([("asset_ids", ASCENDING)])
    await db[ASSETS].create_index([("request_id", ASCENDING), ("sha256", ASCENDING)])
    await db[UPLOADS].create_index([("request_id", ASCENDING)])
    await ensure_gridfs_indexes(db, MEDIA_BUCKET)


class CoverageStore:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self._db = db
        self.workspaces = AggregateCollection(db[WORKSPACES], Workspace, lambda w: w.request_id)
        self._versions = db[VERSIONS]
        self._assets = db[ASSETS]
        self._uploads = db[UPLOADS]
        self._bucket = AsyncGridFSBucket(db, bucket_name=MEDIA_BUCKET)

    async def open_workspaces(self, *, member: str | None, limit: int) -> list[Workspace]:
        """Open workspaces, the longest-running clock first; ``state`` leads the filter, so the
        (state, clock) index answers it however many finished workspaces there are."""
        criteria: dict[str, Any] = {"state": WorkspaceState.OPEN.value}
        if member is not None:
            criteria["members.officer_id"] = member
        return await self.workspaces.find(criteria, sort=[("clock_started_at", ASCENDING)], limit=limit)

    # -- versions ------------------------------------------------------------------------------

    async def add_version(self, tx: Tx, version: CoverageVersion) -> None:
        """Versions are only ever inserted: a second version N is refused as a key taken."""
        insert_later(tx, self._versions, to_document(version, _id=f"{version.request_id}:{version.version}"))

    async def get_version(self, request_id: str, version: int) -> CoverageVersion | None:
        doc = await self._versions.find_one({"_id": f"{request_id}:{version}"})
        return from_document(CoverageVersion, doc) if doc else None

    async def asset_in_a_version(self, asset_id: str, tx: Tx | None = None) -> bool:
        return await self._versions.find_one({"asset_ids": asset_id}, session=tx.session if tx else None) is not None

    # -- assets --------------------------------------------------------------------------------

    async def add_asset(self, tx: Tx, asset: Asset) -> None:
        insert_later(tx, self._assets, to_document(asset, _id=asset.asset_id))

    async def asset(self, asset_id: str) -> Asset | None:
        doc = await self._assets.find_one({"_id": asset_id})
        return from_document(Asset, doc) if doc else None

    async def assets(self, ids: list[str]) -> list[Asset]:
        """The assets with these ids, in the order given."""
        if not ids:  # a workspace before its first upload: nothing to ask the database
            return []
        found = {doc["_id"]: from_document(Asset, doc) async for doc in self._assets.find({"_id": {"$in": ids}})}
        return [found[i] for i in ids if i in found]

    async def asset_with_hash(self, request_id: str, sha256: str) -> Asset | None:
        doc = await self._assets.find_one({"request_id": request_id, "sha256": sha256})
        return from_document(Asset, doc) if doc else None

    async def remove_asset(self, tx: Tx, asset: Asset) -> None:
        await self._assets.delete_one({"_id": asset.asset_id}, session=tx.session)

    async def delete_file(self, file_id: str) -> None:
        with contextlib.suppress(NoFile):
            await self._bucket.delete(ObjectId(file_id))

    def read(
        self, file_id: str, start: int = 0, end: int | None = None, *, layout: Layout | None = None
    ) -> AsyncIterator[bytes]:
        """Bytes ``start`` to ``end`` (exclusive) of a stored file, a chunk at a time."""
        return read_range(self._db, MEDIA_BUCKET, ObjectId(file_id), start, end, layout=layout)

    def read_asset(self, asset: Asset, start: int, end: int) -> AsyncIterator[bytes]:
        """Bytes ``start`` to ``end`` (exclusive) of an asset's media. Its file was written whole
        (the upload completes at its declared size) in the media bucket's chunks, so the asset
        says where the bytes lie: its file document is not read first."""
        layout = Layout(length=asset.size, chunk_size=MEDIA_CHUNK_SIZE)
        return self.read(asset.asset_id, start, end, layout=layout)

    async def read_at(self, file_id: str, offset: int, length: int, *, layout: Layout | None = None) -> bytes:
        return b"".join([piece async for piece in self.read(file_id, offset, offset + length, layout=layout)])

    async def store_small_file(self, data: bytes, filename: str) -> str:
        file_id = await self._bucket.upload_from_stream(filename, data)
        return str(file_id)

    async def read_small_file(self, file_id: str) -> bytes:
        download = await self._bucket.open_download_stream(ObjectId(file_id))
        try:
            data: bytes = await download.read()
            return data
        finally:
            await download.close()

    # -- uploads -------------------------------------------------------------------------------

    def media_file(self, file_id: str) -> ResumableGridFSFile:
        return ResumableGridFSFile(self._db, MEDIA_BUCKET, ObjectId(file_id), chunk_size=MEDIA_CHUNK_SIZE)

    async def add_upload(self, upload: Upload) -> None:
        await self._uploads.insert_one(to_document(upload, _id=upload.upload_id))

    async def upload(self, request_id: str, upload_id: str) -> Upload | None:
        doc = await self._uploads.find_one({"_id": upload_id, "request_id": request_id})
        return from_document(Upload, doc) if doc else None

    async def take_lease(self, upload: Upload, *, now: datetime, until: datetime) -> bool:
        """One transfer at a time per upload, and only from where the upload stands as this
        transfer read it: two would write over each other's chunks. The lease, the offset and the
        state are one condition, so a transfer that read a stale offset does not get the upload."""
        # No lease, or a lapsed one. Neither an $or nor find_one_and_update: SecantusDB answers
        # both by reading every upload ever made (ADR 0004).
        taken = await self._uploads.update_one(
            {
                "_id": upload.upload_id,
                "offset": upload.offset,
                "state": UploadState.RECEIVING.value,
                "lease_until": {"$not": {"$gt": now}},
            },
            {"$set": {"lease_until": until}},
        )
        return taken.matched_count == 1

    async def renew_lease(self, upload: Upload, *, until: datetime) -> None:
        await self._uploads.update_one(
            {"_id": upload.upload_id, "lease_until": {"$ne": None}}, {"$set": {"lease_until": until}}
        )

    async def save_progress(self, upload: Upload, *, keep_lease: bool = False) -> None:
        """Where the upload stands; the transfer's lease is released unless it still has the
        upload's completion to record."""
        progress: dict[str, Any] = {
            "offset": upload.offset,
            "tail": upload.tail,
            "media_type": upload.media_type.value if upload.media_type else None,
            "kind": upload.kind.value if upload.kind else None,  # once its first bytes said, if undeclared
            "state": upload.state.value,
            "asset_id": upload.asset_id,
        }
        if not keep_lease:
            progress["lease_until"] = None
        await self._uploads.update_one({"_id": upload.upload_id}, {"$set": progress})

    async def receiving(self, request_id: str) -> list[Upload]:
        cursor = self._uploads.find({"request_id": request_id, "state": UploadState.RECEIVING.value})
        return [from_document(Upload, doc) async for doc in cursor]

    async def cancel_upload(self, upload: Upload, *, now: datetime) -> bool:
        """Remove an upload still receiving that no transfer holds; False if one does (or it
        completed meanwhile)."""
        removed = await self._uploads.delete_one(
            {
                "_id": upload.upload_id,
                "state": UploadState.RECEIVING.value,
                "lease_until": {"$not": {"$gt": now}},
            }
        )
        return removed.deleted_count == 1

    async def release_lease(self, upload: Upload) -> None:
        await self._uploads.update_one({"_id": upload.upload_id}, {"$set": {"lease_until": None}})

    async def remove_upload(self, upload: Upload) -> None:
        await self._uploads.delete_one({"_id": upload.upload_id})
