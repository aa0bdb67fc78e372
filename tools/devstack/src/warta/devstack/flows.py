"""Flows for fault tests: the first steps of a request (registered, sheet issued, disposed) driven
over HTTP the way a patient officer would drive them through an outage.

An answer that never came (a refused connection, a 503, a timeout) is retried; before a command is
sent again the flow looks whether the first attempt took effect, as the officer would look at the
screen, so nothing is done twice: a registration that went through is found by its duplicate
refusal, an issued sheet or a disposition by the request's state.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from warta.contracts import Role

from .demo import EXISTING_REQUEST

TokenFor = Callable[[str, Role], str]
ADMIN = ("siti.admin", Role.ADMIN)
HEAD = ("hendra.kabag", Role.SECTION_HEAD)


class Unanswered(Exception):
    """No usable answer: the service is away or busy."""


@dataclass
class FlowLog:
    retries: int = 0
    unavailable: list[str] = field(default_factory=list)  # 503 messages seen
    registered: int = 0  # flows past their first step, for a test to time its fault by


class Officer:
    def __init__(self, base_url: str, token_for: TokenFor, log: FlowLog, *, deadline: float) -> None:
        self._base = base_url
        self._token_for = token_for
        self._log = log
        self._deadline = deadline

    async def send(self, officer: tuple[str, Role], method: str, path: str, body: Any = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token_for(*officer)}"}
        try:
            async with httpx.AsyncClient(timeout=15) as client:
                response = await client.request(method, self._base + path, json=body, headers=headers)
        except httpx.HTTPError as away:
            raise Unanswered(str(away)) from away
        if response.status_code == 503:
            self._log.unavailable.append(response.json().get("message", ""))
            raise Unanswered(response.text)
        return response

    async def until_done(self, attempt: Callable[[], Awaitable[Any]]) -> Any:
        """Repeat ``attempt`` until it answers, pausing between tries, up to the flow's deadline."""
        while True:
            try:
                return await attempt()
            except Unanswered:
                if time.monotonic() > self._deadline:
                    raise
                self._log.retries += 1
                await asyncio.sleep(0.5)


async def intake_flow(number: int, intake_url: str, token_for: TokenFor, log: FlowLog, timeout: float = 120) -> str:
    """Register letter ``number``, issue its sheet, dispose it; return the request id."""
    officer = Officer(intake_url, token_for, log, deadline=time.monotonic() + timeout)
    now = datetime.now(UTC)
    starts = now + timedelta(days=3, minutes=number * 90)  # one event after another: no clashes
    letter = {
        "letter": {
            "number": f"FAULT/{number:04d}/{now:%H%M%S%f}",
            "date": now.date().isoformat(),
            "sender": "Dinas Perhubungan",
            "sender_kind": "opd",
            "subject": f"Peliputan kegiatan {number}",
        },
        "event": {
            "title": f"Kegiatan {number}",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
            "location": "Pusat Pemerintahan",
            "leader": "wali_kota",
        },
        "received_at": (now - timedelta(minutes=5)).isoformat(),
    }

    async def register() -> str:
        response = await officer.send(ADMIN, "POST", "/requests", letter)
        if response.status_code == 201:
            return str(response.json()["id"])
        found = EXISTING_REQUEST.search(response.json().get("message", "")) if response.status_code == 409 else None
        if found:  # an earlier attempt registered it and its answer was lost
            return found.group(1)
        raise AssertionError(f"registration refused: {response.status_code} {response.text}")

    request_id: str = await officer.until_done(register)
    log.registered += 1

    async def state() -> str:
        response = await officer.send(ADMIN, "GET", f"/requests/{request_id}")
        if response.status_code != 200:
            raise Unanswered(response.text)
        return str(response.json()["state"])

    async def issue() -> None:
        if await state() != "registered":
            return
        response = await officer.send(ADMIN, "POST", f"/requests/{request_id}/disposition-sheet")
        if response.status_code != 200:
            raise AssertionError(f"sheet refused: {response.status_code} {response.text}")

    async def dispose() -> None:
        if await state() == "disposed":
            return
        body = {"instructions": ["liput_dan_publikasikan"]}
        response = await officer.send(HEAD, "POST", f"/requests/{request_id}/disposition", body)
        if response.status_code != 200:
            raise AssertionError(f"disposition refused: {response.status_code} {response.text}")

    await officer.until_done(issue)
    await officer.until_done(dispose)
    return request_id
