"""The review service's use cases."""

from pymongo import ASCENDING

from warta.contracts import CoverageSubmitted, IllegalTransition, NotFound, RejectionReason, ReviewLevel
from warta.runtime import Clock, Principal, ServiceMetrics, Tx, UnitOfWork
from warta.runtime.documents import AggregateCollection

from .domain import STEP_OF_LEVEL, Decision, Outcome, Review, ReviewState


class ReviewHandlers:
    def __init__(
        self, reviews: AggregateCollection[Review], uow: UnitOfWork, clock: Clock, metrics: ServiceMetrics
    ) -> None:
        self._reviews = reviews
        self._uow = uow
        self._clock = clock
        self._metrics = metrics

    async def receive_submission(self, submitted: CoverageSubmitted) -> None:
        async def work(tx: Tx) -> None:
            review = await self._reviews.get(submitted.data.request_id, tx)
            if review is None:
                await self._reviews.insert(tx, Review.start(submitted))
            elif review.receive(submitted):
                await self._reviews.save(tx, review)

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
            review = await self._reviews.get(request_id, tx)
            if review is None:
                raise IllegalTransition(
                    current="awaiting_submission",
                    attempted=f"decide at {level.value} level",
                    message=f"no coverage of request {request_id} has been submitted for review",
                )
            decision = review.decide(
                version=version,
                level=level,
                outcome=outcome,
                reason=reason,
                note=note,
                now=now,
                actor=officer.actor,
            )
            await self._reviews.save(tx, review)
            tx.emit(*review.events)
            return decision

        decision = await self._uow.run(work)
        self._metrics.step_finished(STEP_OF_LEVEL[level], decision.waited_since, decision.decided_at)
        return decision

    async def get(self, request_id: str) -> Review:
        review = await self._reviews.get(request_id)
        if review is None:
            raise NotFound(f"no review for request {request_id}")
        return review

    async def queue(self, state: ReviewState, limit: int) -> list[Review]:
        return await self._reviews.find({"state": state.value}, sort=[("waiting_since", ASCENDING)], limit=limit)
