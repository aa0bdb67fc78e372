"""What the publisher's tests share: a version approved, as the publisher receives it from review."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from warta.contracts import (
    Approved,
    ApprovedData,
    AssetRef,
    CoverageSubmitted,
    CoverageSubmittedData,
    PressRelease,
    ReviewLevel,
    SocialPost,
)
from warta.devstack.pytest_plugin import ServiceCaller

Approve = Callable[..., Awaitable[None]]


@pytest.fixture
def approve() -> Approve:
    async def approve(
        desk: ServiceCaller,
        request_id: str,
        release: PressRelease,
        assets: tuple[AssetRef, ...] = (),
        social_posts: tuple[SocialPost, ...] = (),
        level: ReviewLevel = ReviewLevel.SECTION_HEAD,
    ) -> None:
        """Version 1 of ``release``, submitted half an hour ago and approved now at ``level``."""
        now = datetime.now(UTC)
        submitted = CoverageSubmitted.occurred(
            data=CoverageSubmittedData(
                request_id=request_id,
                version=1,
                press_release=release,
                assets=assets,
                submitted_by="dewi",
                contributors=("dewi",),
                social_posts=social_posts,
            ),
            request_id=request_id,
            time=now - timedelta(minutes=30),
        )
        handlers = desk.app.state.handlers
        await handlers.keep_submission(submitted)
        approved = Approved.occurred(
            data=ApprovedData(request_id=request_id, version=1, level=level), request_id=request_id, time=now
        )
        await handlers.order_publication(approved)

    return approve
