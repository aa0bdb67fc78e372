"""Resumable uploads of step 4's photos and videos: declared with their size, received in
pieces at an offset under a lease that one transfer holds until it has recorded its result,
typed from their bytes, hashed as they arrive, inspected and recorded as the workspace's assets,
or cancelled. The SOP's use cases are in ``handlers.py``."""

import asyncio
import contextlib
import hashlib
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol
from uuid import uuid4

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from warta.contracts import (
    AssetKind,
    Conflict,
    FieldProblem,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from warta.runtime import Clock, Principal, Tx, UnitOfWork
from warta.runtime.faults import fault_point, slow_point
from warta.runtime.gridfs import Layout, Progress, ResumableGridFSFile, TooLarge
from warta.runtime.images import DEFAULT_MAX_PIXELS, ImageFault
from warta.runtime.indonesian import format_size

from .domain import Workspace
from .inspection import Inspection, Unreadable, VideoFault, inspect_photo, inspect_video
from .media import KIND_OF, SNIFF_BYTES, Asset, SizeLimits, Upload, UploadState, require_media
from .store import CoverageStore

log = logging.getLogger(__name__)


class LoadWorkspace(Protocol):
    """The use cases' way to load a request's workspace (refusing a request without one)."""

    def __call__(self, request_id: str, tx: Tx | None = None) -> Awaitable[Workspace]: ...


class RunningHashes:
    """SHA-256 of uploads in progress, carried in this process from one request to the next so
    that a completed upload need not be read back to be hashed. Only a hash that has seen exactly
    the bytes stored is used; after a restart, or a request served elsewhere, the file is read
    back instead."""

    def __init__(self, capacity: int = 256) -> None:
        self._capacity = capacity
        self._hashes: OrderedDict[str, tuple[int, Any]] = OrderedDict()

    def resume(self, upload: Upload) -> "CountingHash | None":
        kept = self._hashes.pop(upload.upload_id, None)
        if kept is not None and kept[0] == upload.offset:
            return CountingHash(kept[1], kept[0])
        return CountingHash(hashlib.sha256(), 0) if upload.offset == 0 else None

    def keep(self, upload: Upload, running: "CountingHash") -> None:
        self._hashes[upload.upload_id] = (running.count, running.hash)
        while len(self._hashes) > self._capacity:
            self._hashes.popitem(last=False)

    def finish(self, upload: Upload) -> str | None:
        kept = self._hashes.pop(upload.upload_id, None)
        return kept[1].hexdigest() if kept is not None and kept[0] == upload.size else None


@dataclass
class CountingHash:
    hash: Any
    count: int

    def update(self, piece: bytes) -> None:
        self.hash.update(piece)
        self.count += len(piece)


@dataclass
class UploadOutcome:
    upload: Upload
    asset: Asset | None = None
    duplicate: bool = False


class Uploads:
    def __init__(
        self,
        store: CoverageStore,
        uow: UnitOfWork,
        clock: Clock,
        load: LoadWorkspace,
        *,
        limits: SizeLimits,
        lease: timedelta,
        max_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> None:
        self._store = store
        self._uow = uow
        self._clock = clock
        self._load = load
        self._limits = limits
        # A transfer holds its upload for this long and renews it while it runs; one that stops
        # without a word (a crash, a pulled cable) frees the upload when it runs out.
        self._lease = lease
        self._max_pixels = max_pixels
        self._hashes = RunningHashes()

    async def start_upload(
        self, request_id: str, *, filename: str, size: int, kind: AssetKind | None, officer: Principal
    ) -> Upload:
        """Declare an upload; an oversize file is refused here, before a byte is sent. Without a
        ``kind`` (a tus client names none), the first bytes decide it, and its limit then."""
        workspace = await self._load(request_id)
        workspace.require_open(officer.actor, "add media")
        self._limits.check(kind, size)
        upload = Upload(
            upload_id=uuid4().hex,
            request_id=request_id,
            file_id=str(ObjectId()),
            filename=filename,
            kind=kind,
            size=size,
            started_by=officer.officer_id,
            started_at=self._clock.now(),
        )
        await self._store.add_upload(upload)
        return upload

    async def upload_status(self, request_id: str, upload_id: str, officer: Principal) -> UploadOutcome:
        """Where an upload stands, with its asset once complete: the answer a phone needs after
        the response to its last bytes was lost."""
        (await self._load(request_id)).require_editor(officer.actor, "see this upload")
        upload = await self._upload(request_id, upload_id)
        if upload.asset_id is None:
            return UploadOutcome(upload)
        asset = await self._store.asset(upload.asset_id)
        return UploadOutcome(upload, asset, duplicate=asset is not None and asset.asset_id != upload.file_id)

    async def _upload(self, request_id: str, upload_id: str) -> Upload:
        upload = await self._store.upload(request_id, upload_id)
        if upload is None:
            raise NotFound(f"no upload {upload_id} for request {request_id}")
        return upload

    async def continue_upload(
        self, request_id: str, upload_id: str, *, offset: int, pieces: AsyncIterator[bytes], officer: Principal
    ) -> UploadOutcome:
        """Store the bytes that continue an upload at ``offset``; the last ones complete it."""
        (await self._load(request_id)).require_open(officer.actor, "add media")
        upload = await self._upload(request_id, upload_id)
        upload.check_continues_at(offset)
        await slow_point("upload.before_lease")
        now = self._clock.now()
        if not await self._store.take_lease(upload, now=now, until=now + self._lease):
            return await self._after_another_transfer(upload, offset)
        fault_point("upload.leased")
        renewing = asyncio.create_task(self._renew_lease(upload))
        media = self._store.media_file(upload.file_id)
        progress = Progress(upload.offset, upload.tail)
        running = self._hashes.resume(upload)
        discarded = False
        try:
            await media.append(
                progress, self._sniffed(upload, pieces), size=upload.size, on_stored=running.update if running else None
            )
        except (TooLarge, UnsupportedMediaType, PayloadTooLarge) as refused:
            # A file that lies about its size or type is not kept in part.
            await media.discard()
            await self._store.remove_upload(upload)
            discarded = True
            if isinstance(refused, TooLarge):
                raise PayloadTooLarge(
                    "more bytes than declared",
                    fields=[
                        FieldProblem(
                            "file",
                            f"the upload was declared as {upload.size} bytes",
                            type="more_than_declared",
                            limits={"size": format_size(upload.size), "bytes": str(upload.size)},
                        )
                    ],
                ) from None
            raise
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
            upload.offset, upload.tail = progress.offset, progress.tail
            if running is not None:
                self._hashes.keep(upload, running)
            if not discarded:
                # A transfer that stored the last byte keeps the upload until its completion is
                # recorded: another may not take it in between and write over the stored file.
                await self._store.save_progress(upload, keep_lease=upload.offset >= upload.size)
        if upload.offset < upload.size:
            return UploadOutcome(upload)
        try:
            return await self._complete(upload, officer)
        except BaseException:
            await self._store.release_lease(upload)
            raise

    async def _after_another_transfer(self, upload: Upload, offset: int) -> UploadOutcome:
        """The upload is another transfer's, or has moved on since it was read. A phone that sends
        the end again while the first transfer still completes gets that transfer's asset; any
        other transfer is told where the upload stands."""
        current = upload
        for _ in range(max(1, int(self._lease.total_seconds() * 10))):
            current = await self._upload(upload.request_id, upload.upload_id)
            if offset < current.size or current.offset < current.size:
                break  # not a repeated ending: no waiting, and no asset for other bytes
            if current.state is UploadState.COMPLETE:
                asset = await self._store.asset(current.asset_id or "")
                return UploadOutcome(current, asset, duplicate=asset is not None and asset.asset_id != current.file_id)
            if (finished := await self._finish_committed(current)) is not None:
                return finished  # the transfer holding it died after its asset was committed
            await asyncio.sleep(0.1)
        raise Conflict(
            f"another transfer of this upload is in progress or has moved it on (it stands at byte "
            f"{current.offset}); ask for its status and continue from there",
            fields=[
                FieldProblem(
                    "Upload-Offset",
                    f"the upload stands at byte {current.offset}",
                    type="upload_offset",
                    limits={"offset": str(current.offset)},
                )
            ],
        )

    async def _renew_lease(self, upload: Upload) -> None:
        """Keep a long transfer's hold on its upload, a third of the lease at a time."""
        while True:
            await asyncio.sleep(self._lease.total_seconds() / 3)
            await self._store.renew_lease(upload, until=self._clock.now() + self._lease)

    async def _sniffed(self, upload: Upload, pieces: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """Pass the bytes through, judging the type from the first ones as soon as they are in."""
        head = upload.tail[:SNIFF_BYTES] if upload.media_type is None else b""
        async for piece in pieces:
            if upload.media_type is None:
                head += piece[: SNIFF_BYTES - len(head)]
                if len(head) >= SNIFF_BYTES:
                    self._typed(upload, head)
            yield piece

    def _typed(self, upload: Upload, head: bytes) -> None:
        """The upload's type from its first bytes, and its kind where it was not declared (whose
        size is then held to that kind's limit)."""
        upload.media_type = require_media(head, upload.kind)
        if upload.kind is None:
            upload.kind = KIND_OF[upload.media_type]
            self._limits.check(upload.kind, upload.size)

    async def _finish_committed(self, upload: Upload) -> UploadOutcome | None:
        """An earlier attempt committed the asset and died before marking the upload complete."""
        committed = await self._store.asset(upload.file_id)
        if committed is None:
            return None
        upload.state, upload.asset_id, upload.tail = UploadState.COMPLETE, committed.asset_id, b""
        await self._store.save_progress(upload)
        return UploadOutcome(upload, committed)

    async def _complete(self, upload: Upload, officer: Principal) -> UploadOutcome:
        """The last bytes are in: the file is closed, checked and recorded as the workspace's
        asset, or as the one already there with the same bytes."""
        if (finished := await self._finish_committed(upload)) is not None:
            return finished
        media = self._store.media_file(upload.file_id)
        sha256 = await self._close(upload, media)
        existing = await self._store.asset_with_hash(upload.request_id, sha256)
        if existing is not None:
            await media.discard()
            return await self._completed(upload, existing, duplicate=True)
        asset = await self._add_to_workspace(await self._asset_of(upload, media, sha256, officer), officer)
        fault_point("upload.after_asset_commit")
        return await self._completed(upload, asset)

    async def _completed(self, upload: Upload, asset: Asset, *, duplicate: bool = False) -> UploadOutcome:
        upload.state, upload.asset_id, upload.tail = UploadState.COMPLETE, asset.asset_id, b""
        await self._store.save_progress(upload)
        return UploadOutcome(upload, asset, duplicate=duplicate)

    async def _close(self, upload: Upload, media: ResumableGridFSFile) -> str:
        """Close the stored file and return its SHA-256; a file too short to be judged by its
        first bytes is judged now, and one of the wrong type is discarded with its upload."""
        if upload.media_type is None:
            try:
                self._typed(upload, upload.tail[:SNIFF_BYTES])
            except (UnsupportedMediaType, PayloadTooLarge):
                await media.discard()
                await self._store.remove_upload(upload)
                raise
        progress = Progress(upload.offset, upload.tail)
        await media.complete(progress, filename=upload.filename, metadata={"request_id": upload.request_id})
        return self._hashes.finish(upload) or await self._read_back_hash(upload, media.layout(upload.offset))

    async def _asset_of(self, upload: Upload, media: ResumableGridFSFile, sha256: str, officer: Principal) -> Asset:
        """The asset the file becomes once inspected; a file that is not the photo or video it
        looks like is not kept, and the upload ends."""
        # Both were set when the file was closed.
        assert upload.kind is not None
        assert upload.media_type is not None
        try:
            # The file was closed just now by ``media``: where its bytes lie is known.
            inspection = await self._inspect(upload, media.layout(upload.offset))
        except Unreadable as unreadable:
            await media.discard()
            await self._store.remove_upload(upload)
            raise InvalidInput(
                f"the {upload.kind.value} cannot be used: {unreadable.reason}",
                fields=[FieldProblem("file", unreadable.reason, type=unreadable.fault, limits=unreadable.limits)],
            ) from unreadable
        thumbnail_id = None
        if inspection.thumbnail_jpeg:
            thumbnail_id = await self._store.store_small_file(inspection.thumbnail_jpeg, f"thumb-{upload.filename}")
        return Asset(
            asset_id=upload.file_id,
            request_id=upload.request_id,
            kind=upload.kind,
            media_type=upload.media_type,
            filename=upload.filename,
            size=upload.size,
            sha256=sha256,
            uploaded_by=officer.officer_id,
            uploaded_by_name=officer.name,
            uploaded_at=self._clock.now(),
            width=inspection.width,
            height=inspection.height,
            captured_at=inspection.captured_at,
            duration_seconds=inspection.duration_seconds,
            thumbnail_id=thumbnail_id,
        )

    async def _add_to_workspace(self, asset: Asset, officer: Principal) -> Asset:
        async def work(tx: Tx) -> None:
            workspace = await self._load(asset.request_id, tx)
            workspace.add_asset(asset, actor=officer.actor)
            await self._store.add_asset(tx, asset)
            await self._store.workspaces.save(tx, workspace)

        await slow_point("upload.completing")
        try:
            await self._uow.run(work)
        except DuplicateKeyError:
            # A second transfer of the same upload (a retry whose first attempt was still running)
            # committed it first: the asset is one and the same.
            committed = await self._store.asset(asset.asset_id)
            if committed is None:
                raise
            return committed
        return asset

    async def _read_back_hash(self, upload: Upload, layout: Layout) -> str:
        digest = hashlib.sha256()
        async for chunk in self._store.read(upload.file_id, layout=layout):
            digest.update(chunk)
        return digest.hexdigest()

    async def _inspect(self, upload: Upload, layout: Layout) -> Inspection:
        def read_at(offset: int, length: int) -> Awaitable[bytes]:
            return self._store.read_at(upload.file_id, offset, length, layout=layout)

        try:
            if upload.kind is AssetKind.PHOTO:
                data = await read_at(0, upload.size)
                return await asyncio.to_thread(inspect_photo, data, max_pixels=self._max_pixels)
            return await inspect_video(read_at, upload.size)
        except Unreadable:
            raise
        except Exception as failed:
            # A file the decoders fail on in a way they do not name is still a file that cannot be
            # used: refused like a damaged one, and nothing of it kept; the log keeps the failure.
            log.exception("inspecting the upload %s (%s) failed", upload.upload_id, upload.filename)
            fault = ImageFault.DAMAGED if upload.kind is AssetKind.PHOTO else VideoFault.DAMAGED
            raise Unreadable(f"the file could not be read ({type(failed).__name__})", fault=fault) from failed

    async def cancel_upload(self, request_id: str, upload_id: str, officer: Principal) -> None:
        """Give up an upload still receiving, in whatever state the workspace is: nothing of it is
        kept. An upload may otherwise be left half-sent for good (its phone lost, or the version
        submitted without it)."""
        (await self._load(request_id)).require_editor(officer.actor, "cancel this upload")
        upload = await self._upload(request_id, upload_id)
        while not await self._store.cancel_upload(upload, now=self._clock.now()):
            # Not removed as read: say why as it stands now (gone, complete, or being sent).
            upload = await self._upload(request_id, upload_id)
            if upload.state is UploadState.COMPLETE:
                raise IllegalTransition(
                    current="complete",
                    attempted="cancel the upload",
                    message="the upload is complete: remove its photo or video from the workspace instead",
                )
            if upload.lease_until is not None and upload.lease_until > self._clock.now():
                raise Conflict("a transfer of this upload is in progress; cancel it once the transfer has stopped")
        await self._store.media_file(upload.file_id).discard()
