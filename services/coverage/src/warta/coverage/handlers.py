"""The coverage service's use cases."""

from warta.contracts import AssetRef, NotFound, PressRelease, Rejected, TeamAssigned
from warta.runtime import Clock, Principal, ServiceMetrics, Tx, UnitOfWork

from .domain import CoverageVersion, Workspace
from .store import CoverageStore


class CoverageHandlers:
    def __init__(self, store: CoverageStore, uow: UnitOfWork, clock: Clock, metrics: ServiceMetrics) -> None:
        self._store = store
        self._uow = uow
        self._clock = clock
        self._metrics = metrics

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

    async def submit(
        self,
        request_id: str,
        *,
        press_release: PressRelease,
        assets: tuple[AssetRef, ...],
        officer: Principal,
    ) -> CoverageVersion:
        now = self._clock.now()

        async def work(tx: Tx) -> tuple[Workspace, CoverageVersion]:
            workspace = await self._store.workspaces.get(request_id, tx)
            if workspace is None:
                raise NotFound(f"no coverage workspace for request {request_id} (no team assigned yet?)")
            version = workspace.submit(press_release=press_release, assets=assets, now=now, actor=officer.actor)
            await self._store.workspaces.save(tx, workspace)
            await self._store.add_version(tx, version)
            tx.emit(*workspace.events)
            return workspace, version

        workspace, version = await self._uow.run(work)
        self._metrics.step_finished(4, workspace.clock_started_at, now)
        return version

    async def get(self, request_id: str) -> Workspace:
        workspace = await self._store.workspaces.get(request_id)
        if workspace is None:
            raise NotFound(f"no coverage workspace for request {request_id}")
        return workspace

    async def get_version(self, request_id: str, version: int) -> CoverageVersion:
        found = await self._store.get_version(request_id, version)
        if found is None:
            raise NotFound(f"request {request_id} has no version {version}")
        return found
