"""The intake service's answers, generated from its OpenAPI document by
``python -m warta.devstack console-clients``: do not edit."""

from __future__ import annotations

from datetime import date as date_aliased
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, Field


class AgendaNumber(BaseModel):
    agenda_number: Annotated[str, Field(title="Agenda Number")]
    event_title: Annotated[
        str, Field(description="The title of the event the request is for, as the lists name it.", title="Event Title")
    ]
    id: Annotated[str, Field(title="Id")]


class ContactPerson(BaseModel):
    name: Annotated[str, Field(max_length=200, min_length=1, title="Name")]
    phone: Annotated[
        str, Field(description="Phone or WhatsApp number.", pattern="^\\+?[0-9][0-9 ()-]{5,24}$", title="Phone")
    ]
    position: Annotated[str | None, Field(max_length=200, title="Position")] = None


class Decline(BaseModel):
    reason: Annotated[str, Field(max_length=2000, min_length=1, title="Reason")]


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


class Explanation(BaseModel):
    explanation: Annotated[str, Field(max_length=2000, min_length=1, title="Explanation")]


class FieldChange(BaseModel):
    after: Annotated[Any, Field(title="After")]
    before: Annotated[Any, Field(title="Before")]
    field: Annotated[str, Field(title="Field")]


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


class LeadershipEvent(BaseModel):
    ends_at: Annotated[AwareDatetime, Field(title="Ends At")]
    leader: Leader
    location: Annotated[str, Field(max_length=300, min_length=1, title="Location")]
    starts_at: Annotated[AwareDatetime, Field(title="Starts At")]
    title: Annotated[str, Field(max_length=300, min_length=1, title="Title")]


class LetterNature(StrEnum):
    SANGAT_SEGERA = "sangat_segera"
    SEGERA = "segera"
    BIASA = "biasa"


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


class RequestState(StrEnum):
    REGISTERED = "registered"
    AWAITING_DISPOSITION = "awaiting_disposition"
    DISPOSED = "disposed"
    DECLINED = "declined"


class Role(StrEnum):
    ADMIN = "admin"
    SECTION_HEAD = "section_head"
    TEAM_LEAD = "team_lead"
    COVERAGE_TEAM = "coverage_team"


class ScanType(StrEnum):
    APPLICATION_PDF = "application/pdf"
    IMAGE_JPEG = "image/jpeg"
    IMAGE_PNG = "image/png"


class SenderKind(StrEnum):
    OPD = "opd"
    INSTANSI = "instansi"
    LEMBAGA = "lembaga"
    LAINNYA = "lainnya"


class SheetIssue(BaseModel):
    issued_at: Annotated[AwareDatetime, Field(title="Issued At")]
    issued_by: Annotated[str, Field(title="Issued By")]
    issued_by_name: Annotated[str | None, Field(title="Issued By Name")] = None


class Clash(BaseModel):
    agenda_number: Annotated[str, Field(title="Agenda Number")]
    ends_at: Annotated[AwareDatetime, Field(title="Ends At")]
    leader: Leader
    location: Annotated[str, Field(title="Location")]
    request_id: Annotated[str, Field(title="Request Id")]
    same_leader: Annotated[
        bool,
        Field(
            description="The same leader cannot be at both: a true clash, not just a busy team.", title="Same Leader"
        ),
    ]
    starts_at: Annotated[AwareDatetime, Field(title="Starts At")]
    title: Annotated[str, Field(title="Title")]


class Correction(BaseModel):
    changes: Annotated[list[FieldChange], Field(title="Changes")]
    corrected_at: Annotated[AwareDatetime, Field(title="Corrected At")]
    corrected_by: Annotated[str, Field(title="Corrected By")]


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


class Dispose(BaseModel):
    instructions: Annotated[
        list[DispositionInstruction],
        Field(description="The boxes ticked on the sheet.", max_length=7, min_length=1, title="Instructions"),
    ]
    notes: Annotated[str | None, Field(description="The section head's notes.", max_length=2000, title="Notes")] = None


class Disposition(BaseModel):
    decided_at: Annotated[AwareDatetime, Field(title="Decided At")]
    decided_by: Annotated[str, Field(title="Decided By")]
    decided_by_name: Annotated[str | None, Field(title="Decided By Name")] = None
    decline_reason: Annotated[str | None, Field(title="Decline Reason")] = None
    instructions: Annotated[list[DispositionInstruction] | None, Field(title="Instructions")] = []
    notes: Annotated[str | None, Field(title="Notes")] = None


