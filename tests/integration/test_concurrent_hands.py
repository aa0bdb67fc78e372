"""Two hands on one thing at once, on every state-changing endpoint of every service, on real NATS
and SecantusDB: two different requests are sent at once to a fresh resource, and the same two one
after the other, in both orders, to two more. What the two officers were answered (the statuses)
and what the resource shows afterwards must be what one of the two serial orders gives: nothing
half of each, nothing lost without a refusal, no 500.

A race names the stage its resource must be at, the two calls, and what a person would look at
afterwards (the resource as its page shows it, without its identifiers and times). Every
state-changing endpoint in the services' OpenAPI has a race, or a reason it shares one.

Afterwards nothing is stranded: every record left in a waiting state (of all those the races
produced) has a named way on, every hold on one lapses by itself, and the ways on that need only a
press (cancel an upload, issue a sheet, decline, return a version, send failed messages again) are
taken and move their records on."""

import asyncio
import hashlib
import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from pymongo import AsyncMongoClient

from warta.contracts import Role
from warta.devstack import samples
from warta.devstack.demo import DEV_INVENTORY, DEV_ROSTER
from warta.devstack.pytest_plugin import SERVICES, SUBSCRIBERS, eventually, routed_apps
from warta.devstack.smtp import smtp_server

JAKARTA = ZoneInfo("Asia/Jakarta")
ADMIN = (Role.ADMIN, "siti.admin")
HEAD = (Role.SECTION_HEAD, "hendra.kabag")
LEAD = (Role.TEAM_LEAD, "rina.katim")
WRITER = (Role.COVERAGE_TEAM, "dewi.penulis")
PHOTOGRAPHER = (Role.COVERAGE_TEAM, "agus.fotografer")
STAGES = ("none", "registered", "awaiting_disposition", "disposed", "open", "in_review", "ready", "published")
COUNTER = itertools.count(1)
Endpoint = tuple[str, str, str]


@dataclass(frozen=True)
class Call:
    officer: tuple[Role, str]
    service: str
    method: str
    path: str
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] | None = None


@dataclass(frozen=True)
class Race:
    """Two calls on one resource at ``stage``; ``look`` is what a person sees of it afterwards."""

    stage: str
    calls: Callable[["Resource"], Awaitable[tuple[Call, Call]]]
    look: Callable[["Resource"], Awaitable[Any]]
    endpoints: tuple[Endpoint, ...]  # the state-changing endpoints the two calls exercise


class Desk:
    """The services in this process, and the way a request is walked to a stage over their APIs."""

    def __init__(self, namespace: Any, client: httpx.AsyncClient, relay: Any, clock: Path) -> None:
        self.namespace, self.client, self.relay, self.clock = namespace, client, relay, clock
        self.mongo: AsyncMongoClient[Any] = AsyncMongoClient(namespace.servers.mongodb_url, tz_aware=True)

    def db(self, service: str) -> Any:
        return self.mongo[self.namespace.database(service)]

    async def call(self, call: Call) -> httpx.Response:
        role, officer_id = call.officer
        headers = {**self.namespace.token(role, officer_id), **(call.headers or {})}
        url = f"http://{call.service}{call.path}"
        kwargs: dict[str, Any] = {"headers": headers}
        if call.json is not None:
            kwargs["json"] = call.json
        if call.content is not None:
            kwargs["content"] = call.content
        return await self.client.request(call.method, url, **kwargs)

    async def ok(self, officer: tuple[Role, str], service: str, method: str, path: str, **kw: Any) -> Any:
        answer = await self.call(Call(officer, service, method, path, **kw))
        assert answer.is_success, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content and "json" in answer.headers.get("content-type", "") else None

    async def get(self, officer: tuple[Role, str], service: str, path: str) -> Any:
        return await self.ok(officer, service, "GET", path)

    async def reach(self, officer: tuple[Role, str], service: str, path: str, state: str, key: str = "") -> None:
        async def there() -> bool:
            answer = await self.call(Call(officer, service, "GET", path))
            return answer.status_code == 200 and (answer.json()[key] if key else answer.json())["state"] == state

        await eventually(there, timeout=30)

    async def resource(self, stage: str) -> "Resource":
        """A new request walked to ``stage`` (or, for ``none``, only a fresh key)."""
        n = next(COUNTER)
        resource = Resource(self, n)
        if stage == "none":
            return resource
        starts = datetime.now(JAKARTA).replace(microsecond=0) + timedelta(days=2, hours=3 * n)
        letter = {
            "number": f"005/{resource.tag}/2026",
            "date": f"{datetime.now(JAKARTA).date()}",
            "sender": "Dinas Kesehatan",
            "sender_kind": "opd",
            "subject": "Undangan peliputan",
        }
        event = {
            "title": f"Kegiatan {resource.tag}",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
            "location": "Puspemkot",
            "leader": "wali_kota",
        }
        rid = resource.rid = (
            await self.ok(ADMIN, "intake", "POST", "/requests", json={"letter": letter, "event": event})
        )["id"]
        resource.letter, resource.event = letter, event
        if stage == "registered":
            return resource
        await self.ok(ADMIN, "intake", "POST", f"/requests/{rid}/disposition-sheet")
        if stage == "awaiting_disposition":
            return resource
        dispose = {"instructions": ["liput_dan_publikasikan"], "notes": "Mohon diliput."}
        await self.ok(HEAD, "intake", "POST", f"/requests/{rid}/disposition", json=dispose)
        await self.reach(LEAD, "scheduler", f"/agenda/{rid}", "awaiting_assignment")
        if stage == "disposed":
            return resource
        await self.ok(LEAD, "scheduler", "POST", f"/agenda/{rid}/assignment", json=team(WRITER, PHOTOGRAPHER))
        await self.reach(WRITER, "coverage", f"/coverage/{rid}", "open", key="workspace")
        draft = {"title": "Wali Kota Resmikan Posyandu", "body": "Posyandu dibuka untuk warga. " * 20}
        await self.ok(WRITER, "coverage", "PUT", f"/coverage/{rid}/draft", json=draft)
        resource.asset_id = await self.upload(rid, samples.jpeg(seed=7))  # one photo: resources compare
        post = {"text": "Posyandu dibuka #KotaTangerang", "media": [resource.asset_id]}
        await self.ok(WRITER, "coverage", "PUT", f"/coverage/{rid}/social/instagram", json=post)
        if stage == "open":
            return resource
        await self.ok(WRITER, "coverage", "POST", f"/coverage/{rid}/submissions", json={})
        await self.reach(LEAD, "review", f"/reviews/{rid}", "awaiting_team_lead")
        comment = {"version": 1, "anchor": {"part": "title"}, "text": "Judul sudah baik."}
        resource.comment_id = (await self.ok(LEAD, "review", "POST", f"/reviews/{rid}/comments", json=comment))[
            "comment_id"
        ]
        if stage == "in_review":
            return resource
        for level, officer in (("team_lead", LEAD), ("section_head", HEAD)):
            decision = {"version": 1, "level": level, "outcome": "approve"}
            await self.ok(officer, "review", "POST", f"/reviews/{rid}/decisions", json=decision)
            if level == "team_lead":
                await self.reach(HEAD, "review", f"/reviews/{rid}", "awaiting_section_head")
        await self.reach(WRITER, "publisher", f"/publications/{rid}", "ready")
        if stage == "ready":
            return resource
        url = {"website_url": f"https://tangerangkota.go.id/berita/{resource.tag}"}
        await self.ok(WRITER, "publisher", "POST", f"/publications/{rid}/website", json=url)
        await self.ok(WRITER, "publisher", "POST", f"/publications/{rid}/publish")
        await self.reach(WRITER, "publisher", f"/publications/{rid}", "published")
        return resource

    async def upload(self, rid: str, content: bytes, filename: str = "foto.jpg") -> str:
        declared = {"filename": filename, "size": len(content), "kind": "photo"}
        started = await self.ok(PHOTOGRAPHER, "coverage", "POST", f"/coverage/{rid}/uploads", json=declared)
        path = f"/coverage/{rid}/uploads/{started['upload_id']}"
        done = await self.ok(PHOTOGRAPHER, "coverage", "PATCH", path, content=content, headers={"Upload-Offset": "0"})
        return str(done["asset"]["asset_id"])


