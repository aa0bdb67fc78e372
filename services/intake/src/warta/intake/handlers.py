"""Intake's use cases: load, decide in the domain, save with the outbox."""

from collections.abc import Callable
from datetime import datetime
from uuid import uuid4

from pymongo.errors import DuplicateKeyError

from warta.contracts import Conflict, LeadershipEvent, Letter, NotFound
from warta.runtime import Clock, Principal, ServiceMetrics, Tx, UnitOfWork

from .domain import FacilitationRequest, RequestState, agenda_year, format_agenda_number, letter_key
from .store import RequestStore

Decision = Callable[[FacilitationRequest, datetime], None]


class IntakeHandlers:
    def __init__(self, store: RequestStore, uow: UnitOfWork, clock: Clock, metrics: ServiceMetrics) -> None:
        self._store = store
        self._uow = uow
        self._clock = clock
        self._metrics = metrics

    async def register(
        self,
        *,
        letter: Letter,
        event: LeadershipEvent,
        received_at: datetime | None,
        officer: Principal,
    ) -> FacilitationRequest:
        """Step 1: put the letter in the register with the year's next agenda number."""
        now = self._clock.now()
        received = received_at or now
        await self._refuse_duplicate(letter)

        async def work(tx: Tx) -> FacilitationRequest:
            sequence = await self._store.next_agenda_sequence(tx, agenda_year(received))
            request = FacilitationRequest.register(
                request_id=str(uuid4()),
                agenda_number=format_agenda_number(sequence, agenda_year(received)),
                letter=letter,
                event=event,
                received_at=received,
                now=now,
                actor=officer.actor,
            )
            await self._store.requests.insert(tx, request)
            tx.emit(*request.events)
            return request

        try:
            request = await self._uow.run(work)
        except DuplicateKeyError:
            # Lost a race with a registration of the same letter.
            await self._refuse_duplicate(letter)
            raise
        self._metrics.step_finished(1, request.received_at, request.registered_at)
        return request

    async def _refuse_duplicate(self, letter: Letter) -> None:
        existing = await self._store.find_by_letter_key(letter_key(letter))
        if existing is not None:
            raise Conflict(
                f"letter {letter.number} from {letter.sender} is already registered as "
                f"{existing.agenda_number} (request {existing.id})"
            )

    async def dispose(self, request_id: str, *, instruction: str, officer: Principal) -> FacilitationRequest:
        """Step 2: forward the request to the documentation team lead."""
        request = await self._change(
            request_id, lambda r, now: r.dispose(instruction=instruction, now=now, actor=officer.actor)
        )
        assert request.disposition is not None
        self._metrics.step_finished(2, request.registered_at, request.disposition.decided_at)
        return request

    async def decline(self, request_id: str, *, reason: str, officer: Principal) -> FacilitationRequest:
        """Step 2, declined: the request ends here."""
        request = await self._change(request_id, lambda r, now: r.decline(reason=reason, now=now, actor=officer.actor))
        assert request.disposition is not None
        self._metrics.step_finished(2, request.registered_at, request.disposition.decided_at)
        return request

    async def _change(self, request_id: str, decide: Decision) -> FacilitationRequest:
        now = self._clock.now()

        async def work(tx: Tx) -> FacilitationRequest:
            request = await self._store.requests.get(request_id, tx)
            if request is None:
                raise NotFound(f"no request {request_id}")
            decide(request, now)
            await self._store.requests.save(tx, request)
            tx.emit(*request.events)
            return request

        return await self._uow.run(work)

    async def get(self, request_id: str) -> FacilitationRequest:
        request = await self._store.requests.get(request_id)
        if request is None:
            raise NotFound(f"no request {request_id}")
        return request

    async def list(self, *, state: RequestState | None, limit: int, offset: int) -> list[FacilitationRequest]:
        return await self._store.list(state=state, limit=limit, offset=offset)
