"""Step 7 of SOP 58/2025: publish the verified press release."""

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import AnyHttpUrl, AwareDatetime, BaseModel, Field

from warta.contracts import (
    FIRST_SOP,
    Actor,
    Approved,
    AssetRef,
    ChannelOutcome,
    ChannelResult,
    CoverageSubmitted,
    Forbidden,
    IllegalTransition,
    NotFound,
    PressRelease,
    Published,
    PublishedData,
    Role,
    SocialChannel,
    SocialPost,
)
from warta.runtime.aggregate import Aggregate
from warta.runtime.indonesian import format_datetime


class Submission(BaseModel):
    """A coverage version as the publisher keeps it, so that it can publish without asking."""

    request_id: str
    version: int
    press_release: PressRelease
    assets: tuple[AssetRef, ...]
    social_posts: tuple[SocialPost, ...] = ()
    team: tuple[str, ...] = ()  # who worked on it: the assigned team, and a correcting team lead

    @classmethod
    def of(cls, submitted: CoverageSubmitted) -> "Submission":
        return cls(
            request_id=submitted.data.request_id,
            version=submitted.data.version,
            press_release=submitted.data.press_release,
            assets=submitted.data.assets,
            social_posts=submitted.data.social_posts,
            team=submitted.data.contributors,
        )


class SocialPackage(BaseModel):
    """A post ready for an officer to put on a channel by hand (the city's accounts are not
    connected yet), and the address of the post once they have."""

    post: SocialPost
    posted_url: AnyHttpUrl | None = None
    posted_by: str | None = None
    posted_at: AwareDatetime | None = None


class PublicationState(StrEnum):
    READY = "ready"  # ordered by the section head; step 7's clock runs
    PUBLISHED = "published"  # on the website, and every media contact's email final


# How long one attempt at the website may hold it by default (``WARTA_WEBSITE_LEASE_SECONDS``): a
# crashed attempt is taken over after this, and the adapter then finds what it had created.
WEBSITE_LEASE = timedelta(minutes=2)


class WebsiteRecord(BaseModel):
    channel: str  # wordpress, webhook, or manual (an officer posted it and pasted the address)
    url: AnyHttpUrl
    post_id: str | None = None
    picture_urls: dict[str, str] = Field(default_factory=dict)
    recorded_by: str
    recorded_at: AwareDatetime


class ChannelTrouble(BaseModel):
    """The last failed attempt at a channel: shown to the officers, cleared by a success."""

    attempts: int
    error: str
    transient: bool
    at: AwareDatetime


class EmailTally(BaseModel):
    recipients: int
    sent: int
    waiting: int
    failed: int
    at: AwareDatetime

    @property
    def final(self) -> bool:
        return self.waiting == 0


class Owed(BaseModel):
    """What step 7 still owes the public: the website post, media emails not yet final or failed
    for good (each can be sent again), social posts not yet made."""

    website: bool
    emailed: bool
    emails_waiting: int
    emails_failed: int
    social_posts: tuple[SocialChannel, ...]


