"""The city website on WordPress, through its REST API with an application password.

The account should be an Author (ADR 0007, docs/operations.md): it may upload, post and create
tags, but not post unfiltered HTML, so WordPress's own filter stands behind ours.

Every step finds before it creates, by a name fixed per publication and photo: the post by its
slug (``<key>``), a photo by its media slug (``<key>-<sha256 prefix>`` of the approved original,
never its file name or EXIF, which WordPress would otherwise name it by), the category by its
name and a tag by WordPress's own ``term_exists`` answer. A photo is uploaded with its slug,
title, caption and alt text in the one request, so a crash cannot leave it nameless; one found
again has its caption and alt text put right and is attached to the post. An attempt killed at
any point is therefore finished by the next one: one post, one attachment per photo, every
caption as approved.
"""

import html
import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from warta.runtime.faults import fault_point
from warta.runtime.http import client_tls, client_transport
from warta.runtime.release import no_shortcodes

from .website import ChannelError, Picture, WebsitePost, WebsiteReceipt


class WordPressChannel:
    name = "wordpress"

    def __init__(
        self,
        base_url: str,
        username: str,
        application_password: str,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._auth = httpx.BasicAuth(username, application_password)
        self._timeout = timeout
        self._transport = transport
        self._tls = client_tls()

    async def publish(self, post: WebsitePost) -> WebsiteReceipt:
        try:
            async with httpx.AsyncClient(
                auth=self._auth, timeout=self._timeout, transport=self._transport or client_transport(self._tls)
            ) as client:
                api = _Api(client, self._base)
                await api.get("users/me", context="edit")  # a refused account says so here, as 401
                found = await api.get("posts", slug=post.key, status="any", context="edit")
                existing: dict[str, Any] | None = found[0] if found else None
                post_id = existing["id"] if existing else None
                media = []
                for picture in post.pictures:
                    media.append(await _picture(api, post.key, picture, post_id))
                    fault_point("website.after_media")
                category = await _category(api, post.category)
                tags = [await _tag(api, tag) for tag in post.tags]
                fields = {
                    "title": _html_text(post.title),
                    "content": _content(post, media),
                    "excerpt": _html_text(post.excerpt),
                    "status": "publish",
                    "slug": post.key,
                    "date_gmt": _date_gmt(existing, post.published_at),
                    "categories": [category],
                    "tags": tags,
                    "featured_media": media[0]["id"] if media else 0,
                    # A release is the city's statement, not a discussion thread.
                    "comment_status": "closed",
                    "ping_status": "closed",
                }
                saved = await api.post(f"posts/{post_id}" if post_id else "posts", json=fields)
                if saved.get("status") == "future":
                    # Our clock runs ahead of the site's: WordPress scheduled the post for what is
                    # still its future. It goes up now, at the site's own time of that answer.
                    when = {"date_gmt": _gmt(api.site_clock()), "status": "publish"}
                    saved = await api.post(f"posts/{saved['id']}", json=when)
                fault_point("website.after_post")
                for attachment in media:
                    if attachment.get("post") != saved["id"]:
                        await api.post(f"media/{attachment['id']}", json={"post": saved["id"]})
        except httpx.TimeoutException as slow:
            raise ChannelError(f"WordPress did not answer in time ({type(slow).__name__})", transient=True) from slow
        except httpx.TransportError as away:
            raise ChannelError(f"WordPress cannot be reached: {away}", transient=True) from away
        return WebsiteReceipt(
            url=saved["link"],
            post_id=str(saved["id"]),
            picture_urls={p.sha256: _full_size(m) for p, m in zip(post.pictures, media, strict=True)},
        )


async def _picture(api: "_Api", key: str, picture: Picture, post_id: int | None) -> dict[str, Any]:
    """The photo's attachment: found by its slug and put right, or uploaded whole in one request."""
    slug = picture.slug(key)
    wanted = {"title": _html_text(picture.caption or slug), "caption": _html_text(picture.credited_caption)}
    found = await api.get("media", slug=slug, context="edit")
    if found:
        existing: dict[str, Any] = found[0]
        stale = {
            "title": existing["title"]["raw"] != wanted["title"],
            "caption": existing["caption"]["raw"] != wanted["caption"],
            "alt_text": existing["alt_text"] != picture.caption,
        }
        if any(stale.values()):
            existing = await api.post(f"media/{existing['id']}", json={**wanted, "alt_text": picture.caption})
        return existing
    params: dict[str, Any] = {"slug": slug, **wanted, "alt_text": picture.caption}
    if post_id is not None:
        params["post"] = post_id
    uploaded: dict[str, Any] = await api.post(
        "media",
        params=params,
        content=picture.data,
        headers={
            "Content-Type": picture.content_type,
            "Content-Disposition": f'attachment; filename="{picture.filename(key)}"',
        },
    )
    return uploaded


async def _category(api: "_Api", name: str) -> int:
    """The category, which an Author may use but not create: the site's administrator makes it
    once (docs/operations.md); an account allowed to makes it here."""
    for term in await api.get("categories", search=name, per_page=100):
        if html.unescape(term["name"]).casefold() == name.casefold():
            return int(term["id"])
    response = await api.send("POST", "categories", json={"name": _html_text(name)})
    body = _json(response)
    if response.status_code == 400 and body.get("code") == "term_exists":
        return int(body["data"]["term_id"])
    if response.status_code in (401, 403):
        raise ChannelError(
            f"the category {name!r} does not exist on the website and this account may not create it: "
            "ask the site's administrator to create it",
            transient=False,
        )
    _raise_for(response, body)
    return int(body["id"])


async def _tag(api: "_Api", name: str) -> int:
    response = await api.send("POST", "tags", json={"name": _html_text(name)})
    body = _json(response)
    if response.status_code == 400 and body.get("code") == "term_exists":
        return int(body["data"]["term_id"])
    _raise_for(response, body)
    return int(body["id"])


def _html_text(text: str) -> str:
    """Plain text for a WordPress field that holds HTML (titles, captions, excerpts, term names)."""
    return no_shortcodes(html.escape(text, quote=False))


def _content(post: WebsitePost, media: list[dict[str, Any]]) -> str:
    """The article, the lead photo's caption under the photo the theme shows above it, and each
    other photo as a figure with its caption, which stays whole on a phone."""
    parts = []
    if post.pictures and post.pictures[0].credited_caption:
        parts.append(f'<p class="keterangan-foto"><em>{_html_text(post.pictures[0].credited_caption)}</em></p>')
    parts.append(no_shortcodes(post.html))
    parts += [_figure(m, p) for m, p in zip(media[1:], post.pictures[1:], strict=True)]
    return "\n".join(parts)


def _full_size(media: dict[str, Any]) -> str:
    """The photo as uploaded: WordPress shows a copy scaled down to 2,560 pixels (without the
    photo's caption and credit) where the original was larger, and keeps the original beside it."""
    original = (media.get("media_details") or {}).get("original_image")
    source = str(media["source_url"])
    return f"{source.rsplit('/', 1)[0]}/{original}" if original else source


def _date_gmt(existing: dict[str, Any] | None, now: datetime) -> str:
    """The post's time in UTC, so it is right whatever the site's time zone; a post already public
    keeps the time it went up."""
    if existing is not None and existing.get("status") == "publish" and existing.get("date_gmt"):
        return str(existing["date_gmt"])
    return _gmt(now)


def _gmt(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat()


class _Api:
    """WordPress's REST routes by ``?rest_route=``, which needs no pretty permalinks."""

    def __init__(self, client: httpx.AsyncClient, base: str) -> None:
        self._client = client
        self._base = base
        self._last_date: str | None = None

    async def send(
        self, method: str, route: str, *, params: dict[str, Any] | None = None, **kwargs: Any
    ) -> httpx.Response:
        query = {"rest_route": f"/wp/v2/{route}", **(params or {})}
        response = await self._client.request(method, f"{self._base}/", params=query, **kwargs)
        self._last_date = response.headers.get("date") or self._last_date
        return response

    def site_clock(self) -> datetime:
        """The site's time as its last answer gave it (its ``Date`` header)."""
        try:
            return parsedate_to_datetime(self._last_date or "")
        except (TypeError, ValueError) as unknown:
            raise ChannelError(
                "WordPress scheduled the post for later (its clock is behind ours) and did not say its time",
                transient=False,
            ) from unknown

    async def get(self, route: str, **params: Any) -> Any:
        response = await self.send("GET", route, params=params)
        body = _json(response)
        _raise_for(response, body)
        return body

    async def post(self, route: str, **kwargs: Any) -> Any:
        response = await self.send("POST", route, **kwargs)
        body = _json(response)
        _raise_for(response, body)
        return body


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except json.JSONDecodeError:
        return {"message": response.text[:300]}


def _raise_for(response: httpx.Response, body: Any) -> None:
    if response.is_success:
        return
    detail = body.get("message", "") if isinstance(body, dict) else ""
    code = body.get("code", "") if isinstance(body, dict) else ""
    raise ChannelError(
        f"WordPress answered {response.status_code} {code}: {detail}".strip(),
        transient=response.status_code >= 500 or response.status_code == 429,
    )


def _figure(media: dict[str, Any], picture: Picture) -> str:
    """An image block as WordPress's editor writes one, with the caption and credit under it."""
    return (
        f'<!-- wp:image {{"id":{media["id"]},"sizeSlug":"large"}} --><figure class="wp-block-image size-large">'
        f'<img src="{html.escape(media["source_url"])}" alt="{html.escape(picture.caption)}" '
        f'class="wp-image-{media["id"]}"/>'
        f'<figcaption class="wp-element-caption">{_html_text(picture.credited_caption)}</figcaption>'
        "</figure><!-- /wp:image -->"
    )
