"""Whole requests walked through the five services by a Hypothesis state machine, every text a
person types drawn from hostile text (controls, reversed reading direction, markup, emoji, over
the limits) and every file from hostile files (truncated, a decompression bomb, bytes that only
start like a photo, a video without its index or with its header cut), sent whole or by tus, and
every letter's scan from hostile scans. Each step is tried with what was drawn first and, if refused, as an officer
would correct it. Throughout:

- no answer is a 5xx;
- every refusal is a 4xx the endpoint's OpenAPI document lists, with the error body, and a 422
  names the field it is about;
- every refused call leaves every service's database as it was;
- nothing is left where no action can move it on: no upload holding all its bytes uncompleted,
  no email claimed by nobody, no upload lease held once the calls are answered.

The seed and the number of flows are fixed, so a run is repeatable; ``make fuzz`` runs more
(``WARTA_FUZZ_FLOWS``)."""

import asyncio
import itertools
import json
import os
import re
import struct
from base64 import b64encode
from collections import Counter
from collections.abc import Coroutine
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

import httpx
import nats
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from pymongo import AsyncMongoClient

from warta.contracts import Role
from warta.devstack import samples
from warta.devstack.demo import DEV_INVENTORY, DEV_MEDIA, DEV_ROSTER
from warta.devstack.pytest_plugin import SERVICES, assert_a_refusal, routed_apps, snapshot
from warta.devstack.smtp import smtp_server
from warta.runtime.indonesian import JAKARTA

T = TypeVar("T")
FLOWS = int(os.environ.get("WARTA_FUZZ_FLOWS", "5"))
LETTERS = itertools.count(1)
STEPS = int(os.environ.get("WARTA_FUZZ_STEPS", "60"))

ADMIN, HEAD, LEAD = ("siti", Role.ADMIN), ("hendra", Role.SECTION_HEAD), ("rina", Role.TEAM_LEAD)
WRITER, PHOTOGRAPHER = ("dewi.penulis", Role.COVERAGE_TEAM), ("agus.fotografer", Role.COVERAGE_TEAM)

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "   ",
            "Dinas \u202efdp.exe\u202c Pendidikan",
            "Undangan\x00rapat",
            "baris\r\nbaru",
            "\ufeffBOM",
            "<script>alert(1)</script>",
            '<img src=x onerror="alert(1)">',
            "[audio src=https://x.example/a.mp3]",
            "Kafe\u0301 👩\u200d👩\u200d👧",
            "x" * 5000,
            "\ud800",
        ]
    ),
)
# Most of what officers send is a good photo, from a camera or a phone's screenshot; the rest is
# what goes wrong: cut off, a decompression bomb, the wrong kind, not a picture at all.
FTYP = struct.pack(">I4s", 16, b"ftyp") + b"isom" + struct.pack(">I", 512)
HOSTILE_FILE = st.sampled_from(
    [
        ("photo", "jpg", samples.jpeg()),
        ("photo", "jpg", samples.camera_jpeg()),
        ("photo", "png", samples.png()),
        ("photo", "jpg", samples.jpeg()[:3000]),
        ("photo", "png", samples.png_bomb()),
        ("photo", "jpg", b"\xff\xd8\xff" + bytes(4000)),
        ("photo", "png", samples.png()[:-20]),
        ("video", "mp4", samples.mp4(40_000)),
        ("photo", "mp4", samples.mp4(20_000)),
        ("photo", "exe", b"MZ" + bytes(3000)),
        ("video", "mp4", FTYP + struct.pack(">I4s", 20_008, b"mdat") + bytes(20_000)),  # no index
        (  # a header cut short
            "video",
            "mp4",
            FTYP + struct.pack(">I4s", 18, b"moov") + struct.pack(">I4s", 10, b"mvhd") + b"\0\0" + bytes(20_000),
        ),
    ]
)
HOSTILE_SCAN = st.sampled_from(
    [
        samples.pdf(),
        samples.pdf()[:300],
        b"%PDF-1.4\n" + bytes(2000) + b"\n%%EOF\n",
        samples.jpeg(),
        samples.png_bomb(),
        b"\x7fELF" + bytes(2000),
        b"",
    ]
)