class Letter(BaseModel):
    confidential: Annotated[bool | None, Field(description="Marked rahasia.", title="Confidential")] = False
    date: Annotated[date_aliased, Field(title="Date")]
    nature: Annotated[LetterNature | None, Field(description="Sifat: urgency of the letter.")] = LetterNature.BIASA
    number: Annotated[
        str, Field(description="The sender's letter number.", max_length=100, min_length=1, title="Number")
    ]
    sender: Annotated[
        str, Field(description="Sending agency or institution.", max_length=200, min_length=1, title="Sender")
    ]
    sender_kind: SenderKind
    subject: Annotated[str, Field(description="Perihal.", max_length=500, min_length=1, title="Subject")]


class LetterScan(BaseModel):
    content_type: ScanType
    filename: Annotated[str | None, Field(title="Filename")] = None
    scan_id: Annotated[str, Field(title="Scan Id")]
    sha256: Annotated[str, Field(title="Sha256")]
    size: Annotated[int, Field(title="Size")]
    uploaded_at: Annotated[AwareDatetime, Field(title="Uploaded At")]
    uploaded_by: Annotated[str, Field(title="Uploaded By")]


class RegisterLetter(BaseModel):
    contact: ContactPerson | None = None
    event: LeadershipEvent
    letter: Letter
    received_at: Annotated[
        AwareDatetime | None,
        Field(description="When the letter arrived (default: now); step 1's clock starts here.", title="Received At"),
    ] = None
    scan_id: Annotated[str | None, Field(description="From POST /scans.", max_length=64, title="Scan Id")] = None


class CorrectLetter(BaseModel):
    contact: ContactPerson | None = None
    event: LeadershipEvent | None = None
    letter: Letter | None = None
    received_at: Annotated[AwareDatetime | None, Field(title="Received At")] = None
    scan_id: Annotated[
        str | None, Field(description="A new scan from POST /scans.", max_length=64, title="Scan Id")
    ] = None


class FacilitationRequest(BaseModel):
    agenda_number: Annotated[str, Field(title="Agenda Number")]
    contact: ContactPerson | None = None
    corrections: Annotated[list[Correction] | None, Field(title="Corrections")] = None
    disposition: Disposition | None = None
    event: LeadershipEvent
    id: Annotated[str, Field(title="Id")]
    letter: Letter
    letter_key: Annotated[str, Field(title="Letter Key")]
    received_at: Annotated[AwareDatetime, Field(title="Received At")]
    registered_at: Annotated[AwareDatetime, Field(title="Registered At")]
    registered_by: Annotated[str, Field(title="Registered By")]
    revision: Annotated[
        int | None, Field(description="Bumped on every change; guards concurrent writers.", title="Revision")
    ] = 1
    scan: LetterScan | None = None
    sheet: SheetIssue | None = None
    sop: Annotated[str | None, Field(title="Sop")] = "58/2025"
    state: RequestState | None = RequestState.REGISTERED


class InboxEntry(BaseModel):
    age_minutes: Annotated[float, Field(title="Age Minutes")]
    overdue: Annotated[bool, Field(title="Overdue")]
    request: FacilitationRequest
    standard_minutes: Annotated[int, Field(title="Standard Minutes")]
    started_at: Annotated[AwareDatetime, Field(title="Started At")]
    step: Annotated[int, Field(title="Step")]


class RequestPage(BaseModel):
    items: Annotated[
        list[FacilitationRequest],
        Field(description="This page of the matches, newest registration first.", title="Items"),
    ]
    limit: Annotated[int, Field(title="Limit")]
    more: Annotated[
        bool | None,
        Field(
            description="True when more requests match than `total` counts: the register holds more matches than the count's bound.",
            title="More",
        ),
    ] = False
    offset: Annotated[int, Field(title="Offset")]
    total: Annotated[
        int,
        Field(
            description="How many requests match; exact when `more` is false. Counting stops at 500 matches (or at `offset` + `limit`, if further) and then gives that bound here, with `more` true.",
            title="Total",
        ),
    ]
