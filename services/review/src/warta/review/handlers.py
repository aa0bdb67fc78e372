"""The review service's use cases: versions in, decisions out, and what reviewers look at."""

import asyncio
from dataclasses import dataclass

from prometheus_client import Counter
from pymongo import ASCENDING

from warta.contracts import (
    SOP,
    CoverageSubmitted,
    Forbidden,
    IllegalTransition,
    NotFound,
    RejectionReason,
    ReviewLevel,
    Role,
)
from warta.runtime import Clock, Principal, ServiceMetrics, Tx, UnitOfWork

from .domain import LEVEL_STATE, STEP_OF_LEVEL, Decision, Outcome, Review, ReviewState
from .store import ReviewStore
from .versions import Anchor, Comment, SubmittedVersion, VersionDiff, diff_versions

# What each role's queue shows: the level that waits for it.
QUEUE_OF = {Role.TEAM_LEAD: ReviewLevel.TEAM_LEAD, Role.SECTION_HEAD: ReviewLevel.SECTION_HEAD}
COMMENTERS = (Role.TEAM_LEAD, Role.SECTION_HEAD, Role.COVERAGE_TEAM)


@dataclass(frozen=True)
class Waiting:
    review: Review
    level: ReviewLevel
    age_minutes: float
    minutes_left: float


class ReviewHandlers:
    def __init__(self, store: ReviewStore, uow: UnitOfWork, clock: Clock, metrics: ServiceMetrics) -> None:
        self._store = store
        self._uow = uow
        self._clock = clock
        self._rejections = Counter(
            "warta_review_rejections",
            "Coverage versions sent back, by review level and reason.",
            ["level", "reason"],
            registry=metrics.registry,
        )

    async def receive_submission(self, submitted: CoverageSubmitted) -> None:
        async def work(tx: Tx) -> None:
            await self._store.keep_version(tx, SubmittedVersion.of(submitted))
            review = await self._store.reviews.get(submitted.data.request_id, tx)
            if review is None:
                await self._store.reviews.insert(tx, Review.start(submitted))
            elif review.receive(submitted):
                await self._store.reviews.save(tx, review)

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
            review = await self._store.reviews.get(request_id, tx)
            if review is None:
                raise IllegalTransition(
                    current="awaiting_submission",
                    attempted=f"decide at {level.value} level",
                    message=f"no coverage of request {request_id} has been submitted for review",
                )
            decision = review.decide(
                version=version, level=level, outcome=outcome, reason=reason, note=note, now=now, actor=officer.actor
            )
            await self._store.reviews.save(tx, review)
            tx.emit(*review.events)
            return decision

        decision = await self._uow.run(work)
        if decision.reason is not None:
            self._rejections.labels(level.value, decision.reason.value).inc()
        return decision

    async def get(self, request_id: str) -> Review:
        review = await self._store.reviews.get(request_id)
        if review is None:
            raise NotFound(f"no review for request {request_id}")
        return review

    async def queue(self, state: ReviewState, limit: int) -> list[Review]:
        return await self._store.reviews.find({"state": state.value}, sort=[("waiting_since", ASCENDING)], limit=limit)

    async def my_queue(self, officer: Principal, limit: int) -> list[Waiting]:
        """What waits for the caller's level, oldest first, with the time left against its standard."""
        level = QUEUE_OF.get(officer.role)
        if level is None:
            return []
        now = self._clock.now()
        waiting = []
        for review in await self.queue(LEVEL_STATE[level], limit):
            standard = SOP.revision(review.sop).keyed(STEP_OF_LEVEL[level]).standard_minutes
            age = (now - review.waiting_since).total_seconds() / 60
            waiting.append(Waiting(review, level, round(age, 1), round(standard - age, 1)))
        return waiting

    # -- what reviewers look at ------------------------------------------------------------------

    async def version(self, request_id: str, version: int) -> SubmittedVersion:
        found = await self._store.version(request_id, version)
        if found is None:
            raise NotFound(f"request {request_id} has no version {version} in review")
        return found

    async def diff(self, request_id: str, older: int, newer: int) -> VersionDiff:
        old, new = await self.version(request_id, older), await self.version(request_id, newer)
        return await asyncio.to_thread(diff_versions, old, new)  # long releases: off the event loop

    async def comment(
        self, request_id: str, *, version: int, anchor: Anchor, text: str, reply_to: str | None, officer: Principal
    ) -> Comment:
        await self._require_commenter(request_id, officer)
        anchor.check_in(await self.version(request_id, version))
        if reply_to is not None:
            parent = await self._store.comment(request_id, reply_to)
            if parent is None:
                raise NotFound(f"no comment {reply_to} on request {request_id}")
            anchor, version = parent.anchor, parent.version  # a reply sits where its thread does
        comment = Comment(
            request_id=request_id,
            version=version,
            anchor=anchor,
            text=text,
            author=officer.officer_id,
            author_name=officer.name,
            written_at=self._clock.now(),
            reply_to=reply_to,
        )
        await self._store.add_comment(comment)
        return comment

    async def resolve(self, request_id: str, comment_id: str, officer: Principal) -> Comment:
        await self._require_commenter(request_id, officer)
        comment = await self._store.comment(request_id, comment_id)
        if comment is None:
            raise NotFound(f"no comment {comment_id} on request {request_id}")
        comment.resolve(by=officer.officer_id, now=self._clock.now(), by_name=officer.name)
        await self._store.save_comment(comment)
        return comment

    async def _require_commenter(self, request_id: str, officer: Principal) -> None:
        """The release is discussed by those who wrote it and those who check it: of the coverage
        team, only the officers who worked on the version under review."""
        if officer.role is Role.COVERAGE_TEAM and officer.officer_id not in (await self.get(request_id)).authors:
            raise Forbidden("this release is discussed by its team, the team lead and the section head")

    async def comments(self, request_id: str) -> list[Comment]:
        return await self._store.comments(request_id)
