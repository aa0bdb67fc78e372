"""The city website as a publishing channel: what a post is, what publishing it answers, and the
interface every website adapter (WordPress, a signed webhook) implements.

A post carries a ``key`` fixed per publication. Adapters use it to find what an earlier attempt
already created (WordPress: the post's slug; a webhook: the ``Idempotency-Key``), so an attempt
retried after a timeout updates that post instead of creating a second one.
"""

import html
import re
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import AnyHttpUrl, BaseModel

from warta.contracts import PressRelease

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}


@dataclass(frozen=True)
class Picture:
    """A photo of the approved version, its bytes fetched from the coverage service."""

    sha256: str
    content_type: str
    data: bytes
    caption: str | None = None

    def filename(self, key: str) -> str:
        return f"{key}-{self.sha256[:12]}.{EXTENSIONS.get(self.content_type, 'bin')}"


@dataclass(frozen=True)
class WebsitePost:
    key: str
    title: str
    html: str
    excerpt: str
    category: str
    tags: tuple[str, ...]
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


def post_key(request_id: str) -> str:
    """One post per request: the section publishes one release per leadership event."""
    return "siaran-pers-" + re.sub(r"[^a-z0-9]+", "-", request_id.lower()).strip("-")


def article_html(release: PressRelease) -> str:
    """The release as the body of a web page or an email: dateline and lead, then its paragraphs."""
    parts = []
    if release.dateline or release.lead:
        dateline = f"<strong>{html.escape(release.dateline)}</strong> — " if release.dateline else ""
        parts.append(f"<p>{dateline}{html.escape(release.lead or '')}</p>")
    parts += [f"<p>{html.escape(p.strip())}</p>" for p in release.body.split("\n\n") if p.strip()]
    return "\n".join(parts)


def post_for(request_id: str, release: PressRelease, pictures: tuple[Picture, ...], category: str) -> WebsitePost:
    excerpt = release.lead or release.body.split("\n\n", 1)[0]
    return WebsitePost(
        key=post_key(request_id),
        title=release.title,
        html=article_html(release),
        excerpt=excerpt[:300],
        category=category,
        tags=tuple(release.tags),
        pictures=pictures,
    )