class Stack:
    """The services running on the test's event loop, and the state machine's way to them from
    the thread it runs in: the loop keeps the services' consumers and relays working while the
    machine draws its next step."""

    def __init__(
        self,
        namespace: Any,
        client: httpx.AsyncClient,
        loop: asyncio.AbstractEventLoop,
        documents: dict[str, dict[str, Any]],
    ) -> None:
        self.namespace, self.client, self.loop = namespace, client, loop
        self.mongo: AsyncMongoClient[Any] = AsyncMongoClient(namespace.servers.mongodb_url, tz_aware=True)
        self.calls, self.refusals = 0, 0
        # Each service's paths as patterns, with the statuses its OpenAPI document lists for each.
        self.documented = {
            service: [
                (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), operations)
                for path, operations in document["paths"].items()
            ]
            for service, document in documents.items()
        }

    def check_documented(self, service: str, method: str, path: str, status: int) -> None:
        bare = path.split("?", 1)[0]
        for pattern, operations in self.documented[service]:
            if pattern.match(bare) and method.lower() in operations:
                listed = operations[method.lower()].get("responses", {})
                assert str(status) in listed, f"{method} {service}{bare} answered {status}, not in {sorted(listed)}"
                return
        raise AssertionError(f"{method} {service}{bare} is not in the service's document")

    def run(self, work: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def call(self, officer: tuple[str, Role], method: str, service: str, path: str, **kwargs: Any) -> httpx.Response:
        """One call; a refusal must be documented and change nothing in the service's database."""
        headers = {**self.namespace.token(officer[1], officer[0]), **kwargs.pop("headers", {})}
        if "json" in kwargs:
            # As a browser's JSON would carry it: a lone surrogate escaped, not an encoding error here.
            kwargs["content"] = json.dumps(kwargs.pop("json")).encode()
            headers["Content-Type"] = "application/json"
        before = self.run(self.everything())
        answer = self.run(self.client.request(method, f"http://{service}{path}", headers=headers, **kwargs))
        self.calls += 1
        assert answer.status_code < 500, f"{method} {service}{path}: {answer.status_code} {answer.text[:300]}"
        if answer.status_code >= 400:
            self.refused(service, method, path, answer, before)
        return answer

    def refused(self, service: str, method: str, path: str, answer: httpx.Response, before: Any) -> None:
        """A refusal: documented, in the error body's shape, and no service's data changed by it."""
        self.refusals += 1
        self.check_documented(service, method, path, answer.status_code)
        if method != "HEAD":
            body = answer.json()
            assert_a_refusal(body)
            if answer.status_code == 422:
                assert body["fields"], f"{method} {service}{path}: a 422 names no field: {body}"
        after = self.run(self.everything())
        for name in SERVICES:
            assert after[name] == before[name], (
                f"{method} {service}{path} refused ({answer.status_code}) changed {name}"
            )

    async def everything(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """Every service's database, settled (see ``settled``)."""
        await self.settled(self.db(SERVICES[0]))
        return {name: await snapshot(self.db(name)) for name in SERVICES}

    def db(self, service: str) -> Any:
        return self.mongo[self.namespace.database(service)]

    async def settled(self, db: Any) -> dict[str, list[dict[str, Any]]]:
        """``db`` once every event committed anywhere is relayed and applied by every consumer, so
        that what changes between two of these is what a call did."""
        nc = await nats.connect(self.namespace.servers.nats_url)
        try:
            js = nc.jetstream()
            for _ in range(400):
                outboxes = [await self.db(s).outbox.count_documents({"sent_at": None}) for s in SERVICES]
                consumers = await js.consumers_info(self.namespace.stream_name)
                if not any(outboxes) and not any(c.num_pending or c.num_ack_pending for c in consumers):
                    break
                await asyncio.sleep(0.02)
        finally:
            await nc.close()
        return await snapshot(db)

    def eventually(self, check: Any, timeout: float = 20) -> Any:
        async def poll() -> Any:
            deadline = self.loop.time() + timeout
            while self.loop.time() < deadline:
                if found := await check():
                    return found
                await asyncio.sleep(0.05)
            raise AssertionError(f"not reached within {timeout}s")

        return self.run(poll(), timeout + 5)


# Every state a service keeps a request's things in, and the action that moves a thing on from
# it (None: final, or another service's turn, whose own thing has the action). A state missing
# here, or an action no service offers, is work someone could be stuck with.
NEXT: dict[tuple[str, str], dict[str, tuple[str, str] | None]] = {
    ("intake", "requests"): {
        "registered": ("POST", "/requests/{request_id}/disposition-sheet"),
        "awaiting_disposition": ("POST", "/requests/{request_id}/disposition"),
        "disposed": None,
        "declined": None,
    },
    ("scheduler", "agenda"): {"awaiting_assignment": ("POST", "/agenda/{request_id}/assignment"), "assigned": None},
    ("coverage", "workspaces"): {
        "open": ("POST", "/coverage/{request_id}/submissions"),
        "submitted": None,
        "returned_to_team_lead": ("POST", "/coverage/{request_id}/submissions"),
    },
    ("coverage", "uploads"): {
        "receiving": ("DELETE", "/coverage/{request_id}/uploads/{upload_id}"),
        "complete": None,
    },
    ("review", "reviews"): {
        "awaiting_team_lead": ("POST", "/reviews/{request_id}/decisions"),
        "awaiting_section_head": ("POST", "/reviews/{request_id}/decisions"),
        "returned_to_coverage": None,
        "approved": None,
    },
    ("publisher", "publications"): {"ready": ("POST", "/publications/{request_id}/publish"), "published": None},
    ("publisher", "deliveries"): {
        "pending": ("POST", "/publications/{request_id}/publish"),
        "transient": ("POST", "/publications/{request_id}/publish"),
        "sending": ("POST", "/publications/{request_id}/publish"),  # once the dead sender's claim lapses
        "failed": ("POST", "/publications/{request_id}/emails/retry"),
        "sent": None,
    },
}


class Flows(RuleBasedStateMachine):
    """Requests at each stage of the SOP, moved on by rules drawn one after another."""

    stack: Stack
    reached: ClassVar[Counter[str]] = Counter()  # where the runs' requests ended, over all runs

    def __init__(self) -> None:
        super().__init__()
        self.stages: dict[str, str] = {}

    @initialize()
    def roster(self) -> None:
        for officer in DEV_ROSTER:
            self.stack.call(LEAD, "POST", "scheduler", "/officers", json=officer)
        for item in DEV_INVENTORY:
            self.stack.call(LEAD, "POST", "scheduler", "/equipment", json=item)
        self.stack.call(ADMIN, "POST", "publisher", "/media/import?dry_run=false", content=DEV_MEDIA.encode())

    def _at(self, stage: str) -> list[str]:
        return [rid for rid, now in self.stages.items() if now == stage]

    def _pick(self, data: Any, stage: str) -> str:
        return str(data.draw(st.sampled_from(sorted(self._at(stage)))))

    # -- steps 1 and 2 ----------------------------------------------------------------------------

    @precondition(lambda self: len([s for s in self.stages.values() if s not in ("declined", "published")]) < 2)
    @rule(data=st.data())
    def register(self, data: Any) -> None:
        number = next(LETTERS)
        starts = datetime.now(JAKARTA) + timedelta(days=2, hours=3 * number)  # the team free for each
        letter = {
            "number": f"{data.draw(HOSTILE_TEXT)}-{number}",
            "date": f"{datetime.now(JAKARTA).date()}",
            "sender": data.draw(HOSTILE_TEXT),
            "sender_kind": "opd",
            "subject": data.draw(HOSTILE_TEXT),
        }
        event = {
            "title": data.draw(HOSTILE_TEXT),
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
            "location": data.draw(HOSTILE_TEXT),
            "leader": "wali_kota",
        }
        contact = {
            "name": data.draw(HOSTILE_TEXT),
            "phone": data.draw(st.one_of(HOSTILE_TEXT, st.just("0812-3456-7890"))),
            "position": data.draw(HOSTILE_TEXT),
        }
        registration: dict[str, Any] = {"letter": letter, "event": event, "contact": contact}
        scan = self.stack.call(ADMIN, "POST", "intake", "/scans", content=data.draw(HOSTILE_SCAN))
        if scan.status_code == 201:
            registration["scan_id"] = scan.json()["scan_id"]
        answer = self.stack.call(ADMIN, "POST", "intake", "/requests", json=registration)
        if answer.status_code != 201:  # the administrator types the letter again, as written
            letter |= {"number": f"005/{number}/2026", "sender": "Dinas Kesehatan", "subject": "Undangan"}
            event |= {"title": "Peluncuran Posyandu", "location": "Puspem"}
            registration["contact"] = {"name": "Ani", "phone": "0812-3456-7890", "position": "Kasubag Umum"}
            answer = self.stack.call(ADMIN, "POST", "intake", "/requests", json=registration)
            assert answer.status_code == 201, answer.text
        rid = answer.json()["id"]
        assert self.stack.call(ADMIN, "POST", "intake", f"/requests/{rid}/disposition-sheet").status_code == 200
        self.stages[rid] = "awaiting_disposition"

    @precondition(lambda self: self._at("awaiting_disposition"))
    @rule(data=st.data(), forward=st.sampled_from([True, True, True, False]))
    def decide_disposition(self, data: Any, forward: bool) -> None:
        rid = self._pick(data, "awaiting_disposition")
        if forward:
            body = {"instructions": ["liput_dan_publikasikan"], "notes": data.draw(HOSTILE_TEXT)}
            if self.stack.call(HEAD, "POST", "intake", f"/requests/{rid}/disposition", json=body).status_code != 200:
                body["notes"] = "Utamakan foto pimpinan."
                assert self.stack.call(HEAD, "POST", "intake", f"/requests/{rid}/disposition", json=body).is_success
            self.stages[rid] = "disposed"
        else:
            body = {"reason": data.draw(HOSTILE_TEXT)}
            if self.stack.call(HEAD, "POST", "intake", f"/requests/{rid}/decline", json=body).status_code != 200:
                body["reason"] = "Pimpinan berhalangan."
                assert self.stack.call(HEAD, "POST", "intake", f"/requests/{rid}/decline", json=body).is_success
            self.stages[rid] = "declined"

    # -- step 3 ------------------------------------------------------------------------------------

    @precondition(lambda self: self._at("disposed"))
    @rule(data=st.data())
    def assign(self, data: Any) -> None:
        rid = self._pick(data, "disposed")
        self.stack.eventually(self._is(LEAD, "scheduler", f"/agenda/{rid}", "awaiting_assignment"))
        team = {
            "members": [
                {"officer_id": WRITER[0], "role": "writer"},
                {"officer_id": PHOTOGRAPHER[0], "role": "photographer"},
            ],
            "equipment": ["KAMERA-01"],
            "needs_video": False,
            "overrides": [{"resource": "officer:dewi.penulis", "reason": data.draw(HOSTILE_TEXT)}],
        }
        path = f"/agenda/{rid}/assignment"
        if self.stack.call(LEAD, "POST", "scheduler", path, json=team).status_code != 200:
            team["overrides"] = []
            assert self.stack.call(LEAD, "POST", "scheduler", path, json=team).is_success
        self.stack.eventually(self._is(WRITER, "coverage", f"/coverage/{rid}", "open", key="workspace"))
        self.stages[rid] = "open"

    # -- step 4 ------------------------------------------------------------------------------------

    @precondition(lambda self: self._at("open"))
    @rule(data=st.data())
    def write(self, data: Any) -> None:
        rid = self._pick(data, "open")
        draft = {
            "title": data.draw(HOSTILE_TEXT),
            "lead": data.draw(HOSTILE_TEXT),
            "body": data.draw(HOSTILE_TEXT),
            "tags": [data.draw(HOSTILE_TEXT)],
            "dateline_place": data.draw(HOSTILE_TEXT),
            "quotes": [
                {
                    "speaker": data.draw(HOSTILE_TEXT),
                    "function": data.draw(HOSTILE_TEXT),
                    "text": data.draw(HOSTILE_TEXT),
                }
            ],
        }
        if self.stack.call(WRITER, "PUT", "coverage", f"/coverage/{rid}/draft", json=draft).status_code != 200:
            draft = {"title": "Wali Kota Resmikan Posyandu", "body": "Posyandu dibuka untuk warga. " * 20}
            assert self.stack.call(WRITER, "PUT", "coverage", f"/coverage/{rid}/draft", json=draft).is_success
        channel = data.draw(st.sampled_from(["instagram", "x", "facebook", "tiktok", "youtube"]))
        post = {"text": data.draw(HOSTILE_TEXT), "title": data.draw(HOSTILE_TEXT)}
        self.stack.call(WRITER, "PUT", "coverage", f"/coverage/{rid}/social/{channel}", json=post)

    @precondition(lambda self: self._at("open"))
    @rule(data=st.data(), file=HOSTILE_FILE, by_tus=st.booleans())
    def upload(self, data: Any, file: tuple[str, str, bytes], by_tus: bool) -> None:
        rid = self._pick(data, "open")
        kind, extension, content = file
        filename = f"{data.draw(HOSTILE_TEXT)[:50]}.{extension}"
        before = self.stack.run(self.stack.everything())
        if by_tus:  # as a phone's tus client sends it: the name in the metadata, the kind unsaid
            named = f"filename {b64encode(filename.encode('utf-8', 'surrogatepass')).decode()}"
            tus = {"Tus-Resumable": "1.0.0"}
            created = self.stack.call(
                PHOTOGRAPHER,
                "POST",
                "coverage",
                f"/coverage/{rid}/tus",
                headers={**tus, "Upload-Length": str(len(content)), "Upload-Metadata": named},
            )
            if created.status_code != 201:
                return
            path = urlsplit(created.headers["location"]).path
            headers = {**tus, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
        else:
            declared = {"filename": filename, "size": len(content), "kind": kind}
            started = self.stack.call(PHOTOGRAPHER, "POST", "coverage", f"/coverage/{rid}/uploads", json=declared)
            if started.status_code != 201:
                return
            path = f"/coverage/{rid}/uploads/{started.json()['upload_id']}"
            headers = {"Upload-Offset": "0"}
        sent = self.stack.run(
            self.stack.client.patch(
                f"http://coverage{path}",
                content=content,
                headers={**self.stack.namespace.token(Role.COVERAGE_TEAM, PHOTOGRAPHER[0]), **headers},
            )
        )
        self.stack.calls += 1
        assert sent.status_code < 500, sent.text
        if sent.status_code >= 400:
            # A refused file is not kept in part: the data is as before the upload was started.
            assert sent.json()["fields"], sent.text
            self.stack.refused("coverage", "PATCH", path, sent, before)

    @precondition(lambda self: self._at("open"))
    @rule(data=st.data())
    def abandon_an_upload(self, data: Any) -> None:
        """A phone sends half a video and goes away: the version cannot be submitted past it."""
        rid = self._pick(data, "open")
        content = samples.mp4(200_000)
        declared = {"filename": "setengah.mp4", "size": len(content), "kind": "video"}
        started = self.stack.call(PHOTOGRAPHER, "POST", "coverage", f"/coverage/{rid}/uploads", json=declared)
        path = f"/coverage/{rid}/uploads/{started.json()['upload_id']}"
        half = self.stack.call(
            PHOTOGRAPHER, "PATCH", "coverage", path, content=content[:100_000], headers={"Upload-Offset": "0"}
        )
        assert half.json()["state"] == "receiving", half.text
        refused = self.stack.call(WRITER, "POST", "coverage", f"/coverage/{rid}/submissions", json={})
        assert refused.status_code == 409, refused.text
        assert "setengah.mp4" in refused.json()["message"]

    @precondition(lambda self: self._at("open"))
    @rule(data=st.data())
    def submit(self, data: Any) -> None:
        rid = self._pick(data, "open")
        for upload_id in self.stack.run(self._arriving(rid)):  # the team gives up what will not come
            self.stack.call(PHOTOGRAPHER, "DELETE", "coverage", f"/coverage/{rid}/uploads/{upload_id}")
        answer = self.stack.call(WRITER, "POST", "coverage", f"/coverage/{rid}/submissions", json={})
        if answer.status_code == 201:
            self.stack.eventually(self._is(LEAD, "review", f"/reviews/{rid}", "awaiting_team_lead"))
            self.stages[rid] = "in_review"

    # -- steps 5 and 6 -----------------------------------------------------------------------------

    @precondition(lambda self: self._at("in_review"))
    @rule(data=st.data(), approve=st.booleans())
    def review(self, data: Any, approve: bool) -> None:
        rid = self._pick(data, "in_review")
        version = self.stack.call(LEAD, "GET", "review", f"/reviews/{rid}").json()["version"]
        comment = {"version": version, "anchor": {"part": "title"}, "text": data.draw(HOSTILE_TEXT)}
        self.stack.call(LEAD, "POST", "review", f"/reviews/{rid}/comments", json=comment)
        decision = {"version": version, "level": "team_lead", "outcome": "approve" if approve else "reject"}
        if not approve:
            decision |= {"reason": "language", "note": data.draw(HOSTILE_TEXT)}
        path = f"/reviews/{rid}/decisions"
        if self.stack.call(LEAD, "POST", "review", path, json=decision).status_code != 201:
            decision["note"] = "Perbaiki ejaan." if not approve else None
            assert self.stack.call(LEAD, "POST", "review", path, json=decision).status_code == 201
        if not approve:
            self.stack.eventually(self._is(WRITER, "coverage", f"/coverage/{rid}", "open", key="workspace"))
            self.stages[rid] = "open"
            return
        self.stack.eventually(self._is(HEAD, "review", f"/reviews/{rid}", "awaiting_section_head"))
        final = {"version": version, "level": "section_head", "outcome": "approve"}
        assert self.stack.call(HEAD, "POST", "review", path, json=final).status_code == 201
        self.stack.eventually(self._is(WRITER, "publisher", f"/publications/{rid}", "ready"))
        self.stages[rid] = "ready"

    # -- step 7 ------------------------------------------------------------------------------------

    @precondition(lambda self: self._at("ready"))
    @rule(data=st.data())
    def publish(self, data: Any) -> None:
        rid = self._pick(data, "ready")
        typed = {"website_url": data.draw(st.one_of(HOSTILE_TEXT, st.just("https://tangerangkota.go.id/b/1")))}
        if self.stack.call(WRITER, "POST", "publisher", f"/publications/{rid}/website", json=typed).status_code != 200:
            url = {"website_url": f"https://tangerangkota.go.id/berita/{rid}"}
            assert self.stack.call(WRITER, "POST", "publisher", f"/publications/{rid}/website", json=url).is_success
        answer = self.stack.call(WRITER, "POST", "publisher", f"/publications/{rid}/publish")
        assert answer.json()["state"] == "published", answer.text
        self.stages[rid] = "published"

    # -- what must hold after every step --------------------------------------------------------------

    @invariant()
    def nothing_is_stuck(self) -> None:
        async def stuck() -> list[str]:
            coverage = self.stack.db("coverage")
            publisher = self.stack.db("publisher")
            found = []
            async for upload in coverage.uploads.find({"state": "receiving"}):
                if upload["offset"] >= upload["size"]:
                    found.append(f"upload {upload['_id']} holds all its bytes and is not complete")
                if upload.get("lease_until") and upload["lease_until"] > datetime.now(JAKARTA):
                    found.append(f"upload {upload['_id']} is still leased with no transfer running")
            found += [
                f"email {d['_id']} claimed by nobody" async for d in publisher.deliveries.find({"state": "sending"})
            ]
            return found

        assert self.stack.run(stuck()) == []

    @invariant()
    def every_state_has_a_way_on(self) -> None:
        async def unknown() -> list[str]:
            found = []
            for (service, collection), states in NEXT.items():
                async for doc in self.stack.db(service)[collection].find({}, {"state": 1}):
                    if doc["state"] not in states:
                        found.append(f"{service}.{collection} {doc['_id']}: state {doc['state']!r} has no way on")
            return found

        assert self.stack.run(unknown()) == []

    def teardown(self) -> None:
        Flows.reached.update(self.stages.values())

        # Uploads left arriving (a phone that went away) are given up by their team, not left.
        async def abandoned() -> list[tuple[str, str]]:
            cursor = self.stack.db("coverage").uploads.find({"state": "receiving"})
            return [(doc["request_id"], doc["_id"]) async for doc in cursor]

        for rid, upload_id in self.stack.run(abandoned()):
            answer = self.stack.call(PHOTOGRAPHER, "DELETE", "coverage", f"/coverage/{rid}/uploads/{upload_id}")
            assert answer.status_code == 204, answer.text

    async def _arriving(self, rid: str) -> list[str]:
        cursor = self.stack.db("coverage").uploads.find({"request_id": rid, "state": "receiving"})
        return [doc["_id"] async for doc in cursor]

    def _is(self, officer: tuple[str, Role], service: str, path: str, state: str, key: str | None = None) -> Any:
        """A check, for ``eventually``, that the other side has caught up: ``path`` shows ``state``."""

        async def check() -> bool:
            headers = self.stack.namespace.token(officer[1], officer[0])
            answer = await self.stack.client.get(f"http://{service}{path}", headers=headers)
            if answer.status_code != 200:
                return False
            body = answer.json()
            return (body[key] if key else body)["state"] == state

        return check


@pytest.mark.slow
@pytest.mark.timeout(max(900, FLOWS * STEPS * 2))
async def test_whole_requests_with_hostile_text_and_files_at_every_step(
    namespace: Any, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    with smtp_server(tmp_path) as relay:
        mail = {"smtp_host": relay.host, "smtp_port": relay.port, "smtp_ca_file": relay.ca_file}
        # The flows go as fast as the machine can, far past an officer's pace: the rate limits
        # (tested on their own) must not make one run's answers depend on the runs before it.
        unlimited = {"uploads_per_minute": 1_000_000}
        own = {name: dict(unlimited) for name in SERVICES} | {"publisher": mail | unlimited}
        async with routed_apps(namespace, SERVICES, own) as client:
            documents = {name: (await client.get(f"http://{name}/openapi.json")).json() for name in SERVICES}
            for (service, _), states in NEXT.items():  # each way on is an action a service offers
                for method, path in filter(None, states.values()):
                    assert method.lower() in documents[service]["paths"].get(path, {}), (service, method, path)
            stack = Flows.stack = Stack(namespace, client, asyncio.get_running_loop(), documents)
            try:
                await asyncio.to_thread(
                    run_state_machine_as_test,
                    Flows,
                    settings=settings(
                        max_examples=FLOWS,
                        stateful_step_count=STEPS,
                        derandomize=True,
                        deadline=None,
                        database=None,
                        suppress_health_check=list(HealthCheck),
                        # A failure is reported as found: shrinking whole flows would take minutes.
                        phases=[Phase.explicit, Phase.reuse, Phase.generate],
                    ),
                )
            finally:
                await stack.mongo.close()
    with capsys.disabled():  # the figures show in every run, not only a failing one
        print(f"\nfuzzed flows: {FLOWS} runs of up to {STEPS} steps, {sum(Flows.reached.values())} requests, ")
        print(f"  {stack.calls} calls, {stack.refusals} refused as documented; requests by where they ended:")
        print(f"  {dict(Flows.reached)}")
    assert Flows.reached["published"] >= 1, "no run walked a request to publication"
