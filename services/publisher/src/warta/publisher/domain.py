"""Step 7 of SOP 58/2025: publish the verified press release."""

from datetime import datetime
from enum import StrEnum

from pydantic import AnyHttpUrl, AwareDatetime, BaseModel, Field

from warta.contracts import (
    Actor,
    Approved,
    AssetRef,
    CoverageSubmitted,
    IllegalTransition,
    NotFound,
    PressRelease,
    Published,
    PublishedData,
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

    @classmethod
    def of(cls, submitted: CoverageSubmitted) -> "Submission":
        return cls(
            request_id=submitted.data.request_id,
            version=submitted.data.version,
            press_release=submitted.data.press_release,
            assets=submitted.data.assets,
            social_posts=submitted.data.social_posts,
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
    PUBLISHED = "published"


class Publication(Aggregate):
    request_id: str
    correlation_id: str
    version: int
    press_release: PressRelease
    assets: tuple[AssetRef, ...]
    social: list[SocialPackage] = Field(default_factory=list)
    ordered_at: AwareDatetime
    state: PublicationState = PublicationState.READY
    website_url: AnyHttpUrl | None = None
    published_by: str | None = None
    published_at: AwareDatetime | None = None

    def record_social(self, channel: SocialChannel, *, url: AnyHttpUrl, now: datetime, actor: Actor) -> SocialPackage:
        """An officer posted the package by hand and pastes the post's address back."""
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

    def require_embargo_over(self, now: datetime, attempted: str) -> None:
        """Nothing of an embargoed release goes out before its time."""
        until = self.press_release.embargo_until
        if until is not None and now < until:
            raise IllegalTransition(
                current=self.state.value,
                attempted=attempted,
                message=f"the release is under embargo until {format_datetime(until)}",
            )

    @classmethod
    def order(cls, approved: Approved, submission: Submission) -> "Publication":
        """The section head's approval orders publication of exactly the version approved."""
        return cls(
            request_id=submission.request_id,
            correlation_id=approved.correlation_id,
            version=submission.version,
            press_release=submission.press_release,
            assets=submission.assets,
            social=[SocialPackage(post=post) for post in submission.social_posts],
            ordered_at=approved.time,
        )

    def record(self, *, website_url: AnyHttpUrl, now: datetime, actor: Actor) -> None:
        """Record that the release is on the city website (step 7 done)."""
        if self.state is not PublicationState.READY:
            raise IllegalTransition(current=self.state.value, attempted="publish")
        self.require_embargo_over(now, "publish")
        self.state = PublicationState.PUBLISHED
        self.website_url = website_url
        self.published_by = actor.officer_id
        self.published_at = now
        self.changed(
            Published.occurred(
                data=PublishedData(request_id=self.request_id, version=self.version, website_url=website_url),
                request_id=self.request_id,
                time=now,
                correlation_id=self.correlation_id,
                actor=actor,
            )
        )
