"""One request through all seven SOP steps over the services' HTTP APIs, as the officers would do it,
with one rejection at each review level. Used by ``make demo`` and by the end-to-end test."""

import asyncio
import contextlib
import importlib
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx

from warta.contracts import Role
from warta.runtime import ServiceSettings
from warta.runtime.indonesian import JAKARTA
from warta.runtime.registry import REGISTRY, services

from . import samples

DEV_PORT_BASE = 8100
SERVICES = services("sop-step")  # the SOP's steps
SUBSCRIBERS = services("subscriber")  # listen to the events and add nothing to the flow
PAGES = services("console")  # the officers' web pages over the services' APIs


def settings_class(name: str) -> type[ServiceSettings]:
    """The settings class of ``warta.<name>.app``: the one subclass of ServiceSettings it defines."""
    module = importlib.import_module(f"warta.{name}.app")
    found: type[ServiceSettings] = next(
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, ServiceSettings) and v is not ServiceSettings
    )
    return found


def service_ports(base: int = DEV_PORT_BASE) -> dict[str, int]:
    """The dev stack's ports: each service's registered port, moved with ``WARTA_DEV_PORT_BASE``
    (intake's 8101 is base+1)."""
    return {name: base + REGISTRY[name].port - DEV_PORT_BASE for name in SERVICES + SUBSCRIBERS + PAGES}


# The dev stack's officers: (officer id, role).
ADMIN = ("siti.admin", Role.ADMIN)
SECTION_HEAD = ("hendra.kabag", Role.SECTION_HEAD)
TEAM_LEAD = ("rina.katim", Role.TEAM_LEAD)
WRITER = ("dewi.penulis", Role.COVERAGE_TEAM)
PHOTOGRAPHER = ("agus.fotografer", Role.COVERAGE_TEAM)
VIDEOGRAPHER = ("yoga.videografer", Role.COVERAGE_TEAM)
SOCIAL_MEDIA = ("maya.medsos", Role.COVERAGE_TEAM)
DEV_MEDIA = (
    "outlet,outlet_type,press_council_verified,journalist_organisation,contact_name,desk,email,active\n"
    "Tangerang Ekspres,print,ya,PWI,Budi Santoso,Redaksi,budi@tangerangekspres.example,ya\n"
    "Radio Kota,radio,tidak,,Sari Lestari,Berita,sari@radiokota.example,ya\n"
)

TokenFor = Callable[[str, Role], str]

# The dev stack's documentation team and kit, put on the roster by the demo's team lead.
DEV_ROSTER: tuple[dict[str, Any], ...] = (
    {"officer_id": WRITER[0], "name": "Dewi Lestari", "skills": ["writer", "editor"]},
    {"officer_id": PHOTOGRAPHER[0], "name": "Agus Salim", "skills": ["photographer"]},
    {"officer_id": VIDEOGRAPHER[0], "name": "Yoga Pratama", "skills": ["videographer", "photographer"]},
    {"officer_id": SOCIAL_MEDIA[0], "name": "Maya Sari", "skills": ["social_media", "writer"]},
)

# Every officer of the demo by name, as the sign-in lists them and as pages and messages name them.
OFFICE_NAMES: dict[str, str] = {
    ADMIN[0]: "Siti Rahmawati",
    SECTION_HEAD[0]: "Hendra Gunawan",
    TEAM_LEAD[0]: "Rina Wulandari",
} | {officer["officer_id"]: officer["name"] for officer in DEV_ROSTER}

DEV_INVENTORY: tuple[dict[str, Any], ...] = (
    {"item_id": "KAMERA-01", "kind": "camera", "description": "Kamera mirrorless"},
    {"item_id": "KAMERA-02", "kind": "camera", "description": "Kamera DSLR"},
    {"item_id": "CAMCORDER-01", "kind": "camcorder", "description": "Camcorder 4K"},
    {"item_id": "MOBIL-02", "kind": "vehicle", "description": "Mobil operasional"},
)
OVERRIDABLE = re.compile(r"override with a reason for ((?:officer|item):[^)\s]+)")


class DemoFailed(Exception):
    pass


@dataclass
class Entry:
    at: datetime
    step: int
    officer: str
    action: str


