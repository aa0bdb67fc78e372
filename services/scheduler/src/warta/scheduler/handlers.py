"""The scheduler's use cases."""

from warta.contracts import DispositionIssued, NotFound, TeamMember
from warta.runtime import Clock, Principal, ServiceMetrics, Tx, UnitOfWork

from .domain import AgendaEntry, AgendaState
from .store import AgendaStore


class SchedulerHandlers:
    def __init__(self, store: AgendaStore, uow: UnitOfWork, clock: Clock, metrics: ServiceMetrics) -> None:
        self._store = store
        self._uow = uow
        self._clock = clock
        self._metrics = metrics

    async def put_on_agenda(self, disposition: DispositionIssued) -> None:
        """A forwarded request becomes an agenda entry waiting for its team (step 3 starts)."""

        async def work(tx: Tx) -> None:
            await self._store.insert(tx, AgendaEntry.from_disposition(disposition))

        await self._uow.run(work, consumes=disposition)

    async def assign_team(
        self,
        request_id: str,
        *,
        members: tuple[TeamMember, ...],
        equipment: tuple[str, ...],
        needs_video: bool,
        officer: Principal,
    ) -> AgendaEntry:
        now = self._clock.now()

        async def work(tx: Tx) -> AgendaEntry:
            entry = await self._store.get(request_id, tx)
            if entry is None:
                raise NotFound(f"request {request_id} is not on the agenda (not yet disposed?)")
            entry.assign(members=members, equipment=equipment, needs_video=needs_video, now=now, actor=officer.actor)
            await self._store.save(tx, entry)
            tx.emit(*entry.events)
            return entry

        entry = await self._uow.run(work)
        self._metrics.step_finished(3, entry.disposed_at, now)
        return entry

    async def get(self, request_id: str) -> AgendaEntry:
        entry = await self._store.get(request_id)
        if entry is None:
            raise NotFound(f"request {request_id} is not on the agenda")
        return entry

    async def list(self, *, state: AgendaState | None, limit: int, offset: int) -> list[AgendaEntry]:
        return await self._store.list(state=state, limit=limit, offset=offset)
