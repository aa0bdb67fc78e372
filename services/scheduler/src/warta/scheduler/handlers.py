"""The scheduler's use cases."""

from pymongo import ASCENDING

from warta.contracts import DispositionIssued, NotFound, TeamMember
from warta.runtime import Clock, Principal, ServiceMetrics, Tx, UnitOfWork
from warta.runtime.documents import AggregateCollection

from .domain import AgendaEntry, AgendaState


class SchedulerHandlers:
    def __init__(
        self, agenda: AggregateCollection[AgendaEntry], uow: UnitOfWork, clock: Clock, metrics: ServiceMetrics
    ) -> None:
        self._agenda = agenda
        self._uow = uow
        self._clock = clock
        self._metrics = metrics

    async def put_on_agenda(self, disposition: DispositionIssued) -> None:
        """A forwarded request becomes an agenda entry waiting for its team (step 3 starts)."""

        async def work(tx: Tx) -> None:
            await self._agenda.insert(tx, AgendaEntry.from_disposition(disposition))

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
            entry = await self._agenda.get(request_id, tx)
            if entry is None:
                raise NotFound(f"request {request_id} is not on the agenda (not yet disposed?)")
            entry.assign(members=members, equipment=equipment, needs_video=needs_video, now=now, actor=officer.actor)
            await self._agenda.save(tx, entry)
            tx.emit(*entry.events)
            return entry

        entry = await self._uow.run(work)
        self._metrics.step_finished(3, entry.disposed_at, now)
        return entry

    async def get(self, request_id: str) -> AgendaEntry:
        entry = await self._agenda.get(request_id)
        if entry is None:
            raise NotFound(f"request {request_id} is not on the agenda")
        return entry

    async def list(self, *, state: AgendaState | None, limit: int, offset: int) -> list[AgendaEntry]:
        query = {} if state is None else {"state": state.value}
        return await self._agenda.find(query, sort=[("event.starts_at", ASCENDING)], limit=limit, skip=offset)
