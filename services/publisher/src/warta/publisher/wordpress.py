"""The city website on WordPress, through its REST API with an application password.

Every step finds before it creates, by a name fixed per publication: a picture by its media slug
(``<key>-<sha256 prefix>``), a category or tag by WordPress's own ``term_exists`` answer, the post
by its slug (``<key>``). An attempt that timed out after WordPress acted is therefore finished by
the next one, which updates what is there.
"""

import html
import json
from typing import Any

import httpx

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

    async def publish(self, post: WebsitePost) -> WebsiteReceipt:
        try:
            async with httpx.AsyncClient(auth=self._auth, timeout=self._timeout, transport=self._transport) as client:
                api = _Api(client, self._base)
                media = [await self._picture(api, post.key, p) for p in post.pictures]
                category = await self._term(api, "categories", post.category)
                tags = [await self._term(api, "tags", t) for t in post.tags]
                fields = {
                    "title": post.title,
                    "content": post.html + _gallery(media[1:]),
                    "excerpt": post.excerpt,
                    "status": "publish",
                    "slug": post.key,
                    "categories": [category],
                    "tags": tags,
                    "featured_media": media[0]["id"] if media else 0,
                }
                found = await api.get("posts", slug=post.key, status="any", context="edit")
                if found:
                    saved = await api.post(f"posts/{found[0]['id']}", json=fields)
                else:
                    saved = await api.post("posts", json=fields)
        except httpx.TimeoutException as slow:
            raise ChannelError(f"WordPress did not answer in time ({type(slow).__name__})", transient=True) from slow
        except httpx.TransportError as away:
            raise ChannelError(f"WordPress cannot be reached: {away}", transient=True) from away
        return WebsiteReceipt(
            url=saved["link"],
            post_id=str(saved["id"]),
            picture_urls={p.sha256: m["source_url"] for p, m in zip(post.pictures, media, strict=True)},
        )

    async def _picture(self, api: "_Api", key: str, picture: Picture) -> dict[str, Any]:
        filename = picture.filename(key)
        slug = filename.rsplit(".", 1)[0]
        found = await api.get("media", slug=slug, context="edit")
        if found:
            existing: dict[str, Any] = found[0]
            return existing
        uploaded: dict[str, Any] = await api.post(
            "media",
            content=picture.data,
            headers={"Content-Type": picture.content_type, "Content-Disposition": f'attachment; filename="{filename}"'},
        )
        if picture.caption:
            uploaded = await api.post(
                f"media/{uploaded['id']}", json={"caption": picture.caption, "alt_text": picture.caption}
            )
        return uploaded

    async def _term(self, api: "_Api", taxonomy: str, name: str) -> int:
        response = await api.send("POST", taxonomy, json={"name": name})
        body = _json(response)
        if response.status_code == 400 and body.get("code") == "term_exists":
            return int(body["data"]["term_id"])
        _raise_for(response, body)
        return int(body["id"])


class _Api:
    """WordPress's REST routes by ``?rest_route=``, which needs no pretty permalinks."""

    def __init__(self, client: httpx.AsyncClient, base: str) -> None:
        self._client = client
        self._base = base

    async def send(
        self, method: str, route: str, *, params: dict[str, Any] | None = None, **kwargs: Any
    ) -> httpx.Response:
        query = {"rest_route": f"/wp/v2/{route}", **(params or {})}
        return await self._client.request(method, f"{self._base}/", params=query, **kwargs)

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


def _gallery(media: list[dict[str, Any]]) -> str:
    """A block-editor gallery of the other photos, as WordPress itself writes one."""
    if not media:
        return ""
    images = "".join(
        f'<!-- wp:image {{"id":{m["id"]}}} --><figure class="wp-block-image">'
        f'<img src="{html.escape(m["source_url"])}" alt="{html.escape(_caption(m))}" class="wp-image-{m["id"]}"/>'
        + (f"<figcaption>{html.escape(_caption(m))}</figcaption>" if _caption(m) else "")
        + "</figure><!-- /wp:image -->"
        for m in media
    )
    return (
        '\n<!-- wp:gallery {"linkTo":"none"} -->'
        f'<figure class="wp-block-gallery has-nested-images columns-default is-cropped">{images}</figure>'
        "<!-- /wp:gallery -->"
    )


def _caption(media: dict[str, Any]) -> str:
    return str(media.get("alt_text") or "")