@dataclass
class Timeline:
    request_id: str = ""
    agenda_number: str = ""
    entries: list[Entry] = field(default_factory=list)
    waiting_seconds: float = 0.0  # the officers' time waiting on an answer: the system's share of the walk

    def add(self, step: int, officer: str, action: str) -> None:
        self.entries.append(Entry(datetime.now(UTC), step, officer, action))

    def render(self) -> str:
        lines = [f"Permohonan {self.agenda_number} ({self.request_id})"]
        for e in self.entries:
            lines.append(f"  {e.at.astimezone(JAKARTA):%H:%M:%S} WIB  langkah {e.step}  {e.officer:<18} {e.action}")
        return "\n".join(lines)


Done = Callable[[], Awaitable[Any]]
EXISTING_REQUEST = re.compile(r"\(request ([0-9a-f-]{36})\)")


POLL_FIRST, POLL_MOST = 0.05, 1.0  # seconds between an officer's refreshes while waiting


class Walker:
    """The officers at their screens. An answer that never comes (the service restarting, a 503)
    is waited out and the command sent again, unless ``done`` shows the first attempt took effect:
    the officer looks at the screen before pressing the button a second time."""

    def __init__(
        self, urls: dict[str, str], token_for: TokenFor, client: httpx.AsyncClient, patience: float = 60
    ) -> None:
        self._urls = urls
        self._token_for = token_for
        self._client = client
        self._patience = patience
        self.unanswered = 0  # commands whose answer was lost, for a test to report
        self.trouble = ""  # why the last one was lost
        self.waiting = 0.0  # seconds spent waiting on the services' answers, pauses left out

    @property
    def patience(self) -> float:
        return self._patience

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await self._client.request(method, url, **kwargs)
        except httpx.TransportError as away:
            self.trouble = f"{type(away).__name__}: {away}"
            return None
        finally:
            self.waiting += time.perf_counter() - started
        if response.status_code in (502, 503):
            self.trouble = f"{response.status_code}: {response.text[:200]}"
            return None
        return response

    async def call(
        self,
        officer: tuple[str, Role],
        method: str,
        service: str,
        path: str,
        body: Any = None,
        expect: int | tuple[int, ...] = 200,
        done: Done | None = None,
    ) -> Any:
        headers = {"Authorization": f"Bearer {self._token_for(*officer)}"}
        data = {"content": body} if isinstance(body, bytes) else {"json": body}
        deadline = time.monotonic() + self._patience
        lost = False
        while (response := await self._send(method, self._urls[service] + path, headers=headers, **data)) is None:
            lost = True
            self.unanswered += 1
            if time.monotonic() > deadline:
                raise DemoFailed(f"{method} {service}{path}: no answer for {self._patience:.0f}s ({self.trouble})")
            await asyncio.sleep(0.3)
            if done is not None and (found := await self._done(done)) is not None:
                return found
        wanted = expect if isinstance(expect, tuple) else (expect,)
        # The lost attempt may have been still running when this one was sent, and won.
        raced = lost and (response.status_code not in wanted or response.status_code == 409)
        if raced and done is not None and (found := await self._done(done)) is not None:
            return found
        if response.status_code not in wanted:
            raise DemoFailed(
                f"{method} {service}{path}: expected {expect}, got {response.status_code}: {response.text}"
            )
        if response.headers.get("content-type") == "application/pdf":
            return response.content
        return response.json() if response.content else None

    async def _done(self, done: Done) -> Any:
        with contextlib.suppress(httpx.TransportError, DemoFailed):
            return await done()
        return None

    async def get(self, officer: tuple[str, Role], service: str, path: str) -> Any:
        return await self.call(officer, "GET", service, path)

    async def upload(self, officer: tuple[str, Role], rid: str, filename: str, content: bytes, kind: str) -> Any:
        """Declare an upload and send its bytes in 64 KiB requests, as a phone on a weak line would;
        after a lost answer, ask where the upload stands and go on from there."""
        declared = {"filename": filename, "size": len(content), "kind": kind}
        upload = await self.call(officer, "POST", "coverage", f"/coverage/{rid}/uploads", declared, expect=201)
        path = f"/coverage/{rid}/uploads/{upload['upload_id']}"
        offset, step = 0, 64 * 1024
        while upload.get("asset") is None:
            headers = {"Authorization": f"Bearer {self._token_for(*officer)}", "Upload-Offset": str(offset)}
            chunk = content[offset : offset + step]
            response = await self._send("PATCH", self._urls["coverage"] + path, content=chunk, headers=headers)
            if response is None or response.status_code == 409:  # lost, or the offset moved on
                upload = await self.get(officer, "coverage", path)
            elif response.status_code != 200:
                raise DemoFailed(f"upload of {filename} at {offset}: {response.status_code}: {response.text}")
            else:
                upload = response.json()
            offset = upload["offset"]
        return upload["asset"]

    async def wait_for(self, officer: tuple[str, Role], service: str, path: str, ready: Callable[[Any], bool]) -> Any:
        """Poll until the event-driven side has caught up, as an officer refreshes the page: soon,
        then less often (``POLL_FIRST`` doubling to ``POLL_MOST``). At a steady 50 ms, a hundred
        officers waiting on a busy system sent it two thousand reads a second, which took the
        cores the events they waited for needed."""
        headers = {"Authorization": f"Bearer {self._token_for(*officer)}"}
        timeout = self._patience
        deadline = time.monotonic() + timeout
        last = None
        pause = POLL_FIRST
        while time.monotonic() < deadline:
            response = await self._send("GET", self._urls[service] + path, headers=headers)
            if response is not None and response.status_code == 200 and ready(body := response.json()):
                return body
            last = response.text if response is not None else f"no answer ({self.trouble})"
            await asyncio.sleep(pause)
            pause = min(2 * pause, POLL_MOST)
        raise DemoFailed(f"{service}{path} not ready after {timeout}s: {last}")


