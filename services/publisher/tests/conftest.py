"""What the publisher's tests share: a version approved, as the publisher receives it from review,
and its photos, served where their references point."""

from collections.abc import Awaitable, Callable, Iterator

import pytest

from warta.contracts import (
    AssetRef,
    PressRelease,
    ReviewLevel,
    SocialPost,
)
from warta.devstack.pytest_plugin import ServiceCaller, approved_version
from warta.devstack.stub_http import served_photos

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
        submitted, approved = approved_version(request_id, release, assets, social_posts, level)
        await desk.app.state.handlers.keep_submission(submitted)
        await desk.app.state.handlers.order_publication(approved)

    return approve


CAPTIONS = ("Wali Kota menggunting pita", "Warga membaca di taman", "Rak buku anak")


@pytest.fixture
def photos() -> Iterator[tuple[AssetRef, ...]]:
    """Three photos of the approved version as a camera wrote them, taken by Dewi Lestari."""
    with served_photos(CAPTIONS) as refs:
        yield refs
