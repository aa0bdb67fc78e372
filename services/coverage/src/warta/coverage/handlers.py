"""The coverage service's use cases: the workspace, resumable media uploads, asset delivery and
the submission of step 4."""

import asyncio
import contextlib
import hashlib
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import uuid4

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from warta.contracts import (
    AssetKind,
    Conflict,
    FieldProblem,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Rejected,
    Role,
    SocialChannel,
    TeamAssigned,
    UnsupportedMediaType,
)
from warta.runtime import Clock, Principal, Tx, UnitOfWork
from warta.runtime.faults import fault_point, slow_point
from warta.runtime.gridfs import Progress, ResumableGridFSFile, TooLarge
from warta.runtime.images import DEFAULT_MAX_PIXELS

from .domain import CoverageVersion, PostDraft, Workspace
from .inspection import Inspection, Unreadable, inspect_photo, inspect_video
from .media import SNIFF_BYTES, Asset, SizeLimits, Upload, UploadState, require_media
from .press import Draft, Reading, read_draft
from .store import CoverageStore

# Who may fetch media by reference: the team, its lead and the reviewers; downstream services
# (the publisher) call as the coverage team, whose step 7 is.
ASSET_READERS = (Role.COVERAGE_TEAM, Role.TEAM_LEAD, Role.SECTION_HEAD)


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


