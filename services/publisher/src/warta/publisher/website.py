"""The city website as a publishing channel: what a post is, what publishing it answers, and the
interface every website adapter (WordPress, a signed webhook) implements.

A post carries a ``key`` fixed per publication. Adapters use it to find what an earlier attempt
already created (WordPress: the post's slug; a webhook: the ``Idempotency-Key``), so an attempt
retried after a timeout updates that post instead of creating a second one. Its text comes from
the one rendering of the release (``warta.runtime.release``): ``html`` is safe article HTML, and
every other text is plain, for the adapter to escape as its API needs.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from pydantic import AnyHttpUrl, BaseModel

from warta.runtime.release import RenderedRelease

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}
KEY_WORDS = 70  # characters of the title in a post's address


@dataclass(frozen=True)
class Picture:
    """A photo of the approved version as it is published: ``data`` is the public copy (see
    ``photos``), ``sha256`` the approved original's hash, which names it everywhere."""

    sha256: str
    content_type: str
    data: bytes
    caption: str = ""
    credit: str = ""

    def slug(self, key: str) -> str:
        return f"{key}-{self.sha256[:12]}"

    def filename(self, key: str) -> str:
        return f"{self.slug(key)}.{EXTENSIONS.get(self.content_type, 'bin')}"

    @property
    def credited_caption(self) -> str:
        """The caption as it stands under the photo: "… (Foto: Dewi Lestari/Prokopim Kota Tangerang)"."""
        credit = f"(Foto: {self.credit})" if self.credit else ""
        return f"{self.caption} {credit}".strip()


@dataclass(frozen=True)
class WebsitePost:
    key: str
    title: str
    html: str
    text: str
    excerpt: str
    category: str
    tags: tuple[str, ...]
    published_at: datetime
    pictures: tuple[Picture, ...] = field(default=())  # the first is the featured image, the rest a gallery


class WebsiteReceipt(BaseModel):
    url: AnyHttpUrl
    post_id: str | None = None
    picture_urls: dict[str, str] = {}  # sha256 → the picture's public address


class ChannelError(Exception):
    """A channel did not publish. ``transient`` failures (timeouts, 5xx, 429) are worth a retry;
    the others need a person (a wrong password, a refused post)."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient


class WebsiteChannel(Protocol):
    name: str

    async def publish(self, post: WebsitePost) -> WebsiteReceipt: ...


def post_key(request_id: str, title: str) -> str:
    """One post per request, the section publishing one release per leadership event, at an
    address a reader can read: the approved title's words and the end of the request's id
    (``wali-kota-resmikan-taman-literasi-6b1f0c9a2e47``). The title is fixed once approved."""
    words = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", "-", words).strip("-")
    if len(words) > KEY_WORDS:
        words = words[:KEY_WORDS].rsplit("-", 1)[0]
    request = re.sub(r"[^a-z0-9]", "", request_id.lower())[-12:] or "0"
    return f"{words or 'siaran-pers'}-{request}"


def post_for(
    request_id: str,
    release: RenderedRelease,
    pictures: tuple[Picture, ...],
    *,
    category: str,
    published_at: datetime,
) -> WebsitePost:
    return WebsitePost(
        key=post_key(request_id, release.title),
        title=release.title,
        html=release.html,
        text=release.text,
        excerpt=release.excerpt,
        category=category,
        tags=release.tags,
        published_at=published_at,
        pictures=pictures,
    )
