from datetime import UTC, datetime, timedelta

import pytest

from warta.contracts import (
    Actor,
    Approved,
    AssetKind,
    AssetRef,
    CoverageSubmitted,
    CoverageSubmittedData,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    PressRelease,
    Rejected,
    RejectionReason,
    ReviewLevel,
    Role,
)
from warta.review.domain import Outcome, Review, ReviewState

T0 = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
LEAD = Actor(officer_id="rina", role=Role.TEAM_LEAD)
HEAD = Actor(officer_id="hendra", role=Role.SECTION_HEAD)
TL, SH = ReviewLevel.TEAM_LEAD, ReviewLevel.SECTION_HEAD


def submitted(
    version: int, at: datetime = T0, contributors: tuple[str, ...] = ("dewi",), corrected_by: str | None = None
) -> CoverageSubmitted:
    return CoverageSubmitted.occurred(
        data=CoverageSubmittedData(
            request_id="r1",
            version=version,
            press_release=PressRelease(title="t", body="b"),
            assets=(AssetRef(kind=AssetKind.PHOTO, uri="x", sha256="0" * 64),),
            submitted_by=corrected_by or contributors[0],
            contributors=contributors,
            corrected_by=corrected_by,
        ),
        request_id="r1",
        time=at,
    )


def decide(review, actor, level, outcome, version=1, minutes=10, **why):
    return review.decide(
        version=version,
        level=level,
        outcome=outcome,
        reason=why.get("reason"),
        note=why.get("note"),
        now=T0 + timedelta(minutes=minutes),
        actor=actor,
    )


def test_the_happy_path_needs_both_levels():
    review = Review.start(submitted(1))
    decide(review, LEAD, TL, Outcome.APPROVE)
    assert review.state is ReviewState.AWAITING_SECTION_HEAD
    decide(review, HEAD, SH, Outcome.APPROVE, minutes=20)
    assert review.state is ReviewState.APPROVED
    assert [(type(e), e.data.level) for e in review.events] == [(Approved, TL), (Approved, SH)]


def test_a_team_lead_rejection_returns_the_work_to_the_team():
    review = Review.start(submitted(1))
    decide(review, LEAD, TL, Outcome.REJECT, reason=RejectionReason.LANGUAGE, note="ejaan")
    assert review.state is ReviewState.RETURNED_TO_COVERAGE
    assert isinstance(review.events[-1], Rejected)
    assert review.receive(submitted(2)) is True
    assert (review.state, review.version) == (ReviewState.AWAITING_TEAM_LEAD, 2)
    assert review.receive(submitted(2)) is False  # a repeat changes nothing


def test_a_section_head_rejection_returns_the_work_to_the_team_lead():
    review = Review.start(submitted(1))
    decide(review, LEAD, TL, Outcome.APPROVE)
    decide(review, HEAD, SH, Outcome.REJECT, reason=RejectionReason.SENSITIVITY, note="protokol")
    assert review.state is ReviewState.AWAITING_TEAM_LEAD
    assert review.events[-1].data.level is SH
    with pytest.raises(IllegalTransition, match="returned version 1"):
        decide(review, LEAD, TL, Outcome.APPROVE, minutes=30)  # unchanged, it cannot just go up again
    # Either on to the team...
    passed_on = review.model_copy(deep=True)
    decide(passed_on, LEAD, TL, Outcome.REJECT, minutes=30, reason=RejectionReason.SENSITIVITY, note="protokol")
    assert passed_on.state is ReviewState.RETURNED_TO_COVERAGE
    # ...or corrected by the team lead into version 2, which the team lead may approve.
    assert review.receive(submitted(2, contributors=("dewi", "rina"), corrected_by="rina"))
    assert review.authors == ("dewi",)
    decide(review, LEAD, TL, Outcome.APPROVE, version=2, minutes=40)
    assert review.state is ReviewState.AWAITING_SECTION_HEAD


def test_level_two_cannot_decide_before_level_one():
    review = Review.start(submitted(1))
    with pytest.raises(IllegalTransition):
        decide(review, HEAD, SH, Outcome.APPROVE)
    assert review.events == []
    assert review.state is ReviewState.AWAITING_TEAM_LEAD


def test_the_wrong_role_is_forbidden_at_each_level():
    review = Review.start(submitted(1))
    with pytest.raises(Forbidden):
        decide(review, Actor(officer_id="joko", role=Role.COVERAGE_TEAM), TL, Outcome.APPROVE)
    decide(review, LEAD, TL, Outcome.APPROVE)
    with pytest.raises(Forbidden):
        decide(review, LEAD, SH, Outcome.APPROVE)


def test_nobody_approves_coverage_they_worked_on_and_level_one_can_be_handed_over():
    review = Review.start(submitted(1, contributors=("dewi", "rina")))  # the team lead was on the team
    with pytest.raises(Forbidden, match="hand this level"):
        decide(review, LEAD, TL, Outcome.APPROVE)
    assert review.history == []
    # Rejecting what one worked on is allowed; approving it is not.
    other_lead = Actor(officer_id="sari", role=Role.TEAM_LEAD)
    decide(review, other_lead, TL, Outcome.APPROVE)
    assert review.state is ReviewState.AWAITING_SECTION_HEAD

    handed = Review.start(submitted(1, contributors=("dewi", "rina")))
    decide(handed, HEAD, TL, Outcome.APPROVE)  # the section head takes level 1 over
    decide(handed, HEAD, SH, Outcome.APPROVE, minutes=20)
    assert handed.state is ReviewState.APPROVED

    own = Review.start(submitted(1, contributors=("hendra",)))
    decide(own, LEAD, TL, Outcome.APPROVE)
    with pytest.raises(Forbidden):
        decide(own, HEAD, SH, Outcome.APPROVE)


def test_a_stale_version_and_a_second_decision_are_refused():
    review = Review.start(submitted(1))
    decide(review, LEAD, TL, Outcome.REJECT, reason=RejectionReason.OTHER, note="x")
    review.receive(submitted(2))
    with pytest.raises(IllegalTransition, match="version 1"):
        decide(review, LEAD, TL, Outcome.APPROVE, version=1)
    decide(review, LEAD, TL, Outcome.APPROVE, version=2)
    with pytest.raises(IllegalTransition):
        decide(review, LEAD, TL, Outcome.APPROVE, version=2)


def test_every_rejection_says_why():
    review = Review.start(submitted(1))
    with pytest.raises(InvalidInput) as refused:
        decide(review, LEAD, TL, Outcome.REJECT, note="  ")
    assert {f.field for f in refused.value.fields} == {"reason", "note"}
    assert review.history == []


def test_each_decision_remembers_how_long_it_waited():
    review = Review.start(submitted(1, at=T0))
    first = decide(review, LEAD, TL, Outcome.APPROVE, minutes=12)
    second = decide(review, HEAD, SH, Outcome.APPROVE, minutes=50)
    assert first.waited_since == T0
    assert second.waited_since == T0 + timedelta(minutes=12)
