"""Random sequences of submissions and decisions: no illegal transition is ever accepted, every
legal one is, and the review's state is always what its event history says."""

from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from warta.contracts import (
    Actor,
    Approved,
    AssetKind,
    AssetRef,
    CoverageSubmitted,
    CoverageSubmittedData,
    DomainError,
    PressRelease,
    Rejected,
    RejectionReason,
    ReviewLevel,
    Role,
)
from warta.review.domain import Outcome, Review, ReviewState

T0 = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
OFFICERS = {
    "rina": Role.TEAM_LEAD,
    "sari": Role.TEAM_LEAD,
    "hendra": Role.SECTION_HEAD,
    "dewi": Role.COVERAGE_TEAM,
}
TL, SH = ReviewLevel.TEAM_LEAD, ReviewLevel.SECTION_HEAD


class ReviewMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.review: Review | None = None
        self.history: list[tuple[str, object]] = []  # ("submitted", version) or ("event", Event)
        self.authors: tuple[str, ...] = ()
        self.minutes = 0

    def _tick(self) -> datetime:
        self.minutes += 1
        return T0 + timedelta(minutes=self.minutes)

    @rule(
        step=st.sampled_from([-1, 0, 1, 1, 1]),
        team=st.lists(st.sampled_from(sorted(OFFICERS)), min_size=1, max_size=3, unique=True),
        corrected=st.booleans(),
    )
    def submit(self, step: int, team: list[str], corrected: bool) -> None:
        current = self.review.version if self.review else 0
        version = max(1, current + step)
        corrected_by = "rina" if corrected else None
        submitted = CoverageSubmitted.occurred(
            data=CoverageSubmittedData(
                request_id="r",
                version=version,
                press_release=PressRelease(title="t", body="b"),
                assets=(AssetRef(kind=AssetKind.PHOTO, uri="u", sha256="0" * 64),),
                submitted_by=corrected_by or team[0],
                contributors=tuple(dict.fromkeys([*team, *([corrected_by] if corrected_by else [])])),
                corrected_by=corrected_by,
            ),
            request_id="r",
            time=self._tick(),
        )
        if self.review is None:
            self.review = Review.start(submitted)
            accepted = True
        else:
            accepted = self.review.receive(submitted)
        assert accepted == (version > current), "only a newer version is taken"
        if accepted:
            self.history.append(("submitted", version))
            self.authors = tuple(c for c in submitted.data.contributors if c != corrected_by)

    @rule(
        officer=st.sampled_from(sorted(OFFICERS)),
        level=st.sampled_from([TL, SH]),
        outcome=st.sampled_from([Outcome.APPROVE, Outcome.REJECT]),
        version_offset=st.sampled_from([0, 0, 0, -1, 1]),
        says_why=st.booleans(),
    )
    def decide(self, officer: str, level: ReviewLevel, outcome: Outcome, version_offset: int, says_why: bool) -> None:
        if self.review is None:
            return
        review = self.review
        version = review.version + version_offset
        actor = Actor(officer_id=officer, role=OFFICERS[officer])
        legal = self._legal(actor, level, outcome, version, says_why)
        before = review.model_dump()
        events_before = len(review.events)
        try:
            review.decide(
                version=version,
                level=level,
                outcome=outcome,
                reason=RejectionReason.LANGUAGE if says_why else None,
                note="perbaiki" if says_why else None,
                now=self._tick(),
                actor=actor,
            )
        except DomainError:
            assert not legal, f"a legal decision was refused: {officer} {level} {outcome} v{version}"
            assert review.model_dump() == before, "a refused decision changed the review"
            assert len(review.events) == events_before
            return
        assert legal, f"an illegal decision was accepted: {officer} {level} {outcome} v{version}"
        self.history.append(("event", review.events[-1]))

    def _legal(self, actor: Actor, level: ReviewLevel, outcome: Outcome, version: int, says_why: bool) -> bool:
        """The SOP's rules, written a second time, independently of the domain."""
        review = self.review
        assert review is not None
        allowed = {TL: {Role.TEAM_LEAD, Role.SECTION_HEAD}, SH: {Role.SECTION_HEAD}}[level]
        waiting = {TL: ReviewState.AWAITING_TEAM_LEAD, SH: ReviewState.AWAITING_SECTION_HEAD}[level]
        returned_by_head = any(
            kind == "event" and isinstance(e, Rejected) and e.data.level is SH and e.data.version == version
            for kind, e in self.history
        )
        return (
            actor.role in allowed
            and review.state is waiting
            and version == review.version
            and (outcome is Outcome.REJECT or actor.officer_id not in self.authors)
            and (outcome is Outcome.APPROVE or says_why)
            and not (level is TL and outcome is Outcome.APPROVE and returned_by_head)
        )

    @invariant()
    def state_follows_the_history(self) -> None:
        if self.review is None:
            return
        expected, version = ReviewState.AWAITING_TEAM_LEAD, 0
        for kind, item in self.history:
            if kind == "submitted":
                expected, version = ReviewState.AWAITING_TEAM_LEAD, item
            elif isinstance(item, Approved):
                expected = ReviewState.AWAITING_SECTION_HEAD if item.data.level is TL else ReviewState.APPROVED
            elif isinstance(item, Rejected):
                expected = ReviewState.RETURNED_TO_COVERAGE if item.data.level is TL else ReviewState.AWAITING_TEAM_LEAD
        assert (self.review.state, self.review.version) == (expected, version)
        decided = [e for kind, e in self.history if kind == "event"]
        assert len(self.review.history) == len(decided)


TestReviewStateMachine = ReviewMachine.TestCase
TestReviewStateMachine.settings = settings(max_examples=200, stateful_step_count=30, deadline=None)
