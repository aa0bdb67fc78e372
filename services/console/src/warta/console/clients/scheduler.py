"""The scheduler service's answers, generated from its OpenAPI document by
``python -m warta.devstack console-clients``: do not edit."""

from __future__ import annotations

from datetime import date as date_aliased
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field


class AgendaState(StrEnum):
    AWAITING_ASSIGNMENT = "awaiting_assignment"
    ASSIGNED = "assigned"


class Condition(StrEnum):
    READY = "ready"
    IN_REPAIR = "in_repair"


class CoverageRole(StrEnum):
    WRITER = "writer"
    PHOTOGRAPHER = "photographer"
    VIDEOGRAPHER = "videographer"
    EDITOR = "editor"
    SOCIAL_MEDIA = "social_media"


class Calendar(StrEnum):
    WALL = "wall"
    OFFICE = "office"


class DispositionInstruction(StrEnum):
    UNTUK_DIKETAHUI = "untuk_diketahui"
    UNTUK_DITINDAKLANJUTI = "untuk_ditindaklanjuti"
    KOORDINASIKAN = "koordinasikan"
    HADIRI = "hadiri"
    LIPUT_DAN_PUBLIKASIKAN = "liput_dan_publikasikan"
    SIAPKAN_BAHAN = "siapkan_bahan"
    ARSIPKAN = "arsipkan"


class EquipmentKind(StrEnum):
    CAMERA = "camera"
    CAMCORDER = "camcorder"
    AUDIO_RECORDER = "audio_recorder"
    LIGHTING = "lighting"
    VEHICLE = "vehicle"


class Explanation(BaseModel):
    explanation: Annotated[str, Field(max_length=2000, min_length=1, title="Explanation")]


class Feeds(BaseModel):
    agenda: Annotated[str, Field(title="Agenda")]
    mine: Annotated[str, Field(title="Mine")]


class FieldProblemBody(BaseModel):
    field: Annotated[str, Field(title="Field")]
    limits: Annotated[dict[str, str] | None, Field(title="Limits")] = None
    message: Annotated[str, Field(title="Message")]
    type: Annotated[str | None, Field(title="Type")] = None