class Resource:
    """One race's thing: a request walked to its stage, with the ids a race needs, and a number
    that keeps the keys of shared registries (roster, inventory, directory) its own."""

    def __init__(self, desk: Desk, n: int) -> None:
        self.desk, self.n = desk, n
        self.tag = f"r{n}z"  # in every key of its own in shared registries, names and addresses
        self.rid, self.asset_id, self.comment_id = "", "", ""
        self.letter: dict[str, Any] = {}
        self.event: dict[str, Any] = {}
        self.extra: dict[str, Any] = {}


def team(*members: tuple[Role, str], camera: str = "KAMERA-01", reason: str | None = None) -> dict[str, Any]:
    roles = {"dewi.penulis": "writer", "agus.fotografer": "photographer", "maya.medsos": "social_media"}
    body: dict[str, Any] = {
        "members": [{"officer_id": m[1], "role": roles[m[1]]} for m in members],
        "equipment": [camera],
        "needs_video": False,
    }
    if reason:
        body["reason"] = reason
    return body


def without(value: Any, keys: frozenset[str] = frozenset()) -> Any:
    """A resource as a person compares it: times and generated ids left out (they differ run to run)."""
    if isinstance(value, dict):
        return {
            k: without(v, keys)
            for k, v in value.items()
            if k not in keys and k != "id" and not k.endswith(("_at", "_until", "_since"))
        }
    if isinstance(value, list):
        return [without(v, keys) for v in value]
    return value


def normalized(value: Any, resource: "Resource") -> Any:
    """The look with this resource's own identifiers named, so that three resources compare."""
    text = json.dumps(value, sort_keys=True, default=str)
    for own, name in ((resource.rid, "REQUEST"), (resource.asset_id, "ASSET"), (resource.comment_id, "COMMENT")):
        if own:
            text = text.replace(own, name)
    return json.loads(text.replace(resource.tag, "TAG").replace(resource.tag.upper(), "TAG"))


# -- the races ---------------------------------------------------------------------------------------


def both(first: Call, second: Call) -> Callable[[Resource], Awaitable[tuple[Call, Call]]]:
    async def calls(resource: Resource) -> tuple[Call, Call]:
        return first, second

    return calls


def on(make: Callable[[Resource], tuple[Call, Call]]) -> Callable[[Resource], Awaitable[tuple[Call, Call]]]:
    async def calls(resource: Resource) -> tuple[Call, Call]:
        return make(resource)

    return calls


def looking(officer: tuple[Role, str], service: str, path: str, pick: Callable[[Any], Any] = lambda v: v) -> Any:
    async def look(resource: Resource) -> Any:
        answer = await resource.desk.call(Call(officer, service, "GET", path.format(r=resource)))
        return answer.status_code, without(pick(answer.json())) if answer.status_code == 200 else None

    return look


def registration(resource: Resource, title: str) -> dict[str, Any]:
    starts = datetime.now(JAKARTA).replace(microsecond=0) + timedelta(days=5, hours=3 * resource.n)
    return {
        "letter": {
            "number": f"005/{resource.tag}/Serentak",
            "date": f"{datetime.now(JAKARTA).date()}",
            "sender": "Dinas Pendidikan",
            "sender_kind": "opd",
            "subject": "Undangan",
        },
        "event": {
            "title": title,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
            "location": "Aula",
            "leader": "wali_kota",
        },
    }


async def registered_twice(resource: Resource) -> tuple[Call, Call]:
    return (
        Call(ADMIN, "intake", "POST", "/requests", json=registration(resource, "Upacara A")),
        Call(ADMIN, "intake", "POST", "/requests", json=registration(resource, "Upacara B")),
    )


async def the_registered_letter(resource: Resource) -> Any:
    """The request the two registrations of one letter made: how many, and which event."""
    number = f"005/{resource.tag}/Serentak"
    answer = await resource.desk.call(Call(ADMIN, "intake", "GET", f"/requests?letter_number={number}"))
    return sorted(r["event"]["title"] for r in answer.json()["items"])


def correction(resource: Resource, title: str) -> Call:
    return Call(
        ADMIN, "intake", "PATCH", f"/requests/{resource.rid}", json={"event": {**resource.event, "title": title}}
    )


def explanation(text: str) -> Callable[[Resource], Call]:
    return lambda r: Call(
        HEAD, "intake", "POST", f"/deviations/{r.extra['deviation']}/explanation", json={"explanation": text}
    )


