"""The archive service's answers, generated from its OpenAPI document by
``python -m warta.devstack console-clients``: do not edit."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field


class Calendar(StrEnum):
    WALL = "wall"
    OFFICE = "office"


class DossierState(StrEnum):
    RECEIVED = "received"
    DISPOSED = "disposed"
    DECLINED = "declined"
    ASSIGNED = "assigned"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    APPROVED = "approved"
    PUBLISHED = "published"


class Entry(BaseModel):
    officer_id: Annotated[str | None, Field(title="Officer Id")]
    officer_name: Annotated[str | None, Field(title="Officer Name")] = None
    role: Annotated[str | None, Field(title="Role")]
    sequence: Annotated[int, Field(title="Sequence")]
    time: Annotated[AwareDatetime, Field(title="Time")]
    type: Annotated[str | None, Field(title="Type")]
    what: Annotated[str, Field(title="What")]


class Explanation(BaseModel):
    explanation: Annotated[str, Field(max_length=2000, min_length=1, title="Explanation")]


class FieldProblemBody(BaseModel):
    field: Annotated[str, Field(title="Field")]
    limits: Annotated[dict[str, str] | None, Field(title="Limits")] = None
    message: Annotated[str, Field(title="Message")]
    type: Annotated[str | None, Field(title="Type")] = None


class Leader(StrEnum):
    WALI_KOTA = "wali_kota"
    WAKIL_WALI_KOTA = "wakil_wali_kota"
    SEKDA = "sekda"
    LAINNYA = "lainnya"


class OfficerOverruns(BaseModel):
    officer_id: Annotated[str, Field(title="Officer Id")]
    overrun_minutes: Annotated[float, Field(title="Overrun Minutes")]
    overruns: Annotated[int, Field(title="Overruns")]


class OverdueRun(BaseModel):
    agenda_number: Annotated[str | None, Field(title="Agenda Number")] = None
    over_minutes: Annotated[float, Field(title="Over Minutes")]
    request_id: Annotated[str, Field(title="Request Id")]
    sop: Annotated[str, Field(title="Sop")]
    started_at: Annotated[AwareDatetime, Field(title="Started At")]
    step: Annotated[int, Field(title="Step")]
    title: Annotated[str | None, Field(title="Title")] = None


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


class RecordClass(StrEnum):
    PUBLISHED = "published"
    DECLINED = "declined"
    UNREADABLE = "unreadable"


class RetentionLineView(BaseModel):
    keep_years: Annotated[int, Field(title="Keep Years")]
    oldest_end: Annotated[str | None, Field(title="Oldest End")]
    record_class: RecordClass
    records: Annotated[int, Field(title="Records")]
    requests: Annotated[int, Field(title="Requests")]


class Role(StrEnum):
    ADMIN = "admin"
    SECTION_HEAD = "section_head"
    TEAM_LEAD = "team_lead"
    COVERAGE_TEAM = "coverage_team"


class StepRun(BaseModel):
    finished_at: Annotated[AwareDatetime | None, Field(title="Finished At")]
    officer_id: Annotated[str | None, Field(title="Officer Id")] = None
    over: Annotated[bool | None, Field(title="Over")]
    run: Annotated[int, Field(title="Run")]
    seconds: Annotated[float | None, Field(title="Seconds")]
    sop: Annotated[str, Field(title="Sop")]
    standard_seconds: Annotated[float, Field(title="Standard Seconds")]
    started_at: Annotated[AwareDatetime, Field(title="Started At")]
    step: Annotated[int, Field(title="Step")]


class StepSummary(BaseModel):
    finished: Annotated[int, Field(title="Finished")]
    over: Annotated[int, Field(title="Over")]
    sop: Annotated[str, Field(title="Sop")]
    standard_minutes: Annotated[int, Field(title="Standard Minutes")]
    step: Annotated[int, Field(title="Step")]
    within: Annotated[int, Field(title="Within")]
    within_percent: Annotated[float | None, Field(title="Within Percent")]


class Timeline(BaseModel):
    entries: Annotated[list[Entry], Field(title="Entries")]
    request_id: Annotated[str, Field(title="Request Id")]
    steps: Annotated[list[StepRun], Field(title="Steps")]


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


class Dossier(BaseModel):
    agenda_number: Annotated[str | None, Field(title="Agenda Number")] = None
    ended_at: Annotated[AwareDatetime | None, Field(title="Ended At")] = None
    events: Annotated[int, Field(title="Events")]
    first_at: Annotated[AwareDatetime, Field(title="First At")]
    last_at: Annotated[AwareDatetime, Field(title="Last At")]
    leader: Annotated[str | None, Field(title="Leader")] = None
    letter_number: Annotated[str | None, Field(title="Letter Number")] = None
    received_at: Annotated[AwareDatetime | None, Field(title="Received At")] = None
    request_id: Annotated[str, Field(title="Request Id")]
    sender: Annotated[str | None, Field(title="Sender")] = None
    sop: Annotated[str | None, Field(title="Sop")] = "58/2025"
    state: DossierState
    title: Annotated[str | None, Field(title="Title")] = None
    unknown_events: Annotated[int, Field(title="Unknown Events")]
    website_url: Annotated[str | None, Field(title="Website Url")] = None


class SopSummary(BaseModel):
    officers: Annotated[list[OfficerOverruns], Field(title="Officers")]
    overdue: Annotated[list[OverdueRun], Field(title="Overdue")]
    steps: Annotated[list[StepSummary], Field(title="Steps")]
