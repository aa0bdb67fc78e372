"""The coverage service's answers, generated from its OpenAPI document by
``python -m warta.devstack console-clients``: do not edit."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field, RootModel
from typing_extensions import TypeAliasType


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


class CoverageRole(StrEnum):
    WRITER = "writer"
    PHOTOGRAPHER = "photographer"
    VIDEOGRAPHER = "videographer"
    EDITOR = "editor"
    SOCIAL_MEDIA = "social_media"


class Calendar(StrEnum):
    WALL = "wall"
    OFFICE = "office"


CaptionsAdditionalProperty = TypeAliasType("CaptionsAdditionalProperty", Annotated[str, Field(max_length=1000)])


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


class LeadershipEvent(BaseModel):
    ends_at: Annotated[AwareDatetime, Field(title="Ends At")]
    leader: Leader
    location: Annotated[str, Field(max_length=300, min_length=1, title="Location")]
    starts_at: Annotated[AwareDatetime, Field(title="Starts At")]
    title: Annotated[str, Field(max_length=300, min_length=1, title="Title")]


class MediaType(StrEnum):
    IMAGE_JPEG = "image/jpeg"
    IMAGE_PNG = "image/png"
    IMAGE_HEIC = "image/heic"
    VIDEO_MP4 = "video/mp4"
    VIDEO_QUICKTIME = "video/quicktime"


class PostDraft(BaseModel):
    media: Annotated[list[str] | None, Field(description="Asset ids, in order.", max_length=40, title="Media")] = []
    text: Annotated[str | None, Field(max_length=70000, title="Text")] = ""
    title: Annotated[str | None, Field(max_length=200, title="Title")] = None


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


class Return(BaseModel):
    note: Annotated[str, Field(title="Note")]
    reason: RejectionReason
    returned_at: Annotated[AwareDatetime, Field(title="Returned At")]
    returned_by: Annotated[str, Field(title="Returned By")]
    returned_by_name: Annotated[str | None, Field(title="Returned By Name")] = None
    version: Annotated[int, Field(title="Version")]


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


class StartUpload(BaseModel):
    filename: Annotated[str, Field(max_length=255, min_length=1, title="Filename")]
    kind: AssetKind
    size: Annotated[
        int,
        Field(
            description="Bytes; a file over the limit for its kind is refused here.",
            ge=1,
            le=4611686018427388000,
            title="Size",
        ),
    ]


class Assets(RootModel[list[str]]):
    root: Annotated[list[str], Field(description="Asset ids; default: all of them.", max_length=200, title="Assets")]


class Submit(BaseModel):
    assets: Annotated[Assets | None, Field(description="Asset ids; default: all of them.", title="Assets")] = None


class TeamMember(BaseModel):
    officer_id: Annotated[str, Field(max_length=100, min_length=1, title="Officer Id")]
    role: CoverageRole


class Warning(BaseModel):
    code: Annotated[str, Field(title="Code")]
    field: Annotated[str, Field(title="Field")]
    limits: Annotated[
        dict[str, int] | None, Field(description="The rule's numbers and the draft's, by name.", title="Limits")
    ] = None
    message: Annotated[str, Field(title="Message")]


class WorkspaceState(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    RETURNED_TO_TEAM_LEAD = "returned_to_team_lead"


class Asset(BaseModel):
    asset_id: Annotated[str, Field(title="Asset Id")]
    captured_at: Annotated[AwareDatetime | None, Field(title="Captured At")] = None
    duration_seconds: Annotated[float | None, Field(title="Duration Seconds")] = None
    filename: Annotated[str, Field(title="Filename")]
    height: Annotated[int | None, Field(title="Height")] = None
    kind: AssetKind
    media_type: MediaType
    request_id: Annotated[str, Field(title="Request Id")]
    sha256: Annotated[str, Field(title="Sha256")]
    size: Annotated[int, Field(title="Size")]
    thumbnail_id: Annotated[str | None, Field(title="Thumbnail Id")] = None
    uploaded_at: Annotated[AwareDatetime, Field(title="Uploaded At")]
    uploaded_by: Annotated[str, Field(title="Uploaded By")]
    uploaded_by_name: Annotated[str | None, Field(title="Uploaded By Name")] = None
    width: Annotated[int | None, Field(title="Width")] = None


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


class Draft(BaseModel):
    body: Annotated[str | None, Field(description="Markdown.", max_length=100000, title="Body")] = ""
    captions: Annotated[
        dict[str, CaptionsAdditionalProperty] | None, Field(description="Photo captions by asset id.", title="Captions")
    ] = None
    dateline_date: Annotated[date | None, Field(title="Dateline Date")] = None
    dateline_place: Annotated[str | None, Field(max_length=60, title="Dateline Place")] = "Tangerang"
    embargo_until: Annotated[
        AwareDatetime | None, Field(description="Not to be published before.", title="Embargo Until")
    ] = None
    lead: Annotated[str | None, Field(max_length=2000, title="Lead")] = ""
    quotes: Annotated[list[Quote] | None, Field(max_length=30, title="Quotes", validate_default=True)] = []
    tags: Annotated[list[str] | None, Field(max_length=30, title="Tags")] = []
    title: Annotated[str | None, Field(max_length=300, title="Title")] = ""


class OpenCoverage(BaseModel):
    clock_started_at: Annotated[
        AwareDatetime, Field(description="When step 4's clock started.", title="Clock Started At")
    ]
    event: LeadershipEvent | None
    members: Annotated[list[TeamMember], Field(title="Members")]
    request_id: Annotated[str, Field(title="Request Id")]
    sop: Annotated[
        str,
        Field(description="The SOP revision the request runs under: its step 4 standard is that one's.", title="Sop"),
    ]
    versions: Annotated[
        int, Field(description="Versions submitted so far; more than 0 after a return.", title="Versions")
    ]


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


class Reading(BaseModel):
    lead_words: Annotated[int, Field(title="Lead Words")]
    title_words: Annotated[int, Field(title="Title Words")]
    warnings: Annotated[list[Warning], Field(title="Warnings")]
    word_count: Annotated[int, Field(title="Word Count")]


class UploadView(BaseModel):
    asset: Asset | None = None
    duplicate: Annotated[
        bool | None, Field(description="The same bytes are already in the workspace.", title="Duplicate")
    ] = False
    filename: Annotated[str, Field(title="Filename")]
    kind: Annotated[
        AssetKind | None, Field(description="Photo or video; None until the first bytes say, if not declared.")
    ]
    offset: Annotated[
        int, Field(description="Bytes stored; send the rest from here with Upload-Offset.", title="Offset")
    ]
    progress: Annotated[float, Field(description="Percent stored.", title="Progress")]
    size: Annotated[int, Field(title="Size")]
    state: Annotated[str, Field(title="State")]
    upload_id: Annotated[str, Field(title="Upload Id")]


class Workspace(BaseModel):
    asset_ids: Annotated[list[str] | None, Field(title="Asset Ids")] = None
    assignment_revision: Annotated[int, Field(title="Assignment Revision")]
    clock_started_at: Annotated[AwareDatetime, Field(title="Clock Started At")]
    correlation_id: Annotated[str, Field(title="Correlation Id")]
    draft: Draft | None = None
    event: LeadershipEvent | None = None
    last_return: Return | None = None
    members: Annotated[list[TeamMember], Field(title="Members")]
    needs_video: Annotated[bool, Field(title="Needs Video")]
    posts: Annotated[dict[SocialChannel, PostDraft] | None, Field(title="Posts")] = None
    request_id: Annotated[str, Field(title="Request Id")]
    revision: Annotated[
        int | None, Field(description="Bumped on every change; guards concurrent writers.", title="Revision")
    ] = 1
    sop: Annotated[str | None, Field(title="Sop")] = "58/2025"
    state: WorkspaceState | None = WorkspaceState.OPEN
    versions: Annotated[int | None, Field(title="Versions")] = 0


class WorkspaceView(BaseModel):
    assets: Annotated[list[Asset], Field(title="Assets")]
    reading: Annotated[Reading, Field(description="Word count and style warnings of the draft.")]
    workspace: Workspace


class CoverageVersion(BaseModel):
    asset_ids: Annotated[list[str] | None, Field(title="Asset Ids")] = []
    assets: Annotated[list[AssetRef], Field(title="Assets")]
    contributors: Annotated[list[str], Field(title="Contributors")]
    corrected_by: Annotated[str | None, Field(title="Corrected By")] = None
    press_release: PressRelease
    request_id: Annotated[str, Field(title="Request Id")]
    social_posts: Annotated[list[SocialPost] | None, Field(title="Social Posts", validate_default=True)] = []
    submitted_at: Annotated[AwareDatetime, Field(title="Submitted At")]
    submitted_by: Annotated[str, Field(title="Submitted By")]
    version: Annotated[int, Field(title="Version")]


class DraftSaved(BaseModel):
    draft: Draft
    reading: Reading