async def _no_pause(step: int) -> None:
    pass


async def _when(view: Awaitable[Any], holds: Callable[[Any], bool], answer: Callable[[Any], Any] = lambda v: v) -> Any:
    """``answer(view)`` if ``holds(view)``, else None: how ``done`` checks are written."""
    seen = await view
    return answer(seen) if holds(seen) else None


async def walk(
    urls: dict[str, str],
    token_for: TokenFor,
    *,
    now: datetime | None = None,
    before: Callable[[int], Awaitable[None]] = _no_pause,
    straight: bool = False,
    event_starts_in: timedelta = timedelta(minutes=-30),
    patience: float = 60,
    client: httpx.AsyncClient | None = None,
    registered: str | None = None,
    office_ready: bool = False,
) -> Timeline:
    """Walk one request through the seven steps. ``now`` is the services' time (a test may run their
    clocks ahead); ``before(step)`` is awaited before each action that ends a step, so a test can let
    time pass there. The full walk has a rejection at each level and a video; a ``straight`` one is
    approved at once with a photo only (many of them run side by side in load and fault tests, each
    with its own ``event_starts_in`` so their teams do not clash). ``patience``: how long an officer
    keeps retrying a command that gets no answer. ``client``: one that reaches the ``urls`` (the
    services in a test's own process, say); by default a new one over the network. ``registered``:
    a request already in the register (through the console, say), walked on from its sheet.
    ``office_ready``: the roster, the inventory and the media registry are in already (an earlier
    walk of the same run put them there), so this walk does not send them again, as an office
    registers its officers once and not with every letter.

    Long: the SOP walked step by step as its officers do it, a few lines each, so the walk reads
    as the procedure does."""
    timeline = Timeline()
    now = (now or datetime.now(JAKARTA)).astimezone(JAKARTA).replace(microsecond=0)
    async with contextlib.AsyncExitStack() as stack:
        if client is None:
            client = await stack.enter_async_context(httpx.AsyncClient(timeout=30))
        w = Walker(urls, token_for, client, patience=patience)

        letter: dict[str, Any] = {
            "letter": {
                "number": f"005/{uuid4().hex[:8].upper()}-Diskominfo/{now:%Y}",
                # Dated the day it arrived (20 minutes ago: just before midnight, that is yesterday).
                "date": f"{now - timedelta(minutes=20):%Y-%m-%d}",
                "sender": "Dinas Komunikasi dan Informatika",
                "sender_kind": "opd",
                "subject": "Permohonan peliputan peresmian Taman Literasi",
                "nature": "segera",
            },
            "event": {
                "title": "Peresmian Taman Literasi Cisadane",
                "starts_at": (now + event_starts_in).isoformat(),
                "ends_at": (now + event_starts_in + timedelta(minutes=90)).isoformat(),
                "location": "Taman Cisadane, Kota Tangerang",
                "leader": "wali_kota",
            },
            "contact": {"name": "Rudi Hartono", "phone": "0813-1000-2000", "position": "Kepala Seksi Humas"},
            "received_at": (now - timedelta(minutes=20)).isoformat(),
        }
        if registered is not None:
            request = await w.get(ADMIN, "intake", f"/requests/{registered}")
            letter["letter"]["number"] = request["letter"]["number"]
        else:
            request = await w.call(ADMIN, "POST", "intake", "/requests", letter, expect=(201, 409))
        if (existing := EXISTING_REQUEST.search(request.get("message", ""))) is not None:
            request = await w.get(ADMIN, "intake", f"/requests/{existing.group(1)}")  # our lost registration
        rid = timeline.request_id = request["id"]
        timeline.agenda_number = request["agenda_number"]
        timeline.add(1, ADMIN[0], f"mencatat surat {letter['letter']['number']} → {request['agenda_number']}")
        await before(1)
        sheet = await w.call(ADMIN, "POST", "intake", f"/requests/{rid}/disposition-sheet")
        timeline.add(1, ADMIN[0], f"menerbitkan lembar disposisi (PDF, {len(sheet) // 1024} KB)")

        clashes = await w.call(SECTION_HEAD, "GET", "intake", f"/requests/{rid}/clashes")
        disposition = {"instructions": ["liput_dan_publikasikan", "hadiri"], "notes": "Utamakan foto pimpinan."}
        await before(2)
        await w.call(
            SECTION_HEAD,
            "POST",
            "intake",
            f"/requests/{rid}/disposition",
            disposition,
            done=lambda: _when(w.get(ADMIN, "intake", f"/requests/{rid}"), lambda r: r["state"] == "disposed"),
        )
        timeline.add(
            2, SECTION_HEAD[0], f"memeriksa agenda ({len(clashes)} bentrok), disposisi: liput dan publikasikan"
        )

        await w.wait_for(TEAM_LEAD, "scheduler", f"/agenda/{rid}", lambda e: e["state"] == "awaiting_assignment")
        team = {
            "members": [
                {"officer_id": WRITER[0], "role": "writer"},
                {"officer_id": PHOTOGRAPHER[0], "role": "photographer"},
                {"officer_id": VIDEOGRAPHER[0], "role": "videographer"},
                {"officer_id": SOCIAL_MEDIA[0], "role": "social_media"},
            ],
            "equipment": ["KAMERA-01", "CAMCORDER-01", "MOBIL-02"],
            "needs_video": not straight,
        }
        for officer in () if office_ready else DEV_ROSTER:
            await w.call(TEAM_LEAD, "POST", "scheduler", "/officers", officer, expect=(201, 409))
        for item in () if office_ready else DEV_INVENTORY:
            await w.call(TEAM_LEAD, "POST", "scheduler", "/equipment", item, expect=(201, 409))
        await before(3)

        def assigned() -> Awaitable[Any]:
            return _when(w.get(TEAM_LEAD, "scheduler", f"/agenda/{rid}"), lambda e: e["state"] == "assigned")

        path = f"/agenda/{rid}/assignment"
        refusal = await w.call(TEAM_LEAD, "POST", "scheduler", path, team, expect=(200, 409), done=assigned)
        if "error" in refusal:
            # An earlier demo run booked the same team for the same hour: the team lead overrides
            # each clash with a written reason, as the SOP allows.
            reason = "Demo diulang pada jam yang sama"
            team["overrides"] = [
                {"resource": resource, "reason": reason}
                for resource in dict.fromkeys(OVERRIDABLE.findall(refusal["message"]))
            ]
            await w.call(TEAM_LEAD, "POST", "scheduler", path, team, done=assigned)
        timeline.add(3, TEAM_LEAD[0], "membagi tim liputan (4 orang, 3 alat)")

        async def submit_version(officer: tuple[str, Role]) -> Any:
            before_count = (await w.get(officer, "coverage", f"/coverage/{rid}"))["workspace"]["versions"]

            def submitted() -> Awaitable[Any]:
                return _when(
                    w.get(officer, "coverage", f"/coverage/{rid}"),
                    lambda ws: ws["workspace"]["versions"] > before_count,
                    lambda ws: {"version": ws["workspace"]["versions"]},
                )

            path = f"/coverage/{rid}/submissions"
            answer = await w.call(officer, "POST", "coverage", path, expect=(201, 409), done=submitted)
            if "version" in answer:
                return answer
            # An upload declared by a request whose answer was lost (the service restarting) and
            # then declared again: nothing of the first arrived. The officer cancels it, as the
            # refusal says, and submits again.
            fields = answer.get("fields") or []
            strays = [f["field"].partition(".")[2] for f in fields if f.get("type") == "still_uploading"]
            if not strays:
                raise DemoFailed(f"POST coverage{path}: expected 201, got 409: {answer}")
            for upload_id in strays:
                await w.call(
                    PHOTOGRAPHER, "DELETE", "coverage", f"/coverage/{rid}/uploads/{upload_id}", expect=(204, 404)
                )
            return await w.call(officer, "POST", "coverage", path, expect=201, done=submitted)

        async def submit(version_note: str) -> int:
            await w.wait_for(WRITER, "coverage", f"/coverage/{rid}", lambda ws: ws["workspace"]["state"] == "open")
            draft = {
                "title": "Wali Kota Resmikan Taman Literasi Cisadane",
                "dateline_date": f"{now:%Y-%m-%d}",
                "lead": "Wali Kota Tangerang meresmikan Taman Literasi Cisadane di tepi Sungai Cisadane hari ini.",
                "body": f"Taman literasi ini terbuka untuk warga setiap hari. {version_note}",
                "quotes": [{"speaker": "Wali Kota", "function": "Wali Kota Tangerang", "text": "Mari membaca."}],
                "tags": ["literasi", "cisadane"],
                "captions": {photo["asset_id"]: "Wali Kota Tangerang menggunting pita peresmian Taman Literasi"},
            }
            await w.call(WRITER, "PUT", "coverage", f"/coverage/{rid}/draft", draft)
            await before(4)
            version = await submit_version(WRITER)
            timeline.add(4, WRITER[0], f"mengirim hasil liputan versi {version['version']}")
            return int(version["version"])

        await w.wait_for(WRITER, "coverage", f"/coverage/{rid}", lambda ws: ws["workspace"]["state"] == "open")
        photo = await w.upload(PHOTOGRAPHER, rid, "peresmian.jpg", samples.camera_jpeg(seed=len(rid)), "photo")
        clip = (
            {"size": 0}
            if straight
            else await w.upload(VIDEOGRAPHER, rid, "peresmian.mp4", samples.mp4(256 * 1024), "video")
        )
        post = {"text": "Taman Literasi Cisadane resmi dibuka #KotaTangerang", "media": [photo["asset_id"]]}
        await w.call(SOCIAL_MEDIA, "PUT", "coverage", f"/coverage/{rid}/social/instagram", post)
        timeline.add(4, PHOTOGRAPHER[0], f"mengunggah foto dan video ({(photo['size'] + clip['size']) // 1024} KB)")

        async def decide(officer: tuple[str, Role], level: str, version: int, outcome: str, **why: str) -> None:
            state = f"awaiting_{level}"
            await w.wait_for(
                officer, "review", f"/reviews/{rid}", lambda r: r["state"] == state and r["version"] == version
            )
            body = {"version": version, "level": level, "outcome": outcome, **why}
            step = 5 if level == "team_lead" else 6
            await before(step)

            def decided() -> Awaitable[Any]:
                return _when(
                    w.get(officer, "review", f"/reviews/{rid}"),
                    lambda r: any(d["version"] == version and d["level"] == level for d in r["history"]),
                )

            await w.call(officer, "POST", "review", f"/reviews/{rid}/decisions", body, expect=201, done=decided)
            word = "menyetujui" if outcome == "approve" else f"menolak ({why.get('reason')})"
            timeline.add(step, officer[0], f"{word} versi {version}")

        async def rejected_at_each_level(v1: int) -> None:
            await decide(TEAM_LEAD, "team_lead", v1, "reject", reason="language", note="Perbaiki ejaan judul dan lead.")
            v2 = await submit("Versi kedua, ejaan diperbaiki.")
            await decide(TEAM_LEAD, "team_lead", v2, "approve")
            await decide(SECTION_HEAD, "section_head", v2, "reject", reason="sensitivity", note="Sebutkan nama Sekda.")
            # The team lead corrects the small thing in the workspace and approves the correction.
            await w.wait_for(
                TEAM_LEAD,
                "coverage",
                f"/coverage/{rid}",
                lambda ws: ws["workspace"]["state"] == "returned_to_team_lead",
            )
            view = await w.call(TEAM_LEAD, "GET", "coverage", f"/coverage/{rid}")
            draft = view["workspace"]["draft"]
            await w.call(
                TEAM_LEAD,
                "PUT",
                "coverage",
                f"/coverage/{rid}/draft",
                {**draft, "body": draft["body"] + " Turut hadir Sekda."},
            )
            v3 = (await submit_version(TEAM_LEAD))["version"]
            timeline.add(5, TEAM_LEAD[0], f"mengoreksi sendiri menjadi versi {v3}")
            await decide(TEAM_LEAD, "team_lead", v3, "approve")
            await decide(SECTION_HEAD, "section_head", v3, "approve")

        v1 = await submit("Versi pertama.")
        if straight:
            await decide(TEAM_LEAD, "team_lead", v1, "approve")
            await decide(SECTION_HEAD, "section_head", v1, "approve")
        else:
            await rejected_at_each_level(v1)

        await w.wait_for(SOCIAL_MEDIA, "publisher", f"/publications/{rid}", lambda p: p["state"] == "ready")
        if not office_ready:
            imported = await w.call(ADMIN, "POST", "publisher", "/media/import?dry_run=false", DEV_MEDIA.encode())
            timeline.add(7, ADMIN[0], f"memperbarui daftar media ({imported['contacts_added']} kontak baru)")
        await before(7)

        async def press_publish() -> Any:
            """Press publish as the officer does: while another press holds it (one whose answer
            was lost, or whose process died), wait a moment and press again."""
            deadline = time.monotonic() + w.patience
            while True:
                answer = await w.call(
                    SOCIAL_MEDIA, "POST", "publisher", f"/publications/{rid}/publish", expect=(200, 409)
                )
                if "under way" not in str(answer.get("message", "")) or time.monotonic() > deadline:
                    return answer
                await asyncio.sleep(1)

        publication = await press_publish()
        if "website" not in publication:  # no website channel connected: post by hand, record the address
            url = f"https://tangerangkota.go.id/berita/{rid}"
            await w.call(SOCIAL_MEDIA, "POST", "publisher", f"/publications/{rid}/website", {"website_url": url})
            publication = await press_publish()
        if publication.get("error"):  # published already by the attempt whose answer was lost
            publication = await w.get(SOCIAL_MEDIA, "publisher", f"/publications/{rid}")
        deadline = time.monotonic() + w.patience
        while (
            publication["state"] != "published"
            and (publication.get("email") or {}).get("waiting")
            and time.monotonic() < deadline
        ):
            # Emails still waiting (a refusal to retry, or a claim left by a crashed sender): the
            # officer presses again a little later, as the page tells them to.
            await asyncio.sleep(2)
            publication = await press_publish()
            if publication.get("error"):
                publication = await w.get(SOCIAL_MEDIA, "publisher", f"/publications/{rid}")
        if publication["state"] != "published":
            raise DemoFailed(f"publication not complete: {publication}")
        sent = publication["email"]["sent"]
        timeline.add(7, SOCIAL_MEDIA[0], f"mempublikasikan ke {publication['website']['url']}, email ke {sent} media")
        timeline.waiting_seconds = w.waiting
    return timeline
