"""Step 3 of SOP 58/2025: the team lead splits the coverage teams over the leadership agenda.

An agenda entry is created when the section head forwards a request; the team lead assigns a
team and kit (step 3 done), and may later replace members or items (a new revision). Whether a
team and kit are free is decided in ``planning``; an entry only records what was accepted.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, Field

from warta.contracts import (
    FIRST_SOP,
    Actor,
    DispositionInstruction,
    DispositionIssued,
    IllegalTransition,
    LeadershipEvent,
    TeamAssigned,
    TeamAssignedData,
    TeamMember,
)
from warta.runtime.aggregate import Aggregate

from .planning import Plan, RecordedOverride, TeamChoice, Window


class AgendaState(StrEnum):
    AWAITING_ASSIGNMENT = "awaiting_assignment"
    ASSIGNED = "assigned"


class Assignment(BaseModel):
    """One revision of the team and kit on an entry."""

    revision: int
    members: tuple[TeamMember, ...]
    equipment: tuple[str, ...]
    needs_video: bool
    assigned_by: str
    assigned_at: AwareDatetime
    coverage_starts_at: AwareDatetime
    overrides: tuple[RecordedOverride, ...] = ()
    reason: str | None = Field(default=None, description="Why the team or kit was replaced (revisions after 1).")


class AgendaEntry(Aggregate):
    """A leadership event on the agenda, created when the section head forwards its request."""

    request_id: str
    agenda_number: str
    event: LeadershipEvent
    instructions: tuple[DispositionInstruction, ...]
    notes: str | None = None
    correlation_id: str
    sop: str = FIRST_SOP  # the request's SOP revision, from the event that began this record
    disposed_at: AwareDatetime
    state: AgendaState = AgendaState.AWAITING_ASSIGNMENT
    assignment: Assignment | None = None
    earlier_assignments: list[Assignment] = Field(default_factory=list)

    @classmethod
    def from_disposition(cls, disposition: DispositionIssued) -> "AgendaEntry":
        return cls(
            request_id=disposition.data.request_id,
            agenda_number=disposition.data.agenda_number,
            event=disposition.data.event,
            instructions=disposition.data.instructions,
            notes=disposition.data.notes,
            correlation_id=disposition.correlation_id,
            sop=disposition.sop,
            disposed_at=disposition.time,
        )

    @property
    def window(self) -> Window:
        return Window(
            request_id=self.request_id,
            agenda_number=self.agenda_number,
            title=self.event.title,
            starts_at=self.event.starts_at,
            ends_at=self.event.ends_at,
        )

    def assign(self, choice: TeamChoice, *, plan: Plan, now: datetime, actor: Actor) -> None:
        """Step 3: put a team and its kit on this event. Step 4's clock starts at the later of now
        and the event's start: an event on Saturday assigned on Tuesday is not four days late."""
        if self.state is not AgendaState.AWAITING_ASSIGNMENT:
            raise IllegalTransition(
                current=self.state.value,
                attempted="assign a team",
                message="a team is assigned already; reassign instead",
            )
        self._record(
            Assignment(
                revision=1,
                members=choice.members,
                equipment=choice.equipment,
                needs_video=choice.needs_video,
                assigned_by=actor.officer_id,
                assigned_at=now,
                coverage_starts_at=max(now, self.event.starts_at),
                overrides=plan.overrides,
            ),
            actor,
        )

    def reassign(self, choice: TeamChoice, *, plan: Plan, reason: str, now: datetime, actor: Actor) -> None:
        """Replace members or items (illness, a breakdown). Step 4's clock keeps running from
        where it started; downstream services take the higher revision."""
        if self.assignment is None:
            raise IllegalTransition(
                current=self.state.value, attempted="reassign", message="nothing to reassign: no team is assigned yet"
            )
        self.earlier_assignments.append(self.assignment)
        self._record(
            Assignment(
                revision=self.assignment.revision + 1,
                members=choice.members,
                equipment=choice.equipment,
                needs_video=choice.needs_video,
                assigned_by=actor.officer_id,
                assigned_at=now,
                coverage_starts_at=self.assignment.coverage_starts_at,
                overrides=plan.overrides,
                reason=reason,
            ),
            actor,
        )

    def _record(self, assignment: Assignment, actor: Actor) -> None:
        self.assignment = assignment
        self.state = AgendaState.ASSIGNED
        self.changed(
            TeamAssigned.occurred(
                data=TeamAssignedData(
                    request_id=self.request_id,
                    revision=assignment.revision,
                    members=assignment.members,
                    equipment=assignment.equipment,
                    needs_video=assignment.needs_video,
                    event=self.event,
                    coverage_starts_at=assignment.coverage_starts_at,
                    reason=assignment.reason,
                ),
                request_id=self.request_id,
                time=assignment.assigned_at,
                correlation_id=self.correlation_id,
                sop=self.sop,
                actor=actor,
            )
        )