class Publication(Aggregate):
    request_id: str
    correlation_id: str
    sop: str = FIRST_SOP  # the request's SOP revision, from the event that began this record
    version: int
    press_release: PressRelease
    assets: tuple[AssetRef, ...]
    social: list[SocialPackage] = Field(default_factory=list)
    team: tuple[str, ...] = ()
    ordered_at: AwareDatetime
    state: PublicationState = PublicationState.READY
    website: WebsiteRecord | None = None
    website_trouble: ChannelTrouble | None = None
    website_attempt_until: AwareDatetime | None = None
    publishing_until: AwareDatetime | None = None  # one officer's press of "publish" holds it until then
    email: EmailTally | None = None
    published_by: str | None = None
    published_at: AwareDatetime | None = None

    @classmethod
    def order(cls, approved: Approved, submission: Submission) -> "Publication":
        """The section head's approval orders publication of exactly the version approved."""
        return cls(
            request_id=submission.request_id,
            correlation_id=approved.correlation_id,
            sop=approved.sop,
            version=submission.version,
            press_release=submission.press_release,
            assets=submission.assets,
            social=[SocialPackage(post=post) for post in submission.social_posts],
            team=submission.team,
            ordered_at=approved.time,
        )

    def require_publisher(self, actor: Actor, attempted: str) -> None:
        """Step 7 is the assigned team's, whose names the deviation records carry, and the team
        lead's; another coverage officer does not publish someone else's release."""
        if actor.role is Role.TEAM_LEAD or (actor.role is Role.COVERAGE_TEAM and actor.officer_id in self.team):
            return
        raise Forbidden(f"only the team assigned to this event or the team lead may {attempted}")

    def require_embargo_over(self, now: datetime, attempted: str) -> None:
        """Nothing of an embargoed release goes out before its time."""
        until = self.press_release.embargo_until
        if until is not None and now < until:
            raise IllegalTransition(
                current=self.state.value,
                attempted=attempted,
                message=f"the release is under embargo until {format_datetime(until)}",
            )

    def require_publishing(self, now: datetime, attempted: str) -> None:
        if self.state is not PublicationState.READY:
            raise IllegalTransition(current=self.state.value, attempted=attempted)
        self.require_embargo_over(now, attempted)

    def begin_publishing(self, now: datetime, lease: timedelta) -> None:
        """Hold the publication for one press of "publish": a second press meanwhile is told the
        first is under way, as it is told it is done once it is (one after the other, not both at
        once). A press whose process died is taken over once its hold has run out."""
        self.require_publishing(now, "publish")
        if self.publishing_until is not None and now < self.publishing_until:
            raise IllegalTransition(
                current="publishing",
                attempted="publish",
                message="publishing is under way right now; its outcome shows here in a moment, "
                "or try again shortly if nothing changes",
            )
        self.publishing_until = now + lease
        self.changed()

    def end_publishing(self) -> None:
        if self.publishing_until is not None:
            self.publishing_until = None
            self.changed()

    # -- the website ----------------------------------------------------------------------------

    def begin_website_attempt(self, now: datetime, lease: timedelta = WEBSITE_LEASE) -> None:
        """Hold the website for one attempt, so that two officers pressing at once make one post."""
        self.require_publishing(now, "publish on the website")
        if self.website is not None:
            raise IllegalTransition(
                current="on_website", attempted="publish on the website", message=f"the post is at {self.website.url}"
            )
        if self.website_attempt_until is not None and now < self.website_attempt_until:
            raise IllegalTransition(
                current="publishing",
                attempted="publish on the website",
                message="another attempt at the website is under way",
            )
        self.website_attempt_until = now + lease
        self.changed()

    def website_published(self, post: WebsiteRecord) -> None:
        if self.website is not None and self.website.url != post.url:
            raise IllegalTransition(
                current="on_website",
                attempted="record another website post",
                message=f"the post is recorded already at {self.website.url}",
            )
        if self.website is None:
            self.website, self.website_trouble, self.website_attempt_until = post, None, None
            self.changed()

    def website_failed(self, error: str, *, transient: bool, now: datetime) -> None:
        attempts = self.website_trouble.attempts + 1 if self.website_trouble else 1
        self.website_trouble = ChannelTrouble(attempts=attempts, error=error, transient=transient, at=now)
        self.website_attempt_until = None
        self.changed()

    # -- email and completion -------------------------------------------------------------------

    def emailed(self, tally: EmailTally) -> None:
        self.email = tally
        self.changed()

    def complete(self, *, now: datetime, actor: Actor) -> bool:
        """Step 7 is done once the post is on the website and every recipient's email is final;
        social packages are posted by hand and do not hold it up."""
        if self.state is not PublicationState.READY or self.website is None or self.email is None:
            return False
        if not self.email.final:
            return False
        self.state, self.published_by, self.published_at = PublicationState.PUBLISHED, actor.officer_id, now
        self.changed(
            Published.occurred(
                data=PublishedData(
                    request_id=self.request_id,
                    version=self.version,
                    website_url=self.website.url,
                    channels=self.channel_results(),
                    emails_sent=self.email.sent,
                    emails_failed=self.email.failed,
                ),
                request_id=self.request_id,
                time=now,
                correlation_id=self.correlation_id,
                sop=self.sop,
                actor=actor,
            )
        )
        return True

    def channel_results(self) -> tuple[ChannelResult, ...]:
        results = []
        if self.website is not None:
            results.append(
                ChannelResult(
                    channel="website",
                    outcome=ChannelOutcome.PUBLISHED,
                    url=self.website.url,
                    detail=self.website.channel,
                )
            )
        if self.email is not None:
            results.append(
                ChannelResult(
                    channel="email",
                    outcome=ChannelOutcome.SENT,
                    detail=f"{self.email.sent} of {self.email.recipients} sent, {self.email.failed} failed",
                )
            )
        results += [
            ChannelResult(
                channel=p.post.channel.value,
                outcome=ChannelOutcome.POSTED if p.posted_url else ChannelOutcome.PACKAGE_READY,
                url=p.posted_url,
            )
            for p in self.social
        ]
        return tuple(results)

    def owed(self) -> Owed:
        return Owed(
            website=self.website is None,
            emailed=self.email is not None,
            emails_waiting=self.email.waiting if self.email else 0,
            emails_failed=self.email.failed if self.email else 0,
            social_posts=tuple(p.post.channel for p in self.social if p.posted_url is None),
        )

    # -- social ---------------------------------------------------------------------------------

    def record_social(self, channel: SocialChannel, *, url: AnyHttpUrl, now: datetime, actor: Actor) -> SocialPackage:
        """An officer posted the package by hand and pastes the post's address back."""
        self.require_publisher(actor, f"record its {channel.value} post")
        self.require_embargo_over(now, f"post on {channel.value}")
        package = next((p for p in self.social if p.post.channel is channel), None)
        if package is None:
            raise NotFound(f"the approved version has no {channel.value} post")
        if package.posted_url is not None and package.posted_url != url:
            raise IllegalTransition(
                current="posted",
                attempted=f"record another {channel.value} post",
                message=f"the {channel.value} post is recorded already at {package.posted_url}",
            )
        if package.posted_url is None:
            package.posted_url, package.posted_by, package.posted_at = url, actor.officer_id, now
            self.changed()
        return package
