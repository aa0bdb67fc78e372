"""The publisher's use cases."""

from pydantic import AnyHttpUrl
from pymongo import ASCENDING

from warta.contracts import Approved, CoverageSubmitted, IllegalTransition, NotFound, ReviewLevel
from warta.runtime import Clock, Principal, RetryLater, ServiceMetrics, Tx, UnitOfWork

from .domain import Publication, PublicationState, Submission
from .store import PublisherStore


class PublisherHandlers:
    def __init__(self, store: PublisherStore, uow: UnitOfWork, clock: Clock, metrics: ServiceMetrics) -> None:
        self._store = store
        self._uow = uow
        self._clock = clock
        self._metrics = metrics

    async def keep_submission(self, submitted: CoverageSubmitted) -> None:
        async def work(tx: Tx) -> None:
            await self._store.keep_submission(tx, Submission.of(submitted))

        await self._uow.run(work, consumes=submitted)

    async def order_publication(self, approved: Approved) -> None:
        """Only the section head's approval orders publication; the team lead's passes it on."""
        if approved.data.level is not ReviewLevel.SECTION_HEAD:
            return

        async def work(tx: Tx) -> None:
            submission = await self._store.get_submission(tx, approved.data.request_id, approved.data.version)
            if submission is None:
                # Consumers of different subjects do not share an order: the version's content
                # may still be on its way.
                raise RetryLater(f"version {approved.data.version} of {approved.data.request_id} not received yet")
            if await self._store.publications.get(approved.data.request_id, tx) is None:
                await self._store.publications.insert(tx, Publication.order(approved, submission))

        await self._uow.run(work, consumes=approved)

    async def record_publication(self, request_id: str, *, website_url: AnyHttpUrl, officer: Principal) -> Publication:
        now = self._clock.now()

        async def work(tx: Tx) -> Publication:
            publication = await self._store.publications.get(request_id, tx)
            if publication is None:
                raise IllegalTransition(
                    current="not_ordered",
                    attempted="publish",
                    message=f"request {request_id} has no publication ordered by the section head",
                )
            publication.record(website_url=website_url, now=now, actor=officer.actor)
            await self._store.publications.save(tx, publication)
            tx.emit(*publication.events)
            return publication

        publication = await self._uow.run(work)
        self._metrics.step_finished(7, publication.ordered_at, now)
        return publication

    async def get(self, request_id: str) -> Publication:
        publication = await self._store.publications.get(request_id)
        if publication is None:
            raise NotFound(f"no publication for request {request_id}")
        return publication

    async def list(self, state: PublicationState, limit: int) -> list[Publication]:
        return await self._store.publications.find(
            {"state": state.value}, sort=[("ordered_at", ASCENDING)], limit=limit
        )
