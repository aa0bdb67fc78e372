"""The notifier service's answers, generated from its OpenAPI document by
``python -m warta.devstack console-clients``: do not edit."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field


class Channel(StrEnum):
    EMAIL = "email"
    WHATSAPP = "whatsapp"


class Calendar(StrEnum):
    WALL = "wall"
    OFFICE = "office"


class DigestItem(BaseModel):
    cause: Annotated[str, Field(title="Cause")]
    kind: Annotated[str, Field(title="Kind")]
    request_id: Annotated[str, Field(title="Request Id")]
    text: Annotated[str, Field(title="Text")]


class DigestKind(StrEnum):
    WAITING = "waiting"
    ASSIGNED = "assigned"
    RETURNED = "returned"
    PUBLISHED = "published"


class Explanation(BaseModel):
    explanation: Annotated[str, Field(max_length=2000, min_length=1, title="Explanation")]


class FieldProblemBody(BaseModel):
    field: Annotated[str, Field(title="Field")]
    limits: Annotated[dict[str, str] | None, Field(title="Limits")] = None
    message: Annotated[str, Field(title="Message")]
    type: Annotated[str | None, Field(title="Type")] = None


class Preferences(BaseModel):
    digests: Annotated[
        dict[DigestKind, int],
        Field(
            description="Kinds gathered into a digest, each every 15, 30, 60 or 120 minutes; a kind not named goes at once.",
            title="Digests",
        ),
    ]


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


class Reopened(BaseModel):
    reopened: Annotated[int, Field(title="Reopened")]


class Role(StrEnum):
    ADMIN = "admin"
    SECTION_HEAD = "section_head"
    TEAM_LEAD = "team_lead"
    COVERAGE_TEAM = "coverage_team"


class SendState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    TRANSIENT = "transient"
    FAILED = "failed"


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


class Message(BaseModel):
    address: Annotated[str | None, Field(title="Address")]
    attempts: Annotated[int | None, Field(title="Attempts")] = 0
    cause: Annotated[str, Field(title="Cause")]
    channel: Channel
    claimed_at: Annotated[AwareDatetime | None, Field(title="Claimed At")] = None
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    items: Annotated[list[DigestItem] | None, Field(title="Items", validate_default=True)] = []
    key: Annotated[str, Field(title="Key")]
    kind: Annotated[str, Field(title="Kind")]
    last_error: Annotated[str | None, Field(title="Last Error")] = None
    not_before: Annotated[AwareDatetime, Field(title="Not Before")]
    officer_id: Annotated[str, Field(title="Officer Id")]
    request_id: Annotated[str, Field(title="Request Id")]
    requests: Annotated[list[str] | None, Field(title="Requests")] = []
    retry_at: Annotated[AwareDatetime | None, Field(title="Retry At")] = None
    sent_at: Annotated[AwareDatetime | None, Field(title="Sent At")] = None
    state: SendState | None = SendState.PENDING
    text: Annotated[str, Field(title="Text")]
    unreachable_since: Annotated[AwareDatetime | None, Field(title="Unreachable Since")] = None


class Officer(BaseModel):
    active: Annotated[bool | None, Field(title="Active")] = True
    channels: Annotated[list[Channel] | None, Field(min_length=1, title="Channels")] = [Channel.WHATSAPP, Channel.EMAIL]
    digests: Annotated[
        dict[DigestKind, int] | None,
        Field(
            description="Kinds of message gathered into a digest, each every so many minutes (15, 30, 60 or 120); a kind not named goes at once.",
            title="Digests",
        ),
    ] = None
    email: Annotated[str | None, Field(max_length=254, pattern="^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", title="Email")] = None
    name: Annotated[str, Field(max_length=200, min_length=1, title="Name")]
    officer_id: Annotated[str, Field(pattern="^[a-z0-9][a-z0-9._-]{1,63}$", title="Officer Id")]
    quiet_from: Annotated[
        str | None,
        Field(
            description="Start of quiet hours (WIB); null: none.",
            pattern="^([01][0-9]|2[0-3]):[0-5][0-9]$",
            title="Quiet From",
        ),
    ] = "21:00"
    quiet_until: Annotated[
        str | None,
        Field(description="End of quiet hours (WIB).", pattern="^([01][0-9]|2[0-3]):[0-5][0-9]$", title="Quiet Until"),
    ] = "06:00"
    role: Role
    whatsapp: Annotated[str | None, Field(description="As typed; kept in E.164 (+62…).", title="Whatsapp")] = None
