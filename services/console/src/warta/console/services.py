"""The services' HTTP APIs as the console calls them: with the signed-in officer's token, and an
answer the pages can show whatever happened (a refusal's message and fields, or an unreachable
service), never an exception text."""

from dataclasses import dataclass, field
from typing import Any

import httpx


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
        self._clients = {
            name: httpx.AsyncClient(base_url=url, timeout=timeout, mounts=mounts) for name, url in urls.items()
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

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()
