"""The review service's use cases."""

from warta.contracts import CoverageSubmitted, NotFound, RejectionReason, ReviewLevel
from warta.runtime import Clock, Principal, ServiceMetrics, Tx, UnitOfWork

from .domain import STEP_OF_LEVEL, Decision, Outcome, Review, ReviewState
from .store import ReviewStore


class ReviewHandlers:
    def __init__(self, store: ReviewStore, uow: UnitOfWork, clock: Clock, metrics: ServiceMetrics) -> None:
        self._store = store
        self._uow = uow
        self._clock = clock
        self._metrics = metrics

    async def receive_submission(self, submitted: CoverageSubmitted) -> None:
        async def work(tx: Tx) -> None:
            review = await self._store.get(submitted.data.request_id, tx)
            if review is None:
                await self._store.insert(tx, Review.start(submitted))
            elif review.receive(submitted):
                await self._store.save(tx, review)

        await self._uow.run(work, consumes=submitted)

    async def decide(
        self,
        request_id: str,
        *,
        version: int,
        level: ReviewLevel,
        outcome: Outcome,
        reason: RejectionReason | None,
        note: str | None,
        officer: Principal,
    ) -> Decision:
        now = self._clock.now()

        async def work(tx: Tx) -> Decision:
            review = await self._store.get(request_id, tx)
            if review is None:
                raise NotFound(f"no coverage of request {request_id} is waiting for review")
            decision = review.decide(
                version=version,
                level=level,
                outcome=outcome,
                reason=reason,
                note=note,
                now=now,
                actor=officer.actor,
            )
            await self._store.save(tx, review)
            tx.emit(*review.events)
            return decision

        decision = await self._uow.run(work)
        self._metrics.step_finished(STEP_OF_LEVEL[level], decision.waited_since, decision.decided_at)
        return decision

    async def get(self, request_id: str) -> Review:
        review = await self._store.get(request_id)
        if review is None:
            raise NotFound(f"no review for request {request_id}")
        return review

    async def queue(self, state: ReviewState, limit: int) -> list[Review]:
        return await self._store.queue(state, limit)