REQUEST = looking(
    ADMIN,
    "intake",
    "/requests/{r.rid}",
    lambda r: {
        "state": r["state"],
        "title": r["event"]["title"],
        "sheet": r["sheet"] is not None,
        "disposition": r["disposition"],
        "corrections": len(r["corrections"]),
    },
)
AGENDA = looking(
    LEAD,
    "scheduler",
    "/agenda/{r.rid}",
    lambda e: {"state": e["state"], "assignment": e["assignment"], "earlier": len(e["earlier_assignments"])},
)
WORKSPACE = looking(
    WRITER,
    "coverage",
    "/coverage/{r.rid}",
    lambda v: {
        "state": v["workspace"]["state"],
        "versions": v["workspace"]["versions"],
        "draft": [v["workspace"]["draft"]["title"], v["workspace"]["draft"]["body"]],
        "posts": v["workspace"]["posts"],
        "assets": sorted([a["filename"], a["sha256"]] for a in v["assets"]),
    },
)
REVIEW = looking(LEAD, "review", "/reviews/{r.rid}", lambda v: {k: v[k] for k in ("state", "version", "history")})
PUBLICATION = looking(
    WRITER,
    "publisher",
    "/publications/{r.rid}",
    lambda p: {
        "state": p["state"],
        "website": p["website"] and p["website"]["url"],
        "social": [[s["post"]["channel"], s["posted_url"]] for s in p["social"]],
        "email": p["email"] and {k: p["email"][k] for k in ("recipients", "sent", "waiting", "failed")},
        "still_owed": p["still_owed"],
    },
)


def roster_officer(resource: Resource) -> str:
    return f"petugas.{resource.tag}"


async def new_officers(resource: Resource) -> tuple[Call, Call]:
    officer = roster_officer(resource)
    return (
        Call(LEAD, "scheduler", "POST", "/officers", json={"officer_id": officer, "name": "Ani", "skills": ["writer"]}),
        Call(
            LEAD, "scheduler", "POST", "/officers", json={"officer_id": officer, "name": "Budi", "skills": ["writer"]}
        ),
    )


async def officer_in_roster(resource: Resource) -> tuple[Call, Call]:
    officer = roster_officer(resource)
    await resource.desk.ok(
        LEAD, "scheduler", "POST", "/officers", json={"officer_id": officer, "name": "Ani", "skills": ["writer"]}
    )
    return (
        Call(LEAD, "scheduler", "PUT", f"/officers/{officer}", json={"name": "Ani Rahma", "skills": ["writer"]}),
        Call(LEAD, "scheduler", "PUT", f"/officers/{officer}", json={"name": "Ani", "skills": ["photographer"]}),
    )