class Item(BaseModel):
    condition: Condition | None = Condition.READY
    description: Annotated[str | None, Field(max_length=300, title="Description")] = ""
    item_id: Annotated[str, Field(pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", title="Item Id")]
    kind: EquipmentKind
    revision: Annotated[
        int | None, Field(description="Bumped on every change; guards concurrent writers.", title="Revision")
    ] = 1


class ItemUpdate(BaseModel):
    condition: Condition
    description: Annotated[str | None, Field(max_length=300, title="Description")] = ""
    kind: EquipmentKind


class Leader(StrEnum):
    WALI_KOTA = "wali_kota"
    WAKIL_WALI_KOTA = "wakil_wali_kota"
    SEKDA = "sekda"
    LAINNYA = "lainnya"


class LeadershipEvent(BaseModel):
    ends_at: Annotated[AwareDatetime, Field(title="Ends At")]
    leader: Leader
    location: Annotated[str, Field(max_length=300, min_length=1, title="Location")]
    starts_at: Annotated[AwareDatetime, Field(title="Starts At")]
    title: Annotated[str, Field(max_length=300, min_length=1, title="Title")]


class NewItem(BaseModel):
    condition: Condition | None = Condition.READY
    description: Annotated[str | None, Field(max_length=300, title="Description")] = ""
    item_id: Annotated[str, Field(pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", title="Item Id")]
    kind: EquipmentKind


class NewOfficer(BaseModel):
    active: Annotated[bool | None, Field(title="Active")] = True
    name: Annotated[str, Field(max_length=200, min_length=1, title="Name")]
    officer_id: Annotated[str, Field(pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", title="Officer Id")]
    skills: Annotated[list[CoverageRole], Field(min_length=1, title="Skills")]


class NewUnavailability(BaseModel):
    ends_at: Annotated[AwareDatetime, Field(title="Ends At")]
    reason: Annotated[str, Field(max_length=300, min_length=1, title="Reason")]
    starts_at: Annotated[AwareDatetime, Field(title="Starts At")]


class OfficerUpdate(BaseModel):
    active: Annotated[bool | None, Field(title="Active")] = True
    name: Annotated[str, Field(max_length=200, min_length=1, title="Name")]
    skills: Annotated[list[CoverageRole], Field(min_length=1, title="Skills")]


class Override(BaseModel):
    reason: Annotated[str, Field(max_length=1000, min_length=5, title="Reason")]
    resource: Annotated[
        str, Field(description="``officer:<id>`` or ``item:<id>``, as named in the refusal.", title="Resource")
    ]


class PassOver(StrEnum):
    INACTIVE = "inactive"
    UNAVAILABLE = "unavailable"
    BOOKED = "booked"
    IN_REPAIR = "in_repair"


class PassedOver(BaseModel):
    detail: Annotated[
        str | None,
        Field(description="The leave's reason as the roster gives it, or the entry it is booked for.", title="Detail"),
    ] = None
    id: Annotated[str, Field(title="Id")]
    reason: PassOver
    why: Annotated[str, Field(title="Why")]


class Pick(BaseModel):
    free: Annotated[
        int | None,
        Field(description="How many were free for this role or kind; the least loaded was picked.", title="Free"),
    ] = 1
    id: Annotated[str, Field(title="Id")]
    kind: EquipmentKind | None = None
    load_hours: Annotated[
        float, Field(description="Hours booked in the 30 days before this event.", title="Load Hours")
    ]
    role: CoverageRole | None = None
    why: Annotated[str, Field(title="Why")]


class Problem(BaseModel):
    error: Annotated[str, Field(title="Error")]
    fields: Annotated[list[FieldProblemBody], Field(title="Fields")]
    message: Annotated[str, Field(title="Message")]
    state: Annotated[
        str | None,
        Field(
            description="For an illegal transition: the state the record is in, so a face can say why in its own words.",
            title="State",
        ),
    ] = None


class RecordedOverride(BaseModel):
    clashes_with: Annotated[
        list[str], Field(description="Agenda numbers of the entries it clashes with.", title="Clashes With")
    ]
    reason: Annotated[str, Field(max_length=1000, min_length=5, title="Reason")]
    resource: Annotated[
        str, Field(description="``officer:<id>`` or ``item:<id>``, as named in the refusal.", title="Resource")
    ]


class Role(StrEnum):
    ADMIN = "admin"
    SECTION_HEAD = "section_head"
    TEAM_LEAD = "team_lead"
    COVERAGE_TEAM = "coverage_team"


class TeamMember(BaseModel):
    officer_id: Annotated[str, Field(max_length=100, min_length=1, title="Officer Id")]
    role: CoverageRole


class Unavailability(BaseModel):
    ends_at: Annotated[AwareDatetime, Field(title="Ends At")]
    id: Annotated[str | None, Field(title="Id")] = None
    reason: Annotated[str, Field(max_length=300, min_length=1, title="Reason")]
    starts_at: Annotated[AwareDatetime, Field(title="Starts At")]


class Assignment(BaseModel):
    assigned_at: Annotated[AwareDatetime, Field(title="Assigned At")]
    assigned_by: Annotated[str, Field(title="Assigned By")]
    coverage_starts_at: Annotated[AwareDatetime, Field(title="Coverage Starts At")]
    equipment: Annotated[list[str], Field(title="Equipment")]
    members: Annotated[list[TeamMember], Field(title="Members")]
    needs_video: Annotated[bool, Field(title="Needs Video")]
    overrides: Annotated[list[RecordedOverride] | None, Field(title="Overrides", validate_default=True)] = []
    reason: Annotated[
        str | None, Field(description="Why the team or kit was replaced (revisions after 1).", title="Reason")
    ] = None
    revision: Annotated[int, Field(title="Revision")]


class Deviation(BaseModel):
    calendar: Annotated[Calendar, Field(title="Calendar")]
    explained_at: Annotated[AwareDatetime | None, Field(title="Explained At")] = None
    explanation: Annotated[str | None, Field(title="Explanation")] = None
    finished_at: Annotated[AwareDatetime, Field(title="Finished At")]
    id: Annotated[str, Field(title="Id")]
    month: Annotated[str, Field(title="Month")]
    officer_id: Annotated[str | None, Field(title="Officer Id")]
    overrun_seconds: Annotated[float, Field(title="Overrun Seconds")]
    request_id: Annotated[str, Field(title="Request Id")]
    role: Role | None
    seconds: Annotated[float, Field(title="Seconds")]
    sop: Annotated[str | None, Field(title="Sop")] = "58/2025"
    standard_seconds: Annotated[float, Field(title="Standard Seconds")]
    started_at: Annotated[AwareDatetime, Field(title="Started At")]
    step: Annotated[int, Field(title="Step")]


class Officer(BaseModel):
    active: Annotated[bool | None, Field(title="Active")] = True
    name: Annotated[str, Field(max_length=200, min_length=1, title="Name")]
    officer_id: Annotated[str, Field(pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", title="Officer Id")]
    revision: Annotated[
        int | None, Field(description="Bumped on every change; guards concurrent writers.", title="Revision")
    ] = 1
    skills: Annotated[list[CoverageRole], Field(min_length=1, title="Skills")]
    unavailable: Annotated[list[Unavailability] | None, Field(title="Unavailable")] = None


class ReassignTeam(BaseModel):
    equipment: Annotated[list[str] | None, Field(max_length=50, title="Equipment")] = []
    members: Annotated[list[TeamMember], Field(max_length=30, min_length=1, title="Members")]
    needs_video: Annotated[bool | None, Field(title="Needs Video")] = True
    overrides: Annotated[list[Override] | None, Field(max_length=80, title="Overrides", validate_default=True)] = []
    reason: Annotated[
        str, Field(description="Why the team or kit changes.", max_length=1000, min_length=3, title="Reason")
    ]


class Suggestion(BaseModel):
    equipment: Annotated[list[str], Field(title="Equipment")]
    members: Annotated[list[TeamMember], Field(title="Members")]
    missing: Annotated[list[str], Field(description="Roles or kinds of kit nobody free can cover.", title="Missing")]
    passed_over: Annotated[list[PassedOver], Field(title="Passed Over")]
    picks: Annotated[list[Pick], Field(title="Picks")]


class TeamChoice(BaseModel):
    equipment: Annotated[list[str] | None, Field(max_length=50, title="Equipment")] = []
    members: Annotated[list[TeamMember], Field(max_length=30, min_length=1, title="Members")]
    needs_video: Annotated[bool | None, Field(title="Needs Video")] = True
    overrides: Annotated[list[Override] | None, Field(max_length=80, title="Overrides", validate_default=True)] = []


class AgendaEntry(BaseModel):
    agenda_number: Annotated[str, Field(title="Agenda Number")]
    assignment: Assignment | None = None
    correlation_id: Annotated[str, Field(title="Correlation Id")]
    disposed_at: Annotated[AwareDatetime, Field(title="Disposed At")]
    earlier_assignments: Annotated[list[Assignment] | None, Field(title="Earlier Assignments")] = None
    event: LeadershipEvent
    instructions: Annotated[list[DispositionInstruction], Field(title="Instructions")]
    notes: Annotated[str | None, Field(title="Notes")] = None
    request_id: Annotated[str, Field(title="Request Id")]
    revision: Annotated[
        int | None, Field(description="Bumped on every change; guards concurrent writers.", title="Revision")
    ] = 1
    sop: Annotated[str | None, Field(title="Sop")] = "58/2025"
    state: AgendaState | None = AgendaState.AWAITING_ASSIGNMENT


class DayView(BaseModel):
    date: Annotated[date_aliased, Field(title="Date")]
    entries: Annotated[list[AgendaEntry], Field(title="Entries")]


class UnavailabilityRecorded(BaseModel):
    affected: Annotated[
        list[AgendaEntry], Field(description="Assignments the officer is now away for.", title="Affected")
    ]
    officer: Officer


class WeekView(BaseModel):
    days: Annotated[list[DayView], Field(title="Days")]
    starts_on: Annotated[date_aliased, Field(title="Starts On")]
