"""The approved version's photos, fetched from the coverage service where its ``AssetRef`` points."""

import hashlib
from collections.abc import Callable

import httpx

from warta.contracts import AssetKind, AssetRef

from .website import EXTENSIONS, ChannelError, Picture


class AssetFetcher:
    def __init__(self, token: Callable[[], str], *, timeout: float = 60.0) -> None:
        self._token = token
        self._timeout = timeout

    async def pictures(self, assets: tuple[AssetRef, ...]) -> tuple[Picture, ...]:
        """The photos in their order, each checked against the hash the approval was given for."""
        photos = [a for a in assets if a.kind is AssetKind.PHOTO]
        if not photos:
            return ()
        headers = {"Authorization": f"Bearer {self._token()}"}
        fetched = []
        try:
            async with httpx.AsyncClient(timeout=self._timeout, headers=headers) as client:
                for photo in photos:
                    response = await client.get(photo.uri)
                    if not response.is_success:
                        raise ChannelError(
                            f"the photo {photo.uri} could not be fetched: {response.status_code}",
                            transient=response.status_code >= 500,
                        )
                    if hashlib.sha256(response.content).hexdigest() != photo.sha256:
                        raise ChannelError(f"the photo {photo.uri} is not the one approved", transient=False)
                    content_type = photo.content_type or response.headers.get("content-type", "")
                    fetched.append(
                        Picture(
                            sha256=photo.sha256,
                            content_type=content_type if content_type in EXTENSIONS else "image/jpeg",
                            data=response.content,
                            caption=photo.caption,
                        )
                    )
        except httpx.HTTPError as away:
            raise ChannelError(f"the coverage service did not serve the photos: {away}", transient=True) from away
        return tuple(fetched)