def leave(days: int, reason: str) -> dict[str, Any]:
    starts = datetime.now(JAKARTA).replace(microsecond=0, second=0, minute=0) + timedelta(days=days)
    return {"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(days=1)).isoformat(), "reason": reason}


async def two_leaves(resource: Resource) -> tuple[Call, Call]:
    officer = roster_officer(resource)
    await resource.desk.ok(
        LEAD, "scheduler", "POST", "/officers", json={"officer_id": officer, "name": "Ani", "skills": ["writer"]}
    )
    path = f"/officers/{officer}/unavailability"
    return Call(LEAD, "scheduler", "POST", path, json=leave(40, "Cuti")), Call(
        LEAD, "scheduler", "POST", path, json=leave(41, "Diklat")
    )


async def leave_ended_twice(resource: Resource) -> tuple[Call, Call]:
    officer = roster_officer(resource)
    await resource.desk.ok(
        LEAD, "scheduler", "POST", "/officers", json={"officer_id": officer, "name": "Ani", "skills": ["writer"]}
    )
    recorded = await resource.desk.ok(
        LEAD, "scheduler", "POST", f"/officers/{officer}/unavailability", json=leave(40, "Cuti")
    )
    period = recorded["officer"]["unavailable"][0]["id"]
    path = f"/officers/{officer}/unavailability/{period}"
    return Call(LEAD, "scheduler", "DELETE", path), Call(LEAD, "scheduler", "DELETE", path)


async def the_roster_officer(resource: Resource) -> Any:
    answer = await resource.desk.call(Call(LEAD, "scheduler", "GET", f"/officers/{roster_officer(resource)}"))
    return answer.status_code, without(answer.json(), frozenset({"version"})) if answer.status_code == 200 else None


def item(resource: Resource) -> str:
    return f"KAMERA-{resource.tag.upper()}"


async def new_items(resource: Resource) -> tuple[Call, Call]:
    return (
        Call(
            LEAD,
            "scheduler",
            "POST",
            "/equipment",
            json={"item_id": item(resource), "kind": "camera", "description": "A"},
        ),
        Call(
            LEAD,
            "scheduler",
            "POST",
            "/equipment",
            json={"item_id": item(resource), "kind": "camera", "description": "B"},
        ),
    )


async def item_in_inventory(resource: Resource) -> tuple[Call, Call]:
    await resource.desk.ok(LEAD, "scheduler", "POST", "/equipment", json={"item_id": item(resource), "kind": "camera"})
    path = f"/equipment/{item(resource)}"
    return (
        Call(
            LEAD, "scheduler", "PUT", path, json={"kind": "camera", "description": "Lensa baru", "condition": "ready"}
        ),
        Call(LEAD, "scheduler", "PUT", path, json={"kind": "camera", "description": "Rusak", "condition": "in_repair"}),
    )


async def the_item(resource: Resource) -> Any:
    answer = await resource.desk.call(Call(LEAD, "scheduler", "GET", "/equipment"))
    return [without(i, frozenset({"version"})) for i in answer.json() if i["item_id"] == item(resource)]


async def two_uploads_started(resource: Resource) -> tuple[Call, Call]:
    path = f"/coverage/{resource.rid}/uploads"
    return (
        Call(PHOTOGRAPHER, "coverage", "POST", path, json={"filename": "a.jpg", "size": 5000, "kind": "photo"}),
        Call(PHOTOGRAPHER, "coverage", "POST", path, json={"filename": "b.jpg", "size": 6000, "kind": "photo"}),
    )


async def uploads_receiving(resource: Resource) -> Any:
    cursor = resource.desk.db("coverage").uploads.find({"request_id": resource.rid, "state": "receiving"})
    return sorted([[doc["filename"], doc["size"]] async for doc in cursor])


async def one_upload_two_files(resource: Resource) -> tuple[Call, Call]:
    first, second = samples.jpeg(seed=1000 + resource.n), samples.jpeg(seed=2000 + resource.n)
    size = max(len(first), len(second))
    first, second = first.ljust(size, b"\0"), second.ljust(size, b"\0")  # one declared size fits both
    declared = {"filename": "sama.jpg", "size": size, "kind": "photo"}
    started = await resource.desk.ok(
        PHOTOGRAPHER, "coverage", "POST", f"/coverage/{resource.rid}/uploads", json=declared
    )
    path = f"/coverage/{resource.rid}/uploads/{started['upload_id']}"
    resource.extra["upload"], resource.extra["files"] = started["upload_id"], (first, second)
    headers = {"Upload-Offset": "0"}
    return (
        Call(PHOTOGRAPHER, "coverage", "PATCH", path, content=first, headers=headers),
        Call(PHOTOGRAPHER, "coverage", "PATCH", path, content=second, headers=headers),
    )


async def the_stored_upload(resource: Resource) -> Any:
    """The upload's state and the file it became: the bytes stored are exactly one of the two
    files sent, and the hash recorded for the asset is theirs."""
    db = resource.desk.db("coverage")
    upload = await db.uploads.find_one({"_id": resource.extra["upload"]})
    assets = await resource.desk.ok(WRITER, "coverage", "GET", f"/coverage/{resource.rid}")
    mine = [a for a in assets["assets"] if a["filename"] == "sama.jpg"]
    if not mine:
        return upload["state"] if upload else None, None
    (asset,) = mine
    stored = await resource.desk.call(Call(WRITER, "coverage", "GET", f"/assets/{asset['asset_id']}"))
    digest = hashlib.sha256(stored.content).hexdigest()
    assert digest == asset["sha256"], "the stored bytes are not the bytes whose hash was recorded"
    sent = resource.extra["files"]
    assert stored.content in sent, "the stored file is neither of the two sent: a mix of both"
    return upload["state"] if upload else None, "one whole file"


async def an_upload_cancelled_twice(resource: Resource) -> tuple[Call, Call]:
    declared = {"filename": "setengah.jpg", "size": 5000, "kind": "photo"}
    started = await resource.desk.ok(
        PHOTOGRAPHER, "coverage", "POST", f"/coverage/{resource.rid}/uploads", json=declared
    )
    path = f"/coverage/{resource.rid}/uploads/{started['upload_id']}"
    return Call(PHOTOGRAPHER, "coverage", "DELETE", path), Call(PHOTOGRAPHER, "coverage", "DELETE", path)


def decisions(resource: Resource) -> tuple[Call, Call]:
    path = f"/reviews/{resource.rid}/decisions"
    approve = {"version": 1, "level": "team_lead", "outcome": "approve"}
    reject = {"version": 1, "level": "team_lead", "outcome": "reject", "reason": "language", "note": "Ejaan."}
    return Call(LEAD, "review", "POST", path, json=approve), Call(LEAD, "review", "POST", path, json=reject)


def comments(resource: Resource) -> tuple[Call, Call]:
    path = f"/reviews/{resource.rid}/comments"
    return (
        Call(LEAD, "review", "POST", path, json={"version": 1, "anchor": {"part": "title"}, "text": "Satu"}),
        Call(WRITER, "review", "POST", path, json={"version": 1, "anchor": {"part": "title"}, "text": "Dua"}),
    )


async def the_comments(resource: Resource) -> Any:
    answer = await resource.desk.call(Call(LEAD, "review", "GET", f"/reviews/{resource.rid}/comments"))
    return sorted((c["text"], c["author"], c["resolved_by"]) for c in answer.json())


def resolved_twice(resource: Resource) -> tuple[Call, Call]:
    path = f"/reviews/{resource.rid}/comments/{resource.comment_id}/resolve"
    return Call(LEAD, "review", "POST", path), Call(WRITER, "review", "POST", path)


def websites(resource: Resource) -> tuple[Call, Call]:
    path = f"/publications/{resource.rid}/website"
    return (
        Call(WRITER, "publisher", "POST", path, json={"website_url": f"https://tangerangkota.go.id/a-{resource.tag}"}),
        Call(LEAD, "publisher", "POST", path, json={"website_url": f"https://tangerangkota.go.id/b-{resource.tag}"}),
    )


async def published_twice(resource: Resource) -> tuple[Call, Call]:
    url = {"website_url": f"https://tangerangkota.go.id/berita/{resource.tag}"}
    await resource.desk.ok(WRITER, "publisher", "POST", f"/publications/{resource.rid}/website", json=url)
    path = f"/publications/{resource.rid}/publish"
    return Call(WRITER, "publisher", "POST", path), Call(LEAD, "publisher", "POST", path)


async def the_publication_and_its_emails(resource: Resource) -> Any:
    state = await PUBLICATION(resource)
    answer = await resource.desk.call(Call(WRITER, "publisher", "GET", f"/publications/{resource.rid}/deliveries"))
    emails = sorted((d["email"], d["state"], d["attempts"]) for d in answer.json())
    media = {"budi@tangerangekspres.example", RADIO}  # the officers' own notices go through the relay too
    copies = sorted(
        str(m["To"])
        for m in resource.desk.relay.mailbox.received
        if str(m["To"]) in media and resource.tag in m.get_body(("plain",)).get_content()
    )
    return state, emails, copies


def social_posts(resource: Resource) -> tuple[Call, Call]:
    path = f"/publications/{resource.rid}/social/instagram"
    return (
        Call(WRITER, "publisher", "POST", path, json={"url": f"https://www.instagram.com/p/a{resource.tag}/"}),
        Call(LEAD, "publisher", "POST", path, json={"url": f"https://www.instagram.com/p/b{resource.tag}/"}),
    )


def registry_file(resource: Resource, name: str) -> bytes:
    return (
        "outlet,outlet_type,press_council_verified,journalist_organisation,contact_name,desk,email,active\n"
        f"Koran {resource.tag},print,ya,PWI,{name},Redaksi,redaksi.{resource.tag}@koran.example,ya\n"
    ).encode()


async def two_registries(resource: Resource) -> tuple[Call, Call]:
    path = "/media/import?dry_run=false"
    return (
        Call(ADMIN, "publisher", "POST", path, content=registry_file(resource, "Budi")),
        Call(ADMIN, "publisher", "POST", path, content=registry_file(resource, "Citra")),
    )


async def a_registry_and_an_opt_out(resource: Resource) -> tuple[Call, Call]:
    """A registry saved again while the contact asks to be left out: the wish must stand."""
    await resource.desk.ok(
        ADMIN, "publisher", "POST", "/media/import?dry_run=false", content=registry_file(resource, "Budi")
    )
    return (
        Call(
            ADMIN, "publisher", "POST", "/media/import?dry_run=false", content=registry_file(resource, "Budi Santoso")
        ),
        Call(ADMIN, "publisher", "POST", f"/media/contacts/redaksi.{resource.tag}@koran.example/opt-out"),
    )


async def the_contact(resource: Resource) -> Any:
    answer = await resource.desk.call(Call(ADMIN, "publisher", "GET", "/media/contacts"))
    mine = [c for c in answer.json() if c["email"] == f"redaksi.{resource.tag}@koran.example"]
    return [(c["name"], c["opted_out_at"] is not None) for c in mine]


def directory_entry(resource: Resource, name: str) -> dict[str, Any]:
    return {
        "officer_id": f"petugas.{resource.tag}",
        "name": name,
        "role": "coverage_team",
        "whatsapp": "0811-2222-3333",
    }


async def two_directory_entries(resource: Resource) -> tuple[Call, Call]:
    path = f"/officers/petugas.{resource.tag}"
    return (
        Call(ADMIN, "notifier", "PUT", path, json=directory_entry(resource, "Ani")),
        Call(ADMIN, "notifier", "PUT", path, json=directory_entry(resource, "Ani Rahma")),
    )


async def two_choices(resource: Resource) -> tuple[Call, Call]:
    officer = f"petugas.{resource.tag}"
    await resource.desk.ok(ADMIN, "notifier", "PUT", f"/officers/{officer}", json=directory_entry(resource, "Ani"))
    path = f"/officers/{officer}/preferences"
    me = (Role.COVERAGE_TEAM, officer)
    return (
        Call(me, "notifier", "PUT", path, json={"digests": {"waiting": 15}}),
        Call(me, "notifier", "PUT", path, json={"digests": {"waiting": 30, "published": 120}}),
    )


async def the_directory_entry(resource: Resource) -> Any:
    answer = await resource.desk.call(Call(ADMIN, "notifier", "GET", "/officers"))
    return [without(o) for o in answer.json() if o["officer_id"] == f"petugas.{resource.tag}"]


async def failed_messages_sent_again_twice(resource: Resource) -> tuple[Call, Call]:
    """The request's assignment could not reach the photographer (he is not in the directory)."""

    async def failed() -> list[Any]:
        answer = await resource.desk.call(
            Call(HEAD, "notifier", "GET", f"/messages?request_id={resource.rid}&state=failed")
        )
        return answer.json()

    resource.extra["failed"] = len(await eventually(failed, timeout=30))
    path = f"/messages/retry?request_id={resource.rid}"
    return Call(HEAD, "notifier", "POST", path), Call(LEAD, "notifier", "POST", path)


async def the_messages(resource: Resource) -> Any:
    answer = await resource.desk.call(Call(HEAD, "notifier", "GET", f"/messages?request_id={resource.rid}"))
    return sorted((m["kind"], m["officer_id"], m["channel"], m["state"], m["attempts"]) for m in answer.json())


async def a_late_step_explained_twice(resource: Resource) -> tuple[Call, Call]:
    """Step 2 finished late by the section head (the clock moved past its 30 minutes), explained
    by him from two devices at once."""
    desk = resource.desk
    desk.clock.write_text(str(float(desk.clock.read_text() or 0) + 31 * 60))
    dispose = {"instructions": ["liput_dan_publikasikan"], "notes": "Terlambat."}
    await desk.ok(HEAD, "intake", "POST", f"/requests/{resource.rid}/disposition", json=dispose)
    found = await desk.ok(HEAD, "intake", "GET", "/deviations")
    resource.extra["deviation"] = next(d["id"] for d in found if d["request_id"] == resource.rid)
    return explanation("Rapat mendadak dengan Wali Kota.")(resource), explanation("Menunggu berkas.")(resource)


async def the_deviation(resource: Resource) -> Any:
    found = await resource.desk.ok(HEAD, "intake", "GET", "/deviations")
    return [d["explanation"] for d in found if d["request_id"] == resource.rid]


async def nothing_shared(resource: Resource) -> None:
    """Each call makes its own: the answers alone tell the outcome."""


async def emails_sent_again_twice(resource: Resource) -> tuple[Call, Call]:
    """Radio Kota's mailbox was full when the release went out; once emptied, two officers press
    "send again" at once: each failed email goes once."""
    await eventually(lambda: the_radio_failed(resource), timeout=30)
    resource.desk.relay_full.discard(RADIO)
    path = f"/publications/{resource.rid}/emails/retry"
    return Call(WRITER, "publisher", "POST", path), Call(LEAD, "publisher", "POST", path)


async def the_radio_failed(resource: Resource) -> bool:
    answer = await resource.desk.call(Call(WRITER, "publisher", "GET", f"/publications/{resource.rid}/deliveries"))
    return any(d["email"] == RADIO and d["state"] == "failed" for d in answer.json())


RACES: dict[str, Race] = {
    # intake
    "two scans": Race(
        "none",
        on(
            lambda r: (
                Call(ADMIN, "intake", "POST", "/scans?filename=a.pdf", content=samples.pdf(1, text=f"Surat {r.n}")),
                Call(ADMIN, "intake", "POST", "/scans?filename=b.pdf", content=samples.pdf(2, text=f"Surat {r.n}")),
            )
        ),
        nothing_shared,
        (("intake", "POST", "/scans"),),
    ),
    "one letter registered twice": Race(
        "none", registered_twice, the_registered_letter, (("intake", "POST", "/requests"),)
    ),
    "two corrections": Race(
        "registered",
        on(lambda r: (correction(r, "Upacara Hari Guru"), correction(r, "Upacara Hari Pahlawan"))),
        REQUEST,
        (("intake", "PATCH", "/requests/{request_id}"),),
    ),
    "the sheet issued twice": Race(
        "registered",
        on(
            lambda r: (
                Call(ADMIN, "intake", "POST", f"/requests/{r.rid}/disposition-sheet"),
                Call(ADMIN, "intake", "POST", f"/requests/{r.rid}/disposition-sheet"),
            )
        ),
        REQUEST,
        (("intake", "POST", "/requests/{request_id}/disposition-sheet"),),
    ),
    "disposed and declined at once": Race(
        "awaiting_disposition",
        on(
            lambda r: (
                Call(
                    HEAD,
                    "intake",
                    "POST",
                    f"/requests/{r.rid}/disposition",
                    json={"instructions": ["liput_dan_publikasikan"], "notes": "Liput."},
                ),
                Call(HEAD, "intake", "POST", f"/requests/{r.rid}/decline", json={"reason": "Pimpinan berhalangan."}),
            )
        ),
        REQUEST,
        (
            ("intake", "POST", "/requests/{request_id}/disposition"),
            ("intake", "POST", "/requests/{request_id}/decline"),
        ),
    ),
    "two dispositions": Race(
        "awaiting_disposition",
        on(
            lambda r: (
                Call(
                    HEAD,
                    "intake",
                    "POST",
                    f"/requests/{r.rid}/disposition",
                    json={"instructions": ["liput_dan_publikasikan"], "notes": "A"},
                ),
                Call(
                    HEAD,
                    "intake",
                    "POST",
                    f"/requests/{r.rid}/disposition",
                    json={"instructions": ["hadiri", "liput_dan_publikasikan"], "notes": "B"},
                ),
            )
        ),
        REQUEST,
        (("intake", "POST", "/requests/{request_id}/disposition"),),
    ),
    "a late step explained twice": Race(
        "awaiting_disposition",
        a_late_step_explained_twice,
        the_deviation,
        (("intake", "POST", "/deviations/{deviation_id}/explanation"),),
    ),
    # scheduler
    "two teams assigned": Race(
        "disposed",
        on(
            lambda r: (
                Call(LEAD, "scheduler", "POST", f"/agenda/{r.rid}/assignment", json=team(WRITER, PHOTOGRAPHER)),
                Call(
                    LEAD,
                    "scheduler",
                    "POST",
                    f"/agenda/{r.rid}/assignment",
                    json=team(WRITER, PHOTOGRAPHER, camera="KAMERA-02"),
                ),
            )
        ),
        AGENDA,
        (("scheduler", "POST", "/agenda/{request_id}/assignment"),),
    ),
    "two reassignments": Race(
        "open",
        on(
            lambda r: (
                Call(
                    LEAD,
                    "scheduler",
                    "PUT",
                    f"/agenda/{r.rid}/assignment",
                    json=team(WRITER, PHOTOGRAPHER, camera="KAMERA-02", reason="Kamera rusak"),
                ),
                Call(
                    LEAD,
                    "scheduler",
                    "PUT",
                    f"/agenda/{r.rid}/assignment",
                    json=team(WRITER, PHOTOGRAPHER, camera="KAMERA-02", reason="Lensa kamera retak"),
                ),
            )
        ),
        AGENDA,
        (("scheduler", "PUT", "/agenda/{request_id}/assignment"),),
    ),
    "one officer added twice": Race("none", new_officers, the_roster_officer, (("scheduler", "POST", "/officers"),)),
    "two roster edits": Race(
        "none", officer_in_roster, the_roster_officer, (("scheduler", "PUT", "/officers/{officer_id}"),)
    ),
    "two leaves recorded": Race(
        "none", two_leaves, the_roster_officer, (("scheduler", "POST", "/officers/{officer_id}/unavailability"),)
    ),
    "a leave ended twice": Race(
        "none",
        leave_ended_twice,
        the_roster_officer,
        (("scheduler", "DELETE", "/officers/{officer_id}/unavailability/{period_id}"),),
    ),
    "one item added twice": Race("none", new_items, the_item, (("scheduler", "POST", "/equipment"),)),
    "two inventory edits": Race("none", item_in_inventory, the_item, (("scheduler", "PUT", "/equipment/{item_id}"),)),
    # coverage
    "two drafts saved": Race(
        "open",
        on(
            lambda r: (
                Call(
                    WRITER,
                    "coverage",
                    "PUT",
                    f"/coverage/{r.rid}/draft",
                    json={"title": "Judul A", "body": "Isi A. " * 30},
                ),
                Call(
                    LEAD,
                    "coverage",
                    "PUT",
                    f"/coverage/{r.rid}/draft",
                    json={"title": "Judul B", "body": "Isi B. " * 30},
                ),
            )
        ),
        WORKSPACE,
        (("coverage", "PUT", "/coverage/{request_id}/draft"),),
    ),
    "two posts written": Race(
        "open",
        on(
            lambda r: (
                Call(WRITER, "coverage", "PUT", f"/coverage/{r.rid}/social/x", json={"text": "Teks A"}),
                Call(LEAD, "coverage", "PUT", f"/coverage/{r.rid}/social/x", json={"text": "Teks B"}),
            )
        ),
        WORKSPACE,
        (("coverage", "PUT", "/coverage/{request_id}/social/{channel}"),),
    ),
    "a post removed while edited": Race(
        "open",
        on(
            lambda r: (
                Call(WRITER, "coverage", "DELETE", f"/coverage/{r.rid}/social/instagram"),
                Call(
                    LEAD,
                    "coverage",
                    "PUT",
                    f"/coverage/{r.rid}/social/instagram",
                    json={"text": "Baru", "media": [r.asset_id]},
                ),
            )
        ),
        WORKSPACE,
        (("coverage", "DELETE", "/coverage/{request_id}/social/{channel}"),),
    ),
    "a photo removed twice": Race(
        "open",
        on(
            lambda r: (
                Call(WRITER, "coverage", "DELETE", f"/coverage/{r.rid}/assets/{r.asset_id}"),
                Call(PHOTOGRAPHER, "coverage", "DELETE", f"/coverage/{r.rid}/assets/{r.asset_id}"),
            )
        ),
        WORKSPACE,
        (("coverage", "DELETE", "/coverage/{request_id}/assets/{asset_id}"),),
    ),
    "two uploads started": Race(
        "open", two_uploads_started, uploads_receiving, (("coverage", "POST", "/coverage/{request_id}/uploads"),)
    ),
    "one upload, two files": Race(
        "open",
        one_upload_two_files,
        the_stored_upload,
        (("coverage", "PATCH", "/coverage/{request_id}/uploads/{upload_id}"),),
    ),
    "an upload cancelled twice": Race(
        "open",
        an_upload_cancelled_twice,
        uploads_receiving,
        (("coverage", "DELETE", "/coverage/{request_id}/uploads/{upload_id}"),),
    ),
    "a version submitted twice": Race(
        "open",
        on(
            lambda r: (
                Call(WRITER, "coverage", "POST", f"/coverage/{r.rid}/submissions", json={}),
                Call(PHOTOGRAPHER, "coverage", "POST", f"/coverage/{r.rid}/submissions", json={}),
            )
        ),
        WORKSPACE,
        (("coverage", "POST", "/coverage/{request_id}/submissions"),),
    ),
    # review
    "approved and returned at once": Race(
        "in_review", on(decisions), REVIEW, (("review", "POST", "/reviews/{request_id}/decisions"),)
    ),
    "two comments": Race(
        "in_review", on(comments), the_comments, (("review", "POST", "/reviews/{request_id}/comments"),)
    ),
    "a comment resolved twice": Race(
        "in_review",
        on(resolved_twice),
        the_comments,
        (("review", "POST", "/reviews/{request_id}/comments/{comment_id}/resolve"),),
    ),
    # publisher
    "two website addresses": Race(
        "ready", on(websites), PUBLICATION, (("publisher", "POST", "/publications/{request_id}/website"),)
    ),
    "published twice": Race(
        "ready",
        published_twice,
        the_publication_and_its_emails,
        (("publisher", "POST", "/publications/{request_id}/publish"),),
    ),
    "failed emails sent again twice": Race(
        "published",
        emails_sent_again_twice,
        the_publication_and_its_emails,
        (("publisher", "POST", "/publications/{request_id}/emails/retry"),),
    ),
    "two social addresses": Race(
        "published",
        on(social_posts),
        PUBLICATION,
        (("publisher", "POST", "/publications/{request_id}/social/{channel}"),),
    ),
    "two registries saved": Race("none", two_registries, the_contact, (("publisher", "POST", "/media/import"),)),
    "a registry saved while a contact opts out": Race(
        "none",
        a_registry_and_an_opt_out,
        the_contact,
        (("publisher", "POST", "/media/import"), ("publisher", "POST", "/media/contacts/{email}/opt-out")),
    ),
    # notifier
    "two directory edits": Race(
        "none", two_directory_entries, the_directory_entry, (("notifier", "PUT", "/officers/{officer_id}"),)
    ),
    "two choices of digests": Race(
        "none", two_choices, the_directory_entry, (("notifier", "PUT", "/officers/{officer_id}/preferences"),)
    ),
    "failed messages sent again twice": Race(
        "open", failed_messages_sent_again_twice, the_messages, (("notifier", "POST", "/messages/retry"),)
    ),
}

# Endpoints raced through another's code: each service mounts the same deviations route.
SAME_CODE = {
    (service, "POST", "/deviations/{deviation_id}/explanation"): "warta.runtime.accountability, raced on intake"
    for service in ("scheduler", "coverage", "review", "publisher", "archive", "notifier")
} | {
    ("coverage", method, path): "tus speaks the uploads' own handlers (warta.coverage.tus), raced through the JSON API"
    for method, path in (
        ("POST", "/coverage/{request_id}/tus"),
        ("PATCH", "/coverage/{request_id}/tus/{upload_id}"),
        ("DELETE", "/coverage/{request_id}/tus/{upload_id}"),
    )
}
SAME_CODE[("publisher", "POST", "/media/opt-out/{contact}")] = (
    "the media's link records the registry's own opt-out (RegistryHandlers.opt_out), raced through the officers' route"
)
RADIO = "sari@radiokota.example"
MEDIA = (
    "outlet,outlet_type,press_council_verified,journalist_organisation,contact_name,desk,email,active\n"
    "Tangerang Ekspres,print,ya,PWI,Budi Santoso,Redaksi,budi@tangerangekspres.example,ya\n"
    f"Radio Kota,radio,tidak,,Sari Lestari,Berita,{RADIO},ya\n"
)


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_two_hands_at_once_end_as_one_after_the_other(namespace, tmp_path, capsys):
    full: set[str] = set()  # mailboxes the relay refuses for good while they are full

    def relay_policy(address: str, tries: int) -> str | None:
        return "552 5.2.2 mailbox full" if address in full else None

    clock = tmp_path / "clock"
    clock.write_text("0")
    names = SERVICES + SUBSCRIBERS
    with smtp_server(tmp_path, policy=relay_policy) as relay:
        mail = {"smtp_host": relay.host, "smtp_port": relay.port, "smtp_ca_file": relay.ca_file}
        own = {name: {"dev_clock_file": str(clock), "uploads_per_minute": 1_000_000} for name in names}
        own["publisher"] |= mail
        own["notifier"] |= mail | {"notify_every_seconds": 0.2}
        async with routed_apps(namespace, names, own) as client:
            desk = Desk(namespace, client, relay, clock)
            desk.relay_full = full
            await setup_the_office(desk)
            try:
                await check_every_endpoint_has_a_race(client, names)
                outcomes = []
                for name, race in RACES.items():
                    if name == "failed emails sent again twice":
                        full.add(RADIO)
                    outcomes.append(await run(desk, name, race))
                stranded = await nothing_is_stranded(desk, names)
            finally:
                await desk.mongo.close()
    with capsys.disabled():
        print(f"\nraced: {len(RACES)} pairs of calls at once on fresh resources, each against both serial orders")
        for name, order in outcomes:
            print(f"  {name}: as if {order}")
        print(f"nothing stranded: {stranded}")


async def setup_the_office(desk: Desk) -> None:
    for officer in DEV_ROSTER:
        await desk.ok(LEAD, "scheduler", "POST", "/officers", json=officer)
    for kit in DEV_INVENTORY:
        await desk.ok(LEAD, "scheduler", "POST", "/equipment", json=kit)
    await desk.ok(ADMIN, "publisher", "POST", "/media/import?dry_run=false", content=MEDIA.encode())
    for officer_id, name, role in (
        ("hendra.kabag", "Hendra Gunawan", "section_head"),
        ("rina.katim", "Rina Wulandari", "team_lead"),
        ("dewi.penulis", "Dewi Lestari", "coverage_team"),
    ):
        entry = {
            "officer_id": officer_id,
            "name": name,
            "role": role,
            "whatsapp": "0811-0000-0001",
            "channels": ["email"],
            "email": f"{officer_id}@tangerangkota.go.id",
            "quiet_from": None,
            "quiet_until": None,
            "digests": {},
        }
        await desk.ok(ADMIN, "notifier", "PUT", f"/officers/{officer_id}", json=entry)


async def check_every_endpoint_has_a_race(client: httpx.AsyncClient, names: tuple[str, ...]) -> None:
    raced = {endpoint for race in RACES.values() for endpoint in race.endpoints}
    changing = set()
    for name in names:
        schema = (await client.get(f"http://{name}/openapi.json")).json()
        changing |= {
            (name, method.upper(), path)
            for path, operations in schema["paths"].items()
            for method in operations
            if method.upper() in ("POST", "PUT", "PATCH", "DELETE")
        }
    assert changing - raced - set(SAME_CODE) == set(), "state-changing endpoints with no race"
    assert raced <= changing, raced - changing  # the table names only endpoints that exist


async def outcome(desk: Desk, race: Race, resource: Resource, calls: tuple[Call, Call], at_once: bool) -> Any:
    if at_once:
        answers = await asyncio.gather(*(desk.call(c) for c in calls))
    else:
        answers = [await desk.call(c) for c in calls]
    for call, answer in zip(calls, answers, strict=True):
        assert answer.status_code < 500, f"{call.method} {call.path}: {answer.status_code} {answer.text}"
        if answer.status_code >= 400:  # a refusal names why, in the errors' shape
            assert {"error", "message", "fields"} <= set(answer.json()), answer.text
    await asyncio.sleep(0.3)  # what the calls set off (events, emails) has room to happen
    return [a.status_code for a in answers], normalized(await race.look(resource), resource)


async def run(desk: Desk, name: str, race: Race) -> tuple[str, str]:
    """The race at once on one fresh resource, and one after the other, both ways, on two more."""
    together, first, second = await asyncio.gather(*(desk.resource(race.stage) for _ in range(3)))
    calls = {r.n: await race.calls(r) for r in (together, first, second)}
    a_then_b = await outcome(desk, race, first, calls[first.n], at_once=False)
    b_then_a_calls = calls[second.n][::-1]
    statuses, seen = await outcome(desk, race, second, b_then_a_calls, at_once=False)
    b_then_a = (statuses[::-1], seen)  # the answers in the calls' own order
    at_once = await outcome(desk, race, together, calls[together.n], at_once=True)
    serial = {"A then B": a_then_b, "B then A": b_then_a}
    for order, (statuses, _) in serial.items():  # a race whose calls are all refused proves nothing
        assert any(s < 300 for s in statuses), f"{name}: {order} refused every call: {statuses}"
    matching = [order for order, result in serial.items() if result == at_once]
    assert matching, f"{name}: at once gave {at_once}; one after the other gives {serial}"
    return name, " or ".join(matching)


# Every state a record of each service can be in, and what moves it on: None for a final state
# (or one only another service's event ends); a person's action otherwise. A state not in this
# table fails the check below until its way on is named.
FINAL = None
WAYS_ON: dict[tuple[str, str], dict[str, str | None]] = {
    ("intake", "requests"): {
        "registered": "the administrator issues the disposition sheet (or corrects the letter)",
        "awaiting_disposition": "the section head disposes or declines it",
        "disposed": FINAL,
        "declined": FINAL,
    },
    ("scheduler", "agenda"): {
        "awaiting_assignment": "the team lead assigns a team",
        "assigned": FINAL,  # reassignable while the coverage runs
    },
    ("coverage", "uploads"): {"receiving": "the team sends the rest, or cancels it", "complete": FINAL},
    ("coverage", "workspaces"): {
        "open": "the team writes and submits a version",
        "returned_to_team_lead": "the team lead corrects and submits it",
        "submitted": FINAL,  # until a review returns it
    },
    ("review", "reviews"): {
        "awaiting_team_lead": "the team lead decides",
        "awaiting_section_head": "the section head decides",
        "approved": FINAL,
        "returned_to_coverage": FINAL,  # until the next version
    },
    ("publisher", "publications"): {"ready": "a team member publishes it", "published": FINAL},
    ("publisher", "deliveries"): {
        "pending": "the sender's next pass",
        "sending": "the sender, or the next pass once the claim lapses",
        "transient": "the next retry",
        "failed": "an officer sends it again",
        "sent": FINAL,
    },
    ("notifier", "messages"): {
        "pending": "the sender's next pass",
        "sending": "the sender, or the next pass once the claim lapses",
        "transient": "the next retry",
        "failed": "a supervisor sends it again",
        "sent": FINAL,
    },
    ("notifier", "timers"): {
        "running": "its warning, or the step's end",
        "warned": "its due time, or the step's end",
        "overdue": "the step's end",
        "stopped": FINAL,
    },
}
DERIVED = {("archive", "dossiers")}  # a view of the stream, moved by the events themselves


async def nothing_is_stranded(desk: Desk, names: tuple[str, ...]) -> str:
    """After every race: each record in a state with a way on, every hold on one lapsing by
    itself, and the ways on that need only a press taken, each moving its record on."""
    found: dict[tuple[str, str], list[str]] = {}
    for name in names:
        db = desk.db(name)
        for collection in await db.list_collection_names():
            states = await db[collection].distinct("state")
            if states and (name, collection) not in DERIVED:
                found[(name, collection)] = sorted(map(str, states))
    unknown = {key: [s for s in states if s not in WAYS_ON.get(key, {})] for key, states in found.items()}
    assert not any(unknown.values()), f"states with no named way on: {unknown}"
    now = datetime.now(UTC) + timedelta(seconds=float(desk.clock.read_text() or 0))
    await _holds_lapse(desk, now)
    moved = await _press_the_ways_on(desk)
    waiting = sum(len([s for s in states if WAYS_ON[key][s]]) for key, states in found.items())
    return f"{waiting} waiting states seen, each with its way on; {moved}"


async def _holds_lapse(desk: Desk, now: datetime) -> None:
    """No hold outlasts its lease: an upload's transfer, a press of publish, an attempt at the
    website, a sender's claim."""
    bound = now + timedelta(minutes=10)
    async for upload in desk.db("coverage").uploads.find({"lease_until": {"$ne": None}}):
        assert upload["lease_until"] <= bound, upload
    async for publication in desk.db("publisher").publications.find():
        for hold in ("publishing_until", "website_attempt_until"):
            assert publication.get(hold) is None or publication[hold] <= bound, (hold, publication["_id"])
    for service, collection in (("publisher", "deliveries"), ("notifier", "messages")):
        async for entry in desk.db(service)[collection].find({"state": "sending"}):
            assert entry.get("claimed_at") is not None, entry  # a claim has a start, so its lease ends


async def _press_the_ways_on(desk: Desk) -> str:
    """Take the ways on that need no content: cancel every upload left receiving, issue the sheet
    of every request registered, decline every one awaiting disposition, return every version
    awaiting a decision, send every failed message again; each record moves on."""
    pressed = 0
    async for upload in desk.db("coverage").uploads.find({"state": "receiving"}):
        path = f"/coverage/{upload['request_id']}/uploads/{upload['_id']}"
        assert (await desk.call(Call(LEAD, "coverage", "DELETE", path))).status_code == 204, upload
        pressed += 1
    assert await desk.db("coverage").uploads.count_documents({"state": "receiving"}) == 0
    requests = desk.db("intake").requests
    async for request in requests.find({"state": "registered"}):
        await desk.ok(ADMIN, "intake", "POST", f"/requests/{request['_id']}/disposition-sheet")
        pressed += 1
    async for request in requests.find({"state": "awaiting_disposition"}):
        body = {"reason": "Pimpinan berhalangan hadir."}
        await desk.ok(HEAD, "intake", "POST", f"/requests/{request['_id']}/decline", json=body)
        pressed += 1
    assert await requests.count_documents({"state": {"$in": ["registered", "awaiting_disposition"]}}) == 0
    reviews = desk.db("review").reviews
    awaiting = await reviews.find({"state": {"$in": ["awaiting_team_lead", "awaiting_section_head"]}}).to_list()
    for review in awaiting:
        level, officer = ("team_lead", LEAD) if review["state"] == "awaiting_team_lead" else ("section_head", HEAD)
        decision = {"version": review["version"], "level": level, "outcome": "reject"}
        decision |= {"reason": "language", "note": "Perbaiki ejaan."}
        await desk.ok(officer, "review", "POST", f"/reviews/{review['_id']}/decisions", json=decision)
        now = await reviews.find_one({"_id": review["_id"]})
        assert now is not None
        assert now["state"] != review["state"], now  # back to the team, or to the team lead
        pressed += 1
    failed = await desk.db("notifier").messages.distinct("request_id", {"state": "failed"})
    for request_id in failed:
        reopened = await desk.ok(HEAD, "notifier", "POST", f"/messages/retry?request_id={request_id}")
        assert reopened["reopened"] >= 1
        pressed += 1
    return f"{pressed} ways on taken, each moving its record on"
