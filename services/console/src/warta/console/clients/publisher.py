"""The publisher service's answers, generated from its OpenAPI document by
``python -m warta.devstack console-clients``: do not edit."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AnyUrl, AwareDatetime, BaseModel, Field


class AssetKind(StrEnum):
    PHOTO = "photo"
    VIDEO = "video"


class AssetRef(BaseModel):
    caption: Annotated[str | None, Field(max_length=1000, title="Caption")] = None
    content_type: Annotated[str | None, Field(title="Content Type")] = None
    credit: Annotated[
        str | None, Field(description="Who took the photo or video, by name.", max_length=200, title="Credit")
    ] = None
    height: Annotated[int | None, Field(title="Height")] = None
    kind: AssetKind
    sha256: Annotated[str, Field(pattern="^[0-9a-f]{64}$", title="Sha256")]
    size: Annotated[int | None, Field(ge=0, title="Size")] = None
    uri: Annotated[str, Field(max_length=2000, min_length=1, title="Uri")]
    width: Annotated[int | None, Field(title="Width")] = None


class Channel(StrEnum):
    WEBSITE = "website"
    EMAIL = "email"


class ChannelTrouble(BaseModel):
    at: Annotated[AwareDatetime, Field(title="At")]
    attempts: Annotated[int, Field(title="Attempts")]
    error: Annotated[str, Field(title="Error")]
    transient: Annotated[bool, Field(title="Transient")]


class Contact(BaseModel):
    active: Annotated[bool | None, Field(title="Active")] = True
    desk: Annotated[str | None, Field(max_length=100, title="Desk")] = None
    email: Annotated[str, Field(description="Normalised; a contact's identity.", title="Email")]
    name: Annotated[str, Field(max_length=200, min_length=1, title="Name")]
    opted_out_at: Annotated[AwareDatetime | None, Field(title="Opted Out At")] = None
    outlet_key: Annotated[str, Field(title="Outlet Key")]


class ContactView(BaseModel):
    active: Annotated[bool | None, Field(title="Active")] = True
    desk: Annotated[str | None, Field(max_length=100, title="Desk")] = None
    email: Annotated[str, Field(description="Normalised; a contact's identity.", title="Email")]
    name: Annotated[str, Field(max_length=200, min_length=1, title="Name")]
    opted_out_at: Annotated[AwareDatetime | None, Field(title="Opted Out At")] = None
    outlet: Annotated[str, Field(title="Outlet")]
    outlet_key: Annotated[str, Field(title="Outlet Key")]


class Calendar(StrEnum):
    WALL = "wall"
    OFFICE = "office"


class EmailTally(BaseModel):
    at: Annotated[AwareDatetime, Field(title="At")]
    failed: Annotated[int, Field(title="Failed")]
    recipients: Annotated[int, Field(title="Recipients")]
    sent: Annotated[int, Field(title="Sent")]
    waiting: Annotated[int, Field(title="Waiting")]


class Explanation(BaseModel):
    explanation: Annotated[str, Field(max_length=2000, min_length=1, title="Explanation")]


class FieldProblemBody(BaseModel):
    field: Annotated[str, Field(title="Field")]
    limits: Annotated[dict[str, str] | None, Field(title="Limits")] = None
    message: Annotated[str, Field(title="Message")]
    type: Annotated[str | None, Field(title="Type")] = None


class PostedUrl(BaseModel):
    url: Annotated[AnyUrl, Field(title="Url")]


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


class PublicationState(StrEnum):
    READY = "ready"
    PUBLISHED = "published"


class Quote(BaseModel):
    function: Annotated[
        str, Field(description="E.g. Wali Kota Tangerang.", max_length=200, min_length=1, title="Function")
    ]
    speaker: Annotated[str, Field(max_length=200, min_length=1, title="Speaker")]
    text: Annotated[str, Field(max_length=2000, min_length=1, title="Text")]


class RecordWebsite(BaseModel):
    website_url: Annotated[AnyUrl, Field(title="Website Url")]


class Role(StrEnum):
    ADMIN = "admin"
    SECTION_HEAD = "section_head"
    TEAM_LEAD = "team_lead"
    COVERAGE_TEAM = "coverage_team"


class RowFault(StrEnum):
    COLUMN_MISSING = "column_missing"
    CELL_REQUIRED = "cell_required"
    CELL_CHOICE = "cell_choice"
    CELL_YES_NO = "cell_yes_no"
    EMAIL_INVALID = "email_invalid"
    EMAIL_REPEATED = "email_repeated"
    OUTLET_DIFFERS = "outlet_differs"


class RowProblem(BaseModel):
    field: Annotated[str, Field(title="Field")]
    limits: Annotated[
        dict[str, str] | None,
        Field(description="The rule's values: always the line and the column, and what it names.", title="Limits"),
    ] = None
    message: Annotated[str, Field(title="Message")]
    row: Annotated[int, Field(description="Line in the file, the header being line 1.", title="Row")]
    type: Annotated[RowFault, Field(description="The rule the line breaks, for a face that says it in its own words.")]


class SendState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    TRANSIENT = "transient"
    FAILED = "failed"


class SocialChannel(StrEnum):
    INSTAGRAM = "instagram"
    FACEBOOK = "facebook"
    X = "x"
    YOUTUBE = "youtube"
    TIKTOK = "tiktok"


class SocialPost(BaseModel):
    channel: SocialChannel
    media: Annotated[list[str] | None, Field(title="Media")] = []
    text: Annotated[str, Field(max_length=70000, title="Text")]
    title: Annotated[str | None, Field(description="YouTube only.", max_length=200, title="Title")] = None


class WebsiteRecord(BaseModel):
    channel: Annotated[str, Field(title="Channel")]
    picture_urls: Annotated[dict[str, str] | None, Field(title="Picture Urls")] = None
    post_id: Annotated[str | None, Field(title="Post Id")] = None
    recorded_at: Annotated[AwareDatetime, Field(title="Recorded At")]
    recorded_by: Annotated[str, Field(title="Recorded By")]
    url: Annotated[AnyUrl, Field(title="Url")]


class Delivery(BaseModel):
    attempts: Annotated[int | None, Field(title="Attempts")] = 0
    claimed_at: Annotated[AwareDatetime | None, Field(title="Claimed At")] = None
    email: Annotated[str, Field(title="Email")]
    last_error: Annotated[str | None, Field(title="Last Error")] = None
    name: Annotated[str, Field(title="Name")]
    not_before: Annotated[AwareDatetime | None, Field(title="Not Before")] = None
    request_id: Annotated[str, Field(title="Request Id")]
    retry_at: Annotated[AwareDatetime | None, Field(title="Retry At")] = None
    sent_at: Annotated[AwareDatetime | None, Field(title="Sent At")] = None
    state: SendState | None = SendState.PENDING
    unreachable_since: Annotated[AwareDatetime | None, Field(title="Unreachable Since")] = None
    version: Annotated[int, Field(title="Version")]


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


class ImportAnswer(BaseModel):
    contacts_added: Annotated[int, Field(title="Contacts Added")]
    contacts_updated: Annotated[int, Field(title="Contacts Updated")]
    dry_run: Annotated[bool, Field(title="Dry Run")]
    outlets: Annotated[int, Field(title="Outlets")]
    problems: Annotated[list[RowProblem], Field(title="Problems")]


class Owed(BaseModel):
    emailed: Annotated[bool, Field(title="Emailed")]
    emails_failed: Annotated[int, Field(title="Emails Failed")]
    emails_waiting: Annotated[int, Field(title="Emails Waiting")]
    social_posts: Annotated[list[SocialChannel], Field(title="Social Posts")]
    website: Annotated[bool, Field(title="Website")]


class PressRelease(BaseModel):
    body: Annotated[str, Field(description="Markdown.", max_length=100000, min_length=1, title="Body")]
    dateline: Annotated[
        str | None, Field(description="E.g. Tangerang, 30 November 2026.", max_length=100, title="Dateline")
    ] = None
    embargo_until: Annotated[
        AwareDatetime | None,
        Field(description="Nothing of the release goes out before this moment.", title="Embargo Until"),
    ] = None
    lead: Annotated[
        str | None, Field(description="Teras berita: the opening paragraph.", max_length=2000, title="Lead")
    ] = None
    quotes: Annotated[list[Quote] | None, Field(title="Quotes", validate_default=True)] = []
    tags: Annotated[list[str] | None, Field(max_length=30, title="Tags")] = []
    title: Annotated[str, Field(max_length=300, min_length=1, title="Title")]


class SocialPackage(BaseModel):
    post: SocialPost
    posted_at: Annotated[AwareDatetime | None, Field(title="Posted At")] = None
    posted_by: Annotated[str | None, Field(title="Posted By")] = None
    posted_url: Annotated[AnyUrl | None, Field(title="Posted Url")] = None


class PublicationView(BaseModel):
    assets: Annotated[list[AssetRef], Field(title="Assets")]
    correlation_id: Annotated[str, Field(title="Correlation Id")]
    email: EmailTally | None = None
    ordered_at: Annotated[AwareDatetime, Field(title="Ordered At")]
    press_release: PressRelease
    published_at: Annotated[AwareDatetime | None, Field(title="Published At")] = None
    published_by: Annotated[str | None, Field(title="Published By")] = None
    publishing_until: Annotated[AwareDatetime | None, Field(title="Publishing Until")] = None
    request_id: Annotated[str, Field(title="Request Id")]
    revision: Annotated[
        int | None, Field(description="Bumped on every change; guards concurrent writers.", title="Revision")
    ] = 1
    social: Annotated[list[SocialPackage] | None, Field(title="Social")] = None
    sop: Annotated[str | None, Field(title="Sop")] = "58/2025"
    state: PublicationState | None = PublicationState.READY
    still_owed: Owed
    team: Annotated[list[str] | None, Field(title="Team")] = []
    version: Annotated[int, Field(title="Version")]
    website: WebsiteRecord | None = None
    website_attempt_until: Annotated[AwareDatetime | None, Field(title="Website Attempt Until")] = None
    website_trouble: ChannelTrouble | None = None
