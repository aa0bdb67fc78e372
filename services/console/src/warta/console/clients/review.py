"""The review service's answers, generated from its OpenAPI document by
``python -m warta.devstack console-clients``: do not edit."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field


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


class Calendar(StrEnum):
    WALL = "wall"
    OFFICE = "office"


class Explanation(BaseModel):
    explanation: Annotated[str, Field(max_length=2000, min_length=1, title="Explanation")]


class FieldProblemBody(BaseModel):
    field: Annotated[str, Field(title="Field")]
    limits: Annotated[dict[str, str] | None, Field(title="Limits")] = None
    message: Annotated[str, Field(title="Message")]
    type: Annotated[str | None, Field(title="Type")] = None


class Outcome(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class Part(StrEnum):
    TITLE = "title"
    LEAD = "lead"
    PARAGRAPH = "paragraph"
    ASSET = "asset"
    POST = "post"


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


class Quote(BaseModel):
    function: Annotated[
        str, Field(description="E.g. Wali Kota Tangerang.", max_length=200, min_length=1, title="Function")
    ]
    speaker: Annotated[str, Field(max_length=200, min_length=1, title="Speaker")]
    text: Annotated[str, Field(max_length=2000, min_length=1, title="Text")]


class RejectionReason(StrEnum):
    FACTUAL_ERROR = "factual_error"
    MISSING_MATERIAL = "missing_material"
    PHOTO_QUALITY = "photo_quality"
    LANGUAGE = "language"
    SENSITIVITY = "sensitivity"
    OTHER = "other"


class ReviewLevel(StrEnum):
    TEAM_LEAD = "team_lead"
    SECTION_HEAD = "section_head"


class ReviewState(StrEnum):
    AWAITING_TEAM_LEAD = "awaiting_team_lead"
    AWAITING_SECTION_HEAD = "awaiting_section_head"
    RETURNED_TO_COVERAGE = "returned_to_coverage"
    APPROVED = "approved"


class Role(StrEnum):
    ADMIN = "admin"
    SECTION_HEAD = "section_head"
    TEAM_LEAD = "team_lead"
    COVERAGE_TEAM = "coverage_team"


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


class WordChange(BaseModel):
    new: Annotated[str | None, Field(title="New")] = ""
    old: Annotated[str | None, Field(title="Old")] = ""
    op: Annotated[str, Field(description="equal, insert, delete or replace", title="Op")]


class Anchor(BaseModel):
    part: Part
    ref: Annotated[str | None, Field(max_length=100, title="Ref")] = None


class AssetChange(BaseModel):
    change: Annotated[str, Field(description="added, removed, replaced or recaptioned", title="Change")]
    new: AssetRef | None = None
    old: AssetRef | None = None


class Comment(BaseModel):
    anchor: Anchor
    author: Annotated[str, Field(title="Author")]
    author_name: Annotated[str | None, Field(description="As the author's sign-in gave it.", title="Author Name")] = (
        None
    )
    comment_id: Annotated[str | None, Field(title="Comment Id")] = None
    reply_to: Annotated[str | None, Field(title="Reply To")] = None
    request_id: Annotated[str, Field(title="Request Id")]
    resolved_at: Annotated[AwareDatetime | None, Field(title="Resolved At")] = None
    resolved_by: Annotated[str | None, Field(title="Resolved By")] = None
    resolved_by_name: Annotated[str | None, Field(title="Resolved By Name")] = None
    text: Annotated[str, Field(max_length=5000, min_length=1, title="Text")]
    version: Annotated[int, Field(title="Version")]
    written_at: Annotated[AwareDatetime, Field(title="Written At")]


class Decide(BaseModel):
    level: ReviewLevel
    note: Annotated[str | None, Field(max_length=5000, title="Note")] = None
    outcome: Outcome
    reason: RejectionReason | None = None
    version: Annotated[
        int,
        Field(description="The version being decided; a stale version is refused.", ge=1, le=10000, title="Version"),
    ]


class Decision(BaseModel):
    decided_at: Annotated[AwareDatetime, Field(title="Decided At")]
    decided_by: Annotated[str, Field(title="Decided By")]
    level: ReviewLevel
    note: Annotated[str | None, Field(title="Note")] = None
    outcome: Outcome
    reason: RejectionReason | None = None
    version: Annotated[int, Field(title="Version")]
    waited_since: Annotated[AwareDatetime, Field(title="Waited Since")]


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


class NewComment(BaseModel):
    anchor: Anchor
    reply_to: Annotated[str | None, Field(max_length=64, title="Reply To")] = None
    text: Annotated[str, Field(max_length=5000, min_length=1, title="Text")]
    version: Annotated[int, Field(ge=1, le=10000, title="Version")]


class PostChange(BaseModel):
    change: Annotated[str, Field(description="added, removed or changed", title="Change")]
    channel: SocialChannel
    text: Annotated[list[WordChange] | None, Field(title="Text", validate_default=True)] = []


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


class Reason(BaseModel):
    code: RejectionReason
    label: Annotated[str, Field(title="Label")]


class Review(BaseModel):
    authors: Annotated[
        list[str] | None, Field(description="Who worked on the version under review.", title="Authors")
    ] = []
    corrected_by: Annotated[str | None, Field(title="Corrected By")] = None
    correlation_id: Annotated[str, Field(title="Correlation Id")]
    history: Annotated[list[Decision] | None, Field(title="History")] = None
    request_id: Annotated[str, Field(title="Request Id")]
    revision: Annotated[
        int | None, Field(description="Bumped on every change; guards concurrent writers.", title="Revision")
    ] = 1
    sop: Annotated[str | None, Field(title="Sop")] = "58/2025"
    state: ReviewState
    version: Annotated[int, Field(title="Version")]
    waiting_since: Annotated[AwareDatetime, Field(title="Waiting Since")]


class SubmittedVersion(BaseModel):
    assets: Annotated[list[AssetRef], Field(title="Assets")]
    corrected_by: Annotated[str | None, Field(title="Corrected By")] = None
    press_release: PressRelease
    request_id: Annotated[str, Field(title="Request Id")]
    social_posts: Annotated[list[SocialPost] | None, Field(title="Social Posts", validate_default=True)] = []
    submitted_at: Annotated[AwareDatetime, Field(title="Submitted At")]
    submitted_by: Annotated[str, Field(title="Submitted By")]
    version: Annotated[int, Field(title="Version")]


class VersionDiff(BaseModel):
    assets: Annotated[list[AssetChange], Field(title="Assets")]
    body: Annotated[list[WordChange], Field(title="Body")]
    corrected_by: Annotated[
        str | None, Field(description="Set when the newer version is a team lead's correction.", title="Corrected By")
    ]
    from_version: Annotated[int, Field(title="From Version")]
    lead: Annotated[list[WordChange], Field(title="Lead")]
    posts: Annotated[list[PostChange], Field(title="Posts")]
    title: Annotated[list[WordChange], Field(title="Title")]
    to_version: Annotated[int, Field(title="To Version")]


class QueueEntry(BaseModel):
    age_minutes: Annotated[float, Field(title="Age Minutes")]
    level: ReviewLevel
    minutes_left: Annotated[
        float, Field(description="Against the step's standard; negative when over it.", title="Minutes Left")
    ]
    review: Review
