"""The city website as a custom CMS that takes posts by a signed webhook.

The request is ``POST`` of a JSON post with three headers. ``html`` is the article as safe HTML
(see ``warta.runtime.release``) and ``text`` the same as plain text; ``title``, ``excerpt``,
``tags`` and each picture's ``caption`` and ``credit`` are plain text, for the CMS to escape; the
pictures are inline (base64) as published, without location or device data. The headers:
``X-Warta-Timestamp`` (Unix seconds), ``X-Warta-Signature: sha256=<hex HMAC-SHA256 of
"<timestamp>.<body>" under the shared secret>`` and ``Idempotency-Key`` (fixed per publication).
The CMS answers 2xx with ``{"url": ..., "id": ..., "pictures": {<sha256>: <public url>}}`` (the
pictures' addresses are optional: the media email links them when given); a repeated key must
update, not duplicate.
"""

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
from pydantic import ValidationError

from warta.runtime.http import client_tls, client_transport

from .website import ChannelError, WebsitePost, WebsiteReceipt


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class WebhookChannel:
    name = "webhook"

    def __init__(self, url: str, secret: str, *, timeout: float = 30.0) -> None:
        self._url = url
        self._secret = secret.encode()
        self._timeout = timeout
        self._tls = client_tls()

    async def publish(self, post: WebsitePost) -> WebsiteReceipt:
        body = json.dumps(_payload(post), ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Warta-Timestamp": timestamp,
            "X-Warta-Signature": signature(self._secret, timestamp, body),
            "Idempotency-Key": post.key,
        }
        try:
            async with httpx.AsyncClient(timeout=self._timeout, transport=client_transport(self._tls)) as client:
                response = await client.post(self._url, content=body, headers=headers)
        except httpx.TimeoutException as slow:
            raise ChannelError(f"the CMS did not answer in time ({type(slow).__name__})", transient=True) from slow
        except httpx.TransportError as away:
            raise ChannelError(f"the CMS cannot be reached: {away}", transient=True) from away
        if not response.is_success:
            raise ChannelError(
                f"the CMS answered {response.status_code}: {response.text[:300]}",
                transient=response.status_code >= 500 or response.status_code == 429,
            )
        try:
            answer = response.json()
            return WebsiteReceipt(
                url=answer["url"],
                post_id=str(answer["id"]) if answer.get("id") is not None else None,
                picture_urls=answer.get("pictures") or {},
            )
        except (ValueError, KeyError, TypeError, ValidationError) as odd:
            raise ChannelError(f"the CMS's answer has no post url: {response.text[:300]}", transient=False) from odd


def _payload(post: WebsitePost) -> dict[str, Any]:
    return {
        "key": post.key,
        "title": post.title,
        "html": post.html,
        "text": post.text,
        "excerpt": post.excerpt,
        "category": post.category,
        "tags": list(post.tags),
        "published_at": post.published_at.isoformat(),
        "pictures": [
            {
                "filename": p.filename(post.key),
                "content_type": p.content_type,
                "sha256": p.sha256,
                "caption": p.caption,
                "credit": p.credit,
                "featured": i == 0,
                "data": base64.b64encode(p.data).decode(),
            }
            for i, p in enumerate(post.pictures)
        ],
    }
