"""The services' HTTP APIs as the console calls them: with the signed-in officer's token, and an
answer the pages can show whatever happened (a refusal's message and fields, or an unreachable
service), never an exception text."""

import functools
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import TypeAdapter, ValidationError

from warta.runtime.http import client_tls, client_transport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any = None
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def message(self) -> str:
        return str(self.body.get("message", "")) if isinstance(self.body, dict) else ""


class Services:
    """One HTTP client per service, kept for the console's life (connections are reused)."""

    def __init__(
        self,
        urls: dict[str, str],
        timeout: float = 15.0,
        *,
        mounts: dict[str, httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        """``mounts``: transports by URL prefix, for services reached other than over the network
        (in a test's own process)."""
        tls = client_tls()
        self._clients = {
            name: httpx.AsyncClient(base_url=url, timeout=timeout, transport=client_transport(tls), mounts=mounts)
            for name, url in urls.items()
        }

    async def call(self, token: str | None, method: str, service: str, path: str, **kwargs: Any) -> Answer:
        """``token`` None: a call that carries no officer (a calendar app's poll of a keyed feed)."""
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **kwargs.pop("headers", {})}
        try:
            response = await self._clients[service].request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError:
            away = {"error": "unavailable", "message": f"layanan {service} tidak dapat dihubungi", "fields": []}
            return Answer(503, away)
        try:
            body = response.json() if response.headers.get("content-type", "").startswith("application/json") else None
        except ValueError:
            body = None
        return Answer(response.status_code, body, response.content, dict(response.headers))

    async def open(self, token: str, service: str, path: str, headers: dict[str, str]) -> httpx.Response | None:
        """A GET whose body is streamed on to the browser (a video, a large photo); the caller
        closes it. None when the service cannot be reached."""
        client = self._clients[service]
        request = client.build_request("GET", path, headers={"Authorization": f"Bearer {token}", **headers})
        try:
            return await client.send(request, stream=True)
        except httpx.HTTPError:
            return None

    async def read(self, token: str | None, service: str, path: str, shape: Any, **kwargs: Any) -> Answer:
        """A GET whose answer is read through ``shape``, the typed model (or ``list[...]`` of
        one) generated from the service's OpenAPI document (``console.clients``). An answer that
        does not fit its document is the service's fault, not the officer's: logged, and shown as
        a service that cannot be used just now."""
        answer = await self.call(token, "GET", service, path, **kwargs)
        if not answer.ok:
            return answer
        try:
            body = _adapter(shape).validate_python(answer.body)
        except ValidationError as drift:
            log.error("%s %s answered outside its OpenAPI document: %s", service, path, drift)
            return Answer(502, {"error": "unavailable", "message": f"{service} answered outside its document"})
        return Answer(answer.status, body, answer.content, answer.headers)

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()


@functools.cache
def _adapter(shape: Any) -> TypeAdapter[Any]:
    return TypeAdapter(shape)
