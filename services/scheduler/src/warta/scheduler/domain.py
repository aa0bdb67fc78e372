"""Step 3 of SOP 58/2025: the team lead splits the coverage teams over the leadership agenda."""

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel

from warta.contracts import (
    Actor,
    DispositionInstruction,
    DispositionIssued,
    FieldProblem,
    IllegalTransition,
    InvalidInput,
    LeadershipEvent,
    TeamAssigned,
    TeamAssignedData,
    TeamMember,
)
from warta.runtime.aggregate import Aggregate


class AgendaState(StrEnum):
    AWAITING_ASSIGNMENT = "awaiting_assignment"
    ASSIGNED = "assigned"


class Assignment(BaseModel):
    revision: int
    members: tuple[TeamMember, ...]
    equipment: tuple[str, ...]
    needs_video: bool
    assigned_by: str
    assigned_at: AwareDatetime
    coverage_starts_at: AwareDatetime


class AgendaEntry(Aggregate):
    """A leadership event on the agenda, created when the section head forwards its request."""

    request_id: str
    agenda_number: str
    event: LeadershipEvent
    instructions: tuple[DispositionInstruction, ...]
    notes: str | None = None
    correlation_id: str
    disposed_at: AwareDatetime
    state: AgendaState = AgendaState.AWAITING_ASSIGNMENT
    assignment: Assignment | None = None

    @classmethod
    def from_disposition(cls, disposition: DispositionIssued) -> "AgendaEntry":
        return cls(
            request_id=disposition.data.request_id,
            agenda_number=disposition.data.agenda_number,
            event=disposition.data.event,
            instructions=disposition.data.instructions,
            notes=disposition.data.notes,
            correlation_id=disposition.correlation_id,
            disposed_at=disposition.time,
        )

    def assign(
        self,
        *,
        members: tuple[TeamMember, ...],
        equipment: tuple[str, ...],
        needs_video: bool,
        now: datetime,
        actor: Actor,
    ) -> None:
        """Step 3: put a team (and its kit) on this event; step 4's clock starts at the later of
        now and the event's start."""
        if self.state is not AgendaState.AWAITING_ASSIGNMENT:
            raise IllegalTransition(current=self.state.value, attempted="assign a team")
        problems = []
        if not members:
            problems.append(FieldProblem("members", "a coverage team needs at least one officer"))
        officers = [m.officer_id for m in members]
        if len(set(officers)) != len(officers):
            problems.append(FieldProblem("members", "an officer is listed more than once"))
        if len(set(equipment)) != len(equipment):
            problems.append(FieldProblem("equipment", "an item is listed more than once"))
        if problems:
            raise InvalidInput("the assignment is not valid", fields=problems)
        coverage_starts_at = max(now, self.event.starts_at)
        self.assignment = Assignment(
            revision=1,
            members=members,
            equipment=equipment,
            needs_video=needs_video,
            assigned_by=actor.officer_id,
            assigned_at=now,
            coverage_starts_at=coverage_starts_at,
        )
        self.state = AgendaState.ASSIGNED
        self.changed(
            TeamAssigned.occurred(
                data=TeamAssignedData(
                    request_id=self.request_id,
                    revision=1,
                    members=members,
                    equipment=equipment,
                    needs_video=needs_video,
                    event=self.event,
                    coverage_starts_at=coverage_starts_at,
                ),
                request_id=self.request_id,
                time=now,
                correlation_id=self.correlation_id,
                actor=actor,
            )
        )
