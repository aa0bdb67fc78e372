"""Steps 5 and 6 of SOP 58/2025: two-level verification of the coverage.

Team lead (step 5): reject → back to the coverage team (step 4, a new version);
approve → to the section head. Section head (step 6): reject → back to the team lead (step 5);
approve → publication is ordered.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, Field

from warta.contracts import (
    FIRST_SOP,
    Actor,
    Approved,
    ApprovedData,
    CoverageSubmitted,
    Event,
    FieldProblem,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    Rejected,
    RejectedData,
    RejectionReason,
    ReviewLevel,
    Role,
)
from warta.runtime.aggregate import Aggregate


class ReviewState(StrEnum):
    AWAITING_TEAM_LEAD = "awaiting_team_lead"  # step 5
    AWAITING_SECTION_HEAD = "awaiting_section_head"  # step 6
    RETURNED_TO_COVERAGE = "returned_to_coverage"  # step 4 again, waiting for a new version
    APPROVED = "approved"  # publication ordered


class Outcome(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


# Who may decide each level. The section head may take level 1 over from a team lead who worked
# on the coverage (and so may not approve it); level 2 is the section head's alone.
LEVEL_ROLES = {
    ReviewLevel.TEAM_LEAD: (Role.TEAM_LEAD, Role.SECTION_HEAD),
    ReviewLevel.SECTION_HEAD: (Role.SECTION_HEAD,),
}
LEVEL_STATE = {
    ReviewLevel.TEAM_LEAD: ReviewState.AWAITING_TEAM_LEAD,
    ReviewLevel.SECTION_HEAD: ReviewState.AWAITING_SECTION_HEAD,
}
# The SOP step each level is, by its key in the request's revision.
STEP_OF_LEVEL = {ReviewLevel.TEAM_LEAD: "team_lead_review", ReviewLevel.SECTION_HEAD: "section_head_review"}


class Decision(BaseModel):
    version: int
    level: ReviewLevel
    outcome: Outcome
    reason: RejectionReason | None = None
    note: str | None = None
    decided_by: str
    decided_at: AwareDatetime
    waited_since: AwareDatetime


class Review(Aggregate):
    """The verification of one request's coverage, across all its versions."""

    request_id: str
    correlation_id: str
    sop: str = FIRST_SOP  # the request's SOP revision, from the event that began this record
    version: int
    state: ReviewState
    waiting_since: AwareDatetime
    authors: tuple[str, ...] = Field(default=(), description="Who worked on the version under review.")
    corrected_by: str | None = None
    history: list[Decision] = Field(default_factory=list)

    @classmethod
    def start(cls, submitted: CoverageSubmitted) -> "Review":
        review = cls(
            request_id=submitted.data.request_id,
            correlation_id=submitted.correlation_id,
            sop=submitted.sop,
            version=0,
            state=ReviewState.AWAITING_TEAM_LEAD,
            waiting_since=submitted.time,
        )
        review.receive(submitted)
        return review

    def receive(self, submitted: CoverageSubmitted) -> bool:
        """A newer version goes to the team lead; a repeat or an older one changes nothing."""
        if submitted.data.version <= self.version:
            return False
        self.version = submitted.data.version
        self.state = ReviewState.AWAITING_TEAM_LEAD
        self.waiting_since = submitted.time
        # A team lead's corrections after a return do not make them an author of the coverage.
        self.corrected_by = submitted.data.corrected_by
        self.authors = tuple(c for c in submitted.data.contributors if c != submitted.data.corrected_by)
        self.changed()
        return True

    def decide(
        self,
        *,
        version: int,
        level: ReviewLevel,
        outcome: Outcome,
        reason: RejectionReason | None,
        note: str | None,
        now: datetime,
        actor: Actor,
    ) -> Decision:
        """Step 5 or 6: approve the version under review or return it, with a reason and a note."""
        self._require_decider(level, outcome, actor)
        self._require_decidable(version, level, outcome)
        if outcome is Outcome.REJECT:
            _require_why(reason, note)
        decision = Decision(
            version=version,
            level=level,
            outcome=outcome,
            reason=reason if outcome is Outcome.REJECT else None,
            note=note,
            decided_by=actor.officer_id,
            decided_at=now,
            waited_since=self.waiting_since,
        )
        self.history.append(decision)
        self.waiting_since = now
        self.changed(self._decided(decision, actor))
        return decision

    def _require_decider(self, level: ReviewLevel, outcome: Outcome, actor: Actor) -> None:
        if actor.role not in LEVEL_ROLES[level]:
            allowed = " or ".join(r.value for r in LEVEL_ROLES[level])
            raise Forbidden(f"the {level.value} level is decided by {allowed}")
        if outcome is Outcome.APPROVE and actor.officer_id in self.authors:
            raise Forbidden(
                f"{actor.officer_id} worked on version {self.version} and may not approve it; "
                "hand this level to the section head or another team lead"
            )

    def _require_decidable(self, version: int, level: ReviewLevel, outcome: Outcome) -> None:
        if self.state is not LEVEL_STATE[level]:
            raise IllegalTransition(current=self.state.value, attempted=f"decide at {level.value} level")
        returned = any(
            d.version == version and d.level is ReviewLevel.SECTION_HEAD and d.outcome is Outcome.REJECT
            for d in self.history
        )
        if returned and level is ReviewLevel.TEAM_LEAD and outcome is Outcome.APPROVE:
            raise IllegalTransition(
                current=self.state.value,
                attempted=f"approve version {version} again",
                message=f"the section head returned version {version}: reject it on to the team "
                "or correct it into a new version and approve that",
            )
        if version != self.version:
            raise IllegalTransition(
                current=self.state.value,
                attempted=f"decide version {version}",
                message=f"version {version} is not the one under review (version {self.version})",
            )

    def _decided(self, decision: Decision, actor: Actor) -> Event:
        """Move to the state after the decision and return its event."""
        level, version = decision.level, decision.version
        if decision.outcome is Outcome.APPROVE:
            self.state = ReviewState.AWAITING_SECTION_HEAD if level is ReviewLevel.TEAM_LEAD else ReviewState.APPROVED
            return Approved.occurred(
                data=ApprovedData(request_id=self.request_id, version=version, level=level),
                request_id=self.request_id,
                time=decision.decided_at,
                correlation_id=self.correlation_id,
                sop=self.sop,
                actor=actor,
            )
        assert decision.reason is not None
        assert decision.note is not None
        self.state = (
            ReviewState.RETURNED_TO_COVERAGE if level is ReviewLevel.TEAM_LEAD else ReviewState.AWAITING_TEAM_LEAD
        )
        data = RejectedData(
            request_id=self.request_id, version=version, level=level, reason=decision.reason, note=decision.note
        )
        return Rejected.occurred(
            data=data,
            request_id=self.request_id,
            time=decision.decided_at,
            correlation_id=self.correlation_id,
            sop=self.sop,
            actor=actor,
        )


def _require_why(reason: RejectionReason | None, note: str | None) -> None:
    """A return names its reason and says what to fix."""
    problems = []
    if reason is None:
        problems.append(FieldProblem("reason", "a rejection needs a reason", type="rejection_needs_reason"))
    if not note or not note.strip():
        problems.append(
            FieldProblem("note", "a rejection needs a note saying what to fix", type="rejection_needs_note")
        )
    if problems:
        raise InvalidInput("the rejection does not say why", fields=problems)
