"""The approved version's photos: fetched from the coverage service where each ``AssetRef``
points, checked against the hash the approval was given for, and turned into the copies the
public gets (``photos.published_copy``)."""

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import httpx

from warta.contracts import AssetKind, AssetRef
from warta.runtime.http import client_tls, client_transport
from warta.runtime.images import ImageRefused
from warta.runtime.indonesian import JAKARTA
from warta.runtime.release import inline_text, plain_text

from .photos import PhotoNotice, published_copy
from .website import ChannelError, Picture


@dataclass(frozen=True)
class Attribution:
    """Whose the published photos are: the section's credit beside the photographer's name, and
    the copyright holder."""

    credit: str = "Prokopim Kota Tangerang"
    copyright_holder: str = "Pemerintah Kota Tangerang"

    def notice(self, photo: AssetRef, at: datetime) -> PhotoNotice:
        photographer = plain_text(photo.credit) or None
        return PhotoNotice(
            caption=inline_text(photo.caption),
            byline=photographer,
            credit=f"{photographer}/{self.credit}" if photographer else self.credit,
            copyright=f"© {at.astimezone(JAKARTA).year} {self.copyright_holder}",
        )


class AssetFetcher:
    def __init__(
        self, token: Callable[[], str], *, timeout: float = 60.0, attribution: Attribution | None = None
    ) -> None:
        self._token = token
        self._timeout = timeout
        self._attribution = attribution or Attribution()
        self._tls = client_tls()

    async def pictures(self, assets: tuple[AssetRef, ...], *, at: datetime) -> tuple[Picture, ...]:
        """The photos in their order, as published at ``at``."""
        photos = [a for a in assets if a.kind is AssetKind.PHOTO]
        if not photos:
            return ()
        headers = {"Authorization": f"Bearer {self._token()}"}
        published = []
        try:
            transport = client_transport(self._tls)
            async with httpx.AsyncClient(timeout=self._timeout, headers=headers, transport=transport) as client:
                for photo in photos:
                    original = await self._original(client, photo)
                    published.append(await self._published(photo, original, at))
        except httpx.HTTPError as away:
            raise ChannelError(f"the coverage service did not serve the photos: {away}", transient=True) from away
        return tuple(published)

    def described(self, assets: tuple[AssetRef, ...], *, at: datetime) -> tuple[Picture, ...]:
        """The photos by their captions and credits only, without their bytes: what can still be
        said of them when the coverage service cannot serve them."""
        return tuple(
            Picture(sha256=a.sha256, content_type="image/jpeg", data=b"", caption=n.caption, credit=n.credit)
            for a in assets
            if a.kind is AssetKind.PHOTO
            for n in (self._attribution.notice(a, at),)
        )

    async def _original(self, client: httpx.AsyncClient, photo: AssetRef) -> httpx.Response:
        response = await client.get(photo.uri)
        if not response.is_success:
            raise ChannelError(
                f"the photo {photo.uri} could not be fetched: {response.status_code}",
                transient=response.status_code >= 500,
            )
        if hashlib.sha256(response.content).hexdigest() != photo.sha256:
            raise ChannelError(f"the photo {photo.uri} is not the one approved", transient=False)
        return response

    async def _published(self, photo: AssetRef, original: httpx.Response, at: datetime) -> Picture:
        notice = self._attribution.notice(photo, at)
        content_type = photo.content_type or original.headers.get("content-type", "")
        try:
            data, content_type = await asyncio.to_thread(published_copy, original.content, content_type, notice)
        except (RuntimeError, OSError, ImageRefused) as unreadable:
            raise ChannelError(
                f"the photo {photo.uri} could not be prepared for publication: {unreadable}", transient=False
            ) from unreadable
        return Picture(
            sha256=photo.sha256, content_type=content_type, data=data, caption=notice.caption, credit=notice.credit
        )