class CoverageHandlers:
    def __init__(
        self,
        store: CoverageStore,
        uow: UnitOfWork,
        clock: Clock,
        *,
        limits: SizeLimits,
        public_url: str,
        upload_lease: timedelta = timedelta(seconds=60),
        max_pixels: int = DEFAULT_MAX_PIXELS,
        asset_readers: frozenset[str] = frozenset(),
    ) -> None:
        self._max_pixels = max_pixels
        self._asset_readers = asset_readers
        self._store = store
        self._uow = uow
        self._clock = clock
        self._limits = limits
        # A transfer holds its upload for this long and renews it while it runs; one that stops
        # without a word (a crash, a pulled cable) frees the upload when it runs out.
        self._lease = upload_lease
        self._public_url = public_url.rstrip("/")
        self._hashes = RunningHashes()

    # -- events --------------------------------------------------------------------------------

    async def open_workspace(self, assigned: TeamAssigned) -> None:
        async def work(tx: Tx) -> None:
            workspace = await self._store.workspaces.get(assigned.data.request_id, tx)
            if workspace is None:
                await self._store.workspaces.insert(tx, Workspace.open(assigned))
            elif workspace.reassign(assigned):
                await self._store.workspaces.save(tx, workspace)

        await self._uow.run(work, consumes=assigned)

    async def return_to_team(self, rejected: Rejected) -> None:
        async def work(tx: Tx) -> None:
            workspace = await self._store.workspaces.get(rejected.data.request_id, tx)
            if workspace is not None and workspace.reopen(rejected):
                await self._store.workspaces.save(tx, workspace)

        await self._uow.run(work, consumes=rejected)

    # -- the workspace -------------------------------------------------------------------------

    async def _load(self, request_id: str, tx: Tx | None = None) -> Workspace:
        workspace = await self._store.workspaces.get(request_id, tx)
        if workspace is None:
            raise NotFound(f"no coverage workspace for request {request_id} (no team assigned yet?)")
        return workspace

    async def open_work(self, officer: Principal, *, limit: int) -> list[Workspace]:
        """The coverage that waits for this officer: a team member's own open workspaces; for
        everyone else of the section, every open one."""
        member = officer.officer_id if officer.role is Role.COVERAGE_TEAM else None
        return await self._store.open_workspaces(member=member, limit=limit)

    async def workspace(self, request_id: str, officer: Principal) -> tuple[Workspace, Reading, list[Asset]]:
        workspace = await self._load(request_id)
        workspace.require_editor(officer.actor, "open this workspace")
        return workspace, read_draft(workspace.draft), await self._store.assets(workspace.asset_ids)

    async def save_draft(self, request_id: str, draft: Draft, officer: Principal) -> tuple[Workspace, Reading]:
        async def work(tx: Tx) -> Workspace:
            workspace = await self._load(request_id, tx)
            workspace.save_draft(draft, actor=officer.actor)
            await self._store.workspaces.save(tx, workspace)
            return workspace

        workspace = await self._uow.run(work)
        return workspace, read_draft(workspace.draft)

    async def set_post(self, request_id: str, channel: SocialChannel, post: PostDraft, officer: Principal) -> Workspace:
        assets = {a.asset_id: a for a in await self._store.assets(list(post.media))}

        async def work(tx: Tx) -> Workspace:
            workspace = await self._load(request_id, tx)
            workspace.set_post(channel, post, assets, actor=officer.actor)
            await self._store.workspaces.save(tx, workspace)
            return workspace

        return await self._uow.run(work)

    async def remove_post(self, request_id: str, channel: SocialChannel, officer: Principal) -> Workspace:
        async def work(tx: Tx) -> Workspace:
            workspace = await self._load(request_id, tx)
            workspace.remove_post(channel, actor=officer.actor)
            await self._store.workspaces.save(tx, workspace)
            return workspace

        return await self._uow.run(work)

    async def remove_asset(self, request_id: str, asset_id: str, officer: Principal) -> Workspace:
        async def work(tx: Tx) -> Workspace:
            workspace = await self._load(request_id, tx)
            in_a_version = await self._store.asset_in_a_version(asset_id, tx)
            workspace.remove_asset(asset_id, in_a_version=in_a_version, actor=officer.actor)
            await self._store.workspaces.save(tx, workspace)
            return workspace

        workspace = await self._uow.run(work)
        asset = await self._store.asset(asset_id)
        if asset is not None and not await self._store.asset_in_a_version(asset_id):
            await self._uow.run(lambda tx: self._store.remove_asset(tx, asset))
            await self._store.delete_file(asset.asset_id)
            if asset.thumbnail_id:
                await self._store.delete_file(asset.thumbnail_id)
        return workspace

    # -- uploads -------------------------------------------------------------------------------

    async def start_upload(
        self, request_id: str, *, filename: str, size: int, kind: AssetKind, officer: Principal
    ) -> Upload:
        """Declare an upload; an oversize file is refused here, before a byte is sent."""
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
        except (TooLarge, UnsupportedMediaType) as refused:
            # A file that lies about its size or type is not kept in part.
            await media.discard()
            await self._store.remove_upload(upload)
            discarded = True
            if isinstance(refused, TooLarge):
                raise PayloadTooLarge(
                    "more bytes than declared",
                    fields=[FieldProblem("file", f"the upload was declared as {upload.size} bytes")],
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
            fields=[FieldProblem("Upload-Offset", f"the upload stands at byte {current.offset}")],
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
                    upload.media_type = require_media(head, upload.kind)
            yield piece

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
                upload.media_type = require_media(upload.tail[:SNIFF_BYTES], upload.kind)
            except UnsupportedMediaType:
                await media.discard()
                await self._store.remove_upload(upload)
                raise
        progress = Progress(upload.offset, upload.tail)
        await media.complete(progress, filename=upload.filename, metadata={"request_id": upload.request_id})
        return self._hashes.finish(upload) or await self._read_back_hash(upload)

    async def _asset_of(self, upload: Upload, media: ResumableGridFSFile, sha256: str, officer: Principal) -> Asset:
        """The asset the file becomes once inspected; a file that is not the photo or video it
        looks like is not kept, and the upload ends."""
        try:
            inspection = await self._inspect(upload)
        except Unreadable as unreadable:
            await media.discard()
            await self._store.remove_upload(upload)
            raise InvalidInput(
                f"the {upload.kind.value} cannot be used: {unreadable.reason}",
                fields=[FieldProblem("file", unreadable.reason)],
            ) from unreadable
        thumbnail_id = None
        if inspection.thumbnail_jpeg:
            thumbnail_id = await self._store.store_small_file(inspection.thumbnail_jpeg, f"thumb-{upload.filename}")
        assert upload.media_type is not None  # set when the file was closed
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

    async def _read_back_hash(self, upload: Upload) -> str:
        digest = hashlib.sha256()
        async for chunk in self._store.read(upload.file_id):
            digest.update(chunk)
        return digest.hexdigest()

    async def _inspect(self, upload: Upload) -> Inspection:
        if upload.kind is AssetKind.PHOTO:
            data = await self._store.read_at(upload.file_id, 0, upload.size)
            return await asyncio.to_thread(inspect_photo, data, max_pixels=self._max_pixels)
        return await inspect_video(lambda at, n: self._store.read_at(upload.file_id, at, n), upload.size)

    # -- delivery ------------------------------------------------------------------------------

    def asset_uri(self, asset: Asset) -> str:
        return f"{self._public_url}/assets/{asset.asset_id}"

    async def asset_for(self, asset_id: str, officer: Principal) -> Asset:
        """Media not yet published are read by the request's team, the team lead and the section
        head (its reviewers), and by the services named in ``asset_readers`` (the publisher)."""
        if officer.role not in ASSET_READERS:
            raise Forbidden("media are fetched by the coverage team, the team lead and the reviewers")
        asset = await self._store.asset(asset_id)
        if asset is None:
            raise NotFound(f"no asset {asset_id}")
        if officer.officer_id not in self._asset_readers:
            workspace = await self._load(asset.request_id)
            if not workspace.may_read_versions(officer.actor):
                raise Forbidden("this event's media are read by its team, the team lead and the section head")
        return asset

    def asset_bytes(self, asset: Asset, start: int, end: int) -> AsyncIterator[bytes]:
        return self._store.read(asset.asset_id, start, end)

    async def thumbnail(self, asset_id: str, officer: Principal) -> bytes:
        asset = await self.asset_for(asset_id, officer)
        if asset.thumbnail_id is None:
            raise NotFound(f"asset {asset_id} has no thumbnail")
        return await self._store.read_small_file(asset.thumbnail_id)

    # -- step 4 --------------------------------------------------------------------------------

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

    async def submit(self, request_id: str, *, asset_ids: list[str] | None, officer: Principal) -> CoverageVersion:
        now = self._clock.now()
        arriving = await self._store.receiving(request_id)
        if arriving:
            # Submitting would freeze the version and strand these: the rest of their bytes could
            # no longer be taken.
            names = ", ".join(f"{u.filename} ({u.progress:g} %)" for u in arriving)
            raise Conflict(
                f"uploads are still arriving: {names}; finish or cancel them before submitting",
                fields=[FieldProblem(f"uploads.{u.upload_id}", f"{u.filename} is still arriving") for u in arriving],
            )

        async def work(tx: Tx) -> tuple[Workspace, CoverageVersion]:
            workspace = await self._load(request_id, tx)
            if asset_ids is not None:
                unknown = [i for i, a in enumerate(asset_ids) if a not in workspace.asset_ids]
                if unknown:
                    raise InvalidInput(
                        "the submission names media not in this workspace",
                        fields=[
                            FieldProblem(f"assets.{i}", "no such photo or video in this workspace") for i in unknown
                        ],
                    )
            assets = await self._store.assets(workspace.asset_ids if asset_ids is None else asset_ids)
            version = workspace.submit(assets=assets, asset_uri=self.asset_uri, now=now, actor=officer.actor)
            await self._store.workspaces.save(tx, workspace)
            await self._store.add_version(tx, version)
            tx.emit(*workspace.events)
            return workspace, version

        _, version = await self._uow.run(work)
        return version

    async def get_version(self, request_id: str, version: int, officer: Principal) -> CoverageVersion:
        workspace = await self._load(request_id)
        if not workspace.may_read_versions(officer.actor):
            raise Forbidden("versions are read by the team, the team lead and the section head")
        found = await self._store.get_version(request_id, version)
        if found is None:
            raise NotFound(f"request {request_id} has no version {version}")
        return found
