"""The event catalogue: one frozen model per event, in the SOP's order.

Rules for changing a contract: adding an optional field keeps the version; anything else is a new
type with the next version suffix, published next to the old one until every consumer has moved.
"""

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, AwareDatetime, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .envelope import Event, Model
from .roles import (
    AssetKind,
    CoverageRole,
    DispositionInstruction,
    Leader,
    LetterNature,
    RejectionReason,
    ReviewLevel,
    SenderKind,
    SocialChannel,
)
from .text import Line, Text

# ---------------------------------------------------------------------------------------------
# Shared value objects
# ---------------------------------------------------------------------------------------------


class Letter(Model):
    """The incoming facilitation request letter (surat permohonan fasilitasi)."""

    number: Line = Field(min_length=1, max_length=100, description="The sender's letter number.")
    date: date
    sender: Line = Field(min_length=1, max_length=200, description="Sending agency or institution.")
    sender_kind: SenderKind
    subject: Line = Field(min_length=1, max_length=500, description="Perihal.")
    nature: LetterNature = Field(default=LetterNature.ORDINARY, description="Sifat: urgency of the letter.")
    confidential: bool = Field(default=False, description="Marked rahasia.")


class ContactPerson(Model):
    """Who at the sender's office answers questions about the request."""

    name: Line = Field(min_length=1, max_length=200)
    phone: str = Field(pattern=r"^\+?[0-9][0-9 ()-]{5,24}$", description="Phone or WhatsApp number.")
    position: Line | None = Field(default=None, max_length=200)


class Period(Model):
    """A stretch of time, ``[starts_at, ends_at)``, with both ends carrying their time zone."""

    starts_at: AwareDatetime
    ends_at: AwareDatetime

    @field_validator("ends_at")
    @classmethod
    def _ends_after_start(cls, ends_at: datetime, info: ValidationInfo) -> datetime:
        # A field validator (not a model one) so the refusal names ends_at, where the console shows it.
        starts_at = info.data.get("starts_at")
        if starts_at is not None and ends_at <= starts_at:
            raise PydanticCustomError("ends_before_start", "must be later than starts_at")
        return ends_at


class LeadershipEvent(Period):
    """The leadership activity a request asks the section to facilitate and cover."""

    title: Line = Field(min_length=1, max_length=300)
    location: Line = Field(min_length=1, max_length=300)
    leader: Leader


class TeamMember(Model):
    officer_id: str = Field(min_length=1, max_length=100)
    role: CoverageRole


class Quote(Model):
    """A quotation in a press release, with who said it and in what function."""

    speaker: Line = Field(min_length=1, max_length=200)
    function: Line = Field(min_length=1, max_length=200, description="E.g. Wali Kota Tangerang.")
    text: Text = Field(min_length=1, max_length=2000)


class PressRelease(Model):
    title: Line = Field(min_length=1, max_length=300)
    body: Text = Field(min_length=1, max_length=100_000, description="Markdown.")
    dateline: Line | None = Field(default=None, max_length=100, description="E.g. Tangerang, 30 November 2026.")
    lead: Text | None = Field(default=None, max_length=2000, description="Teras berita: the opening paragraph.")
    quotes: tuple[Quote, ...] = ()
    tags: tuple[Annotated[Line, Field(min_length=1, max_length=50)], ...] = Field(default=(), max_length=30)
    embargo_until: AwareDatetime | None = Field(
        default=None, description="Nothing of the release goes out before this moment."
    )

    def paragraphs(self) -> list[str]:
        """The body's paragraphs, as separated by blank lines: what a reviewer's comment points at."""
        return [p for p in re.split(r"\n\s*\n", self.body.strip()) if p.strip()]


class AssetRef(Model):
    """A photo or video of a coverage version, identified by its content hash; ``uri`` is where
    the coverage service serves it (with range requests)."""

    kind: AssetKind
    uri: str = Field(min_length=1, max_length=2000)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    content_type: str | None = None
    size: int | None = Field(default=None, ge=0)
    caption: Line | None = Field(default=None, max_length=1000)
    credit: Line | None = Field(default=None, max_length=200, description="Who took the photo or video, by name.")
    width: int | None = None
    height: int | None = None


class SocialPost(Model):
    """One post prepared for one channel, with the media it carries (by their asset URIs)."""

    channel: SocialChannel
    text: Text = Field(max_length=70_000)
    title: Line | None = Field(default=None, max_length=200, description="YouTube only.")
    media: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------
# Step 1 and 2: intake
# ---------------------------------------------------------------------------------------------


class RequestReceivedData(Model):
    request_id: str
    agenda_number: str = Field(description="The register's running number, e.g. 0001/PROKOPIM/2026.")
    letter: Letter
    event: LeadershipEvent
    contact: ContactPerson | None = None
    received_at: AwareDatetime = Field(description="When the letter arrived: step 1's clock start.")


class RequestReceived(Event):
    """Step 1 done: the office administrator registered a request letter and issued its
    disposition sheet."""

    type: Literal["warta.request.received.v1"] = "warta.request.received.v1"
    source: Literal["warta/intake"] = "warta/intake"
    data: RequestReceivedData


class RequestCorrectedData(Model):
    request_id: str
    agenda_number: str
    letter: Letter
    event: LeadershipEvent
    contact: ContactPerson | None = None
    received_at: AwareDatetime
    changed: tuple[str, ...] = Field(min_length=1, description="Dotted names of the fields that changed.")


