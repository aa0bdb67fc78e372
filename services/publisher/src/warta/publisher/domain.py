"""Step 7 of SOP 58/2025: publish the verified press release."""

from datetime import datetime
from enum import StrEnum

from pydantic import AnyHttpUrl, AwareDatetime, BaseModel

from warta.contracts import (
    Actor,
    Approved,
    AssetRef,
    CoverageSubmitted,
    IllegalTransition,
    PressRelease,
    Published,
    PublishedData,
)
from warta.runtime.aggregate import Aggregate
from warta.runtime.indonesian import format_datetime


class Submission(BaseModel):
    """A coverage version as the publisher keeps it, so that it can publish without asking."""

    request_id: str
    version: int
    press_release: PressRelease
    assets: tuple[AssetRef, ...]

    @classmethod
    def of(cls, submitted: CoverageSubmitted) -> "Submission":
        return cls(
            request_id=submitted.data.request_id,
            version=submitted.data.version,
            press_release=submitted.data.press_release,
            assets=submitted.data.assets,
        )


class PublicationState(StrEnum):
    READY = "ready"  # ordered by the section head; step 7's clock runs
    PUBLISHED = "published"


class Publication(Aggregate):
    request_id: str
    correlation_id: str
    version: int
    press_release: PressRelease
    assets: tuple[AssetRef, ...]
    ordered_at: AwareDatetime
    state: PublicationState = PublicationState.READY
    website_url: AnyHttpUrl | None = None
    published_by: str | None = None
    published_at: AwareDatetime | None = None

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
