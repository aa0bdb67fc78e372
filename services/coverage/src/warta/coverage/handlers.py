"""The coverage service's use cases: the workspace, asset delivery and the submission of step 4
(the uploads that bring the media in are ``uploads.py``)."""

from collections.abc import AsyncIterator
from datetime import timedelta

from warta.contracts import (
    Conflict,
    FieldProblem,
    Forbidden,
    InvalidInput,
    NotFound,
    Rejected,
    Role,
    SocialChannel,
    TeamAssigned,
)
from warta.runtime import Clock, Principal, Tx, UnitOfWork
from warta.runtime.images import DEFAULT_MAX_PIXELS

from .domain import CoverageVersion, PostDraft, Workspace
from .media import Asset, SizeLimits
from .press import Draft, Reading, read_draft
from .store import CoverageStore
from .uploads import Uploads

# Who may fetch media by reference: the team, its lead and the reviewers; downstream services
# (the publisher) call as the coverage team, whose step 7 is.
ASSET_READERS = (Role.COVERAGE_TEAM, Role.TEAM_LEAD, Role.SECTION_HEAD)


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
        self._asset_readers = asset_readers
        self._store = store
        self._uow = uow
        self._clock = clock
        self._public_url = public_url.rstrip("/")
        self.uploads = Uploads(store, uow, clock, self._load, limits=limits, lease=upload_lease, max_pixels=max_pixels)

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
        return self._store.read_asset(asset, start, end)

    async def thumbnail(self, asset_id: str, officer: Principal) -> bytes:
        asset = await self.asset_for(asset_id, officer)
        if asset.thumbnail_id is None:
            raise NotFound(f"asset {asset_id} has no thumbnail")
        return await self._store.read_small_file(asset.thumbnail_id)

    # -- step 4 --------------------------------------------------------------------------------

    async def submit(self, request_id: str, *, asset_ids: list[str] | None, officer: Principal) -> CoverageVersion:
        now = self._clock.now()
        arriving = await self._store.receiving(request_id)
        if arriving:
            # Submitting would freeze the version and strand these: the rest of their bytes could
            # no longer be taken.
            names = ", ".join(f"{u.filename} ({u.progress:g} %)" for u in arriving)
            raise Conflict(
                f"uploads are still arriving: {names}; finish or cancel them before submitting",
                fields=[
                    FieldProblem(
                        f"uploads.{u.upload_id}",
                        f"{u.filename} is still arriving",
                        type="still_uploading",
                        limits={"filename": u.filename, "progress": f"{u.progress:g}".replace(".", ",")},
                    )
                    for u in arriving
                ],
            )

        async def work(tx: Tx) -> tuple[Workspace, CoverageVersion]:
            workspace = await self._load(request_id, tx)
            if asset_ids is not None:
                unknown = [i for i, a in enumerate(asset_ids) if a not in workspace.asset_ids]
                if unknown:
                    raise InvalidInput(
                        "the submission names media not in this workspace",
                        fields=[
                            FieldProblem(
                                f"assets.{i}", "no such photo or video in this workspace", type="not_in_workspace"
                            )
                            for i in unknown
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