class RequestCorrected(Event):
    """The office administrator corrected a request's details after its disposition sheet was
    issued and before the section head decided; the data is the whole corrected request."""

    type: Literal["warta.request.corrected.v1"] = "warta.request.corrected.v1"
    source: Literal["warta/intake"] = "warta/intake"
    data: RequestCorrectedData


class DispositionIssuedData(Model):
    request_id: str
    agenda_number: str
    event: LeadershipEvent
    instructions: tuple[DispositionInstruction, ...] = Field(min_length=1)
    notes: Text | None = Field(default=None, max_length=2000, description="The section head's written notes.")


class DispositionIssued(Event):
    """Step 2 done: the section head forwarded the request to the documentation team lead."""

    type: Literal["warta.disposition.issued.v1"] = "warta.disposition.issued.v1"
    source: Literal["warta/intake"] = "warta/intake"
    data: DispositionIssuedData


class RequestDeclinedData(Model):
    request_id: str
    reason: Text = Field(min_length=1, max_length=2000)


class RequestDeclined(Event):
    """Step 2 done the other way: the section head declined the request, which ends it."""

    type: Literal["warta.request.declined.v1"] = "warta.request.declined.v1"
    source: Literal["warta/intake"] = "warta/intake"
    data: RequestDeclinedData


# ---------------------------------------------------------------------------------------------
# Step 3: scheduler
# ---------------------------------------------------------------------------------------------


class TeamAssignedData(Model):
    request_id: str
    revision: int = Field(ge=1, description="1 for the first assignment, +1 for each reassignment.")
    members: tuple[TeamMember, ...] = Field(min_length=1)
    equipment: tuple[str, ...] = ()
    needs_video: bool = True
    event: LeadershipEvent
    coverage_starts_at: AwareDatetime = Field(
        description="Step 4's clock start: the later of the assignment and the event's start."
    )
    reason: Text | None = Field(
        default=None, max_length=1000, description="Why the team or kit was replaced (revisions after 1)."
    )


class TeamAssigned(Event):
    """Step 3 done: the team lead assigned a coverage team and its equipment to an agenda entry.

    A later revision replaces the team or kit; consumers keep the highest revision they saw."""

    type: Literal["warta.team.assigned.v1"] = "warta.team.assigned.v1"
    source: Literal["warta/scheduler"] = "warta/scheduler"
    data: TeamAssignedData


# ---------------------------------------------------------------------------------------------
# Step 4: coverage
# ---------------------------------------------------------------------------------------------


class CoverageSubmittedData(Model):
    request_id: str
    version: int = Field(ge=1)
    press_release: PressRelease
    assets: tuple[AssetRef, ...]
    submitted_by: str
    contributors: tuple[str, ...] = Field(
        description="Officers who worked on this version: the team and whoever edited it."
    )
    social_posts: tuple[SocialPost, ...] = ()
    corrected_by: str | None = Field(
        default=None,
        description="A team lead who corrected the work after the section head returned it; not an author.",
    )


class CoverageSubmitted(Event):
    """Step 4 done: the coverage team froze version N of its press release, photos and video."""

    type: Literal["warta.coverage.submitted.v1"] = "warta.coverage.submitted.v1"
    source: Literal["warta/coverage"] = "warta/coverage"
    data: CoverageSubmittedData


# ---------------------------------------------------------------------------------------------
# Steps 5 and 6: review
# ---------------------------------------------------------------------------------------------


class ApprovedData(Model):
    request_id: str
    version: int = Field(ge=1)
    level: ReviewLevel


class Approved(Event):
    """Step 5 or 6 done with approval; at section-head level this orders publication."""

    type: Literal["warta.review.approved.v1"] = "warta.review.approved.v1"
    source: Literal["warta/review"] = "warta/review"
    data: ApprovedData


class RejectedData(Model):
    request_id: str
    version: int = Field(ge=1)
    level: ReviewLevel
    reason: RejectionReason
    note: Text = Field(min_length=1, max_length=5000)


class Rejected(Event):
    """Step 5 or 6 done with rejection: team-lead level returns the work to the coverage team
    (step 4), section-head level returns it to the team lead (step 5)."""

    type: Literal["warta.review.rejected.v1"] = "warta.review.rejected.v1"
    source: Literal["warta/review"] = "warta/review"
    data: RejectedData


# ---------------------------------------------------------------------------------------------
# Step 7: publisher
# ---------------------------------------------------------------------------------------------


class ChannelOutcome(StrEnum):
    PUBLISHED = "published"  # on the website
    SENT = "sent"  # the media email: every recipient has a final status
    PACKAGE_READY = "package_ready"  # a social post waiting for an officer to post it by hand
    POSTED = "posted"  # a social post made, its address recorded


class ChannelResult(Model):
    channel: str = Field(description="website, email, or a social channel's name.")
    outcome: ChannelOutcome
    url: AnyHttpUrl | None = None
    detail: str | None = Field(default=None, max_length=2000)


class PublishedData(Model):
    request_id: str
    version: int = Field(ge=1)
    website_url: AnyHttpUrl
    channels: tuple[ChannelResult, ...] = ()
    emails_sent: int = Field(default=0, ge=0)
    emails_failed: int = Field(default=0, ge=0, description="Recipients refused for good; named in the publisher.")


class Published(Event):
    """Step 7 done: the verified press release is on the city website and every media contact's
    email has a final status."""

    type: Literal["warta.publication.published.v1"] = "warta.publication.published.v1"
    source: Literal["warta/publisher"] = "warta/publisher"
    data: PublishedData
