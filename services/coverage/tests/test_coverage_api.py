"""Step 4 over the coverage API, against the real database and event stream."""

import asyncio
import hashlib
import struct
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from warta.contracts import (
    CoverageSubmitted,
    LeadershipEvent,
    Rejected,
    RejectedData,
    RejectionReason,
    ReviewLevel,
    Role,
    TeamAssigned,
    TeamAssignedData,
    TeamMember,
)
from warta.coverage import uploads as uploads_module
from warta.coverage.app import CoverageSettings, create_app
from warta.devstack.pytest_plugin import ServiceCaller, eventually, running_app
from warta.devstack.samples import jpeg, mp4, png, png_bomb

DEWI = (Role.COVERAGE_TEAM, "dewi")
AGUS = (Role.COVERAGE_TEAM, "agus")
OUTSIDER = (Role.COVERAGE_TEAM, "joko")
LEAD = (Role.TEAM_LEAD, "rina")
HEAD = (Role.SECTION_HEAD, "hendra")
ADMIN = (Role.ADMIN, "siti")
T0 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
PHOTO_LIMIT = 2 * 1024 * 1024
FTYP = struct.pack(">I4s", 16, b"ftyp") + b"isom" + struct.pack(">I", 512)

DRAFT = {
    "title": "Wali Kota Resmikan Taman Literasi Cisadane",
    "dateline_date": "2026-11-30",
    "lead": "Wali Kota Tangerang meresmikan Taman Literasi Cisadane, Senin (30/11/2026).",
    "body": "Taman ini dibuka untuk warga. " * 40,
    "quotes": [{"speaker": "Sachrudin", "function": "Wali Kota Tangerang", "text": "Taman ini untuk warga."}],
    "tags": ["literasi", "taman"],
}


class Workbench(ServiceCaller):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.rid = "req-cov-1"

    async def open(
        self,
        needs_video: bool = True,
        *,
        rid: str | None = None,
        team: tuple[str, ...] = ("dewi", "agus"),
        title: str = "t",
        starts_at: datetime = T0,
    ) -> None:
        rid = rid or self.rid
        event = LeadershipEvent(
            title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), location="l", leader="sekda"
        )
        roles = ("writer", "photographer", "videographer")
        assigned = TeamAssigned.occurred(
            data=TeamAssignedData(
                request_id=rid,
                revision=1,
                members=tuple(TeamMember(officer_id=o, role=r) for o, r in zip(team, roles, strict=False)),
                needs_video=needs_video,
                event=event,
                coverage_starts_at=starts_at,
            ),
            request_id=rid,
            time=starts_at,
        )
        await self.app.state.handlers.open_workspace(assigned)

    async def return_to_team(self, version: int, reason: RejectionReason, note: str) -> None:
        """The team lead's rejection of ``version`` arriving from the review service."""
        rejected = Rejected.occurred(
            data=RejectedData(
                request_id=self.rid, version=version, level=ReviewLevel.TEAM_LEAD, reason=reason, note=note
            ),
            request_id=self.rid,
            time=datetime.now(UTC),
            actor=None,
        )
        await self.app.state.handlers.return_to_team(rejected)

    async def start(self, filename: str, size: int, kind: str, officer=DEWI) -> dict:
        body = {"filename": filename, "size": size, "kind": kind}
        return await self.ok(officer, "POST", f"/coverage/{self.rid}/uploads", 201, json=body)

    async def send(self, upload: dict, content, offset: int = 0, officer=DEWI):
        path = f"/coverage/{self.rid}/uploads/{upload['upload_id']}"
        return await self.call(officer, "PATCH", path, content=content, headers={"Upload-Offset": str(offset)})

    async def upload(self, filename: str, content: bytes, kind: str) -> dict:
        upload = await self.start(filename, len(content), kind)
        r = await self.send(upload, content)
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture
async def bench(namespace, mongo):
    settings = namespace.settings(CoverageSettings, photo_max_bytes=PHOTO_LIMIT, public_url="http://coverage.test")
    app = create_app(settings)
    async with running_app(app) as client:
        yield Workbench(app, client, namespace, mongo[namespace.database("coverage")])


async def test_a_photo_is_stored_hashed_measured_and_served_in_ranges(bench):
    await bench.open()
    content = jpeg(640, 480, taken="2026:11:30 09:15:00")
    done = await bench.upload("peresmian.jpg", content, "photo")
    asset = done["asset"]
    assert done["state"] == "complete"
    assert done["progress"] == 100.0
    assert asset["sha256"] == hashlib.sha256(content).hexdigest()
    assert (asset["media_type"], asset["width"], asset["height"]) == ("image/jpeg", 640, 480)
    assert datetime.fromisoformat(asset["captured_at"]) == datetime(2026, 11, 30, 2, 15, tzinfo=UTC)

    whole = await bench.call(AGUS, "GET", f"/assets/{asset['asset_id']}")
    assert whole.status_code == 200
    assert whole.content == content
    assert whole.headers["accept-ranges"] == "bytes"
    first = await bench.call(HEAD, "GET", f"/assets/{asset['asset_id']}", headers={"Range": "bytes=0-9"})
    assert (first.status_code, first.content) == (206, content[:10])
    assert first.headers["content-range"] == f"bytes 0-9/{len(content)}"
    last = await bench.call(LEAD, "GET", f"/assets/{asset['asset_id']}", headers={"Range": "bytes=-5"})
    assert (last.status_code, last.content) == (206, content[-5:])
    middle = await bench.call(
        AGUS, "GET", f"/assets/{asset['asset_id']}", headers={"Range": f"bytes=300-{300 + 70000}"}
    )
    assert middle.content == content[300 : 300 + 70001]
    beyond = await bench.call(AGUS, "GET", f"/assets/{asset['asset_id']}", headers={"Range": f"bytes={len(content)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(content)}"
    assert (await bench.call(ADMIN, "GET", f"/assets/{asset['asset_id']}")).status_code == 403
    # Another event's coverage officer does not read this event's unpublished media; the
    # publisher's service identity does.
    for path in (f"/assets/{asset['asset_id']}", f"/assets/{asset['asset_id']}/thumbnail"):
        assert (await bench.call(OUTSIDER, "GET", path)).status_code == 403
        assert (await bench.call((Role.COVERAGE_TEAM, "publisher"), "GET", path)).status_code == 200

    thumbnail = await bench.call(DEWI, "GET", f"/assets/{asset['asset_id']}/thumbnail")
    assert thumbnail.headers["content-type"] == "image/jpeg"
    assert thumbnail.content[:3] == b"\xff\xd8\xff"


class Dropped(Exception):
    """The connection an upload's bytes were going over, gone part of the way through."""


async def dropped_after(content: bytes, cut: int, piece: int = 65536) -> AsyncIterator[bytes]:
    """``content`` sent in pieces until ``cut`` bytes have gone, then the connection drops."""
    for at in range(0, cut, piece):
        yield content[at : min(at + piece, cut)]
    raise Dropped("the connection dropped")


async def test_an_interrupted_video_upload_resumes_where_it_stopped(bench):
    await bench.open()
    content = mp4(3 * 1024 * 1024 + 12345, width=1920, height=1080, seconds=95)
    upload = await bench.start("pidato.mp4", len(content), "video")
    cut = 1_300_000
    with pytest.raises(Dropped):
        await bench.send(upload, dropped_after(content, cut))
    status = await bench.ok(DEWI, "GET", f"/coverage/{bench.rid}/uploads/{upload['upload_id']}")
    assert status["offset"] == cut  # everything that arrived is kept, not just whole chunks
    assert status["state"] == "receiving"
    assert 0 < status["progress"] < 100

    wrong = await bench.send(upload, content[cut - 10 :], offset=cut - 10)
    assert wrong.status_code == 409
    assert str(cut) in wrong.json()["message"]

    r = await bench.send(upload, content[cut:], offset=cut)
    assert r.status_code == 200, r.text
    asset = r.json()["asset"]
    assert asset["sha256"] == hashlib.sha256(content).hexdigest()
    assert (asset["width"], asset["height"], asset["duration_seconds"]) == (1920, 1080, 95.0)
    served = await bench.call(DEWI, "GET", f"/assets/{asset['asset_id']}")
    assert hashlib.sha256(served.content).hexdigest() == asset["sha256"]
    # Had the answer to the last bytes been lost, the status gives the phone its asset.
    status = await bench.ok(DEWI, "GET", f"/coverage/{bench.rid}/uploads/{upload['upload_id']}")
    assert (status["state"], status["offset"], status["asset"]) == ("complete", len(content), asset)


async def test_a_spoofed_file_is_refused_and_nothing_of_it_is_kept(bench):
    await bench.open()
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(50_000)
    upload = await bench.start("foto.jpg", len(program), "photo")
    r = await bench.send(upload, program)
    assert r.status_code == 415, r.text
    assert r.json()["fields"][0]["field"] == "file"
    assert await bench.db["media.chunks"].count_documents({}) == 0
    assert (await bench.call(DEWI, "GET", f"/coverage/{bench.rid}/uploads/{upload['upload_id']}")).status_code == 404

    video_as_photo = mp4(10_000)
    upload = await bench.start("foto.jpg", len(video_as_photo), "photo")
    assert (await bench.send(upload, video_as_photo)).status_code == 415
    workspace = await bench.ok(DEWI, "GET", f"/coverage/{bench.rid}")
    assert workspace["assets"] == []


@pytest.mark.parametrize(
    ("filename", "kind", "content", "reason"),
    [
        pytest.param("bom.png", "photo", png_bomb(), "pixels than the", id="900-megapixel-png"),
        pytest.param("potong.jpg", "photo", jpeg()[:4000], "incomplete or damaged", id="truncated-jpeg"),
        pytest.param("rusak.png", "photo", png()[:-30], "incomplete or damaged", id="truncated-png"),
        # A phone writes the index (moov) after the picture: a recording cut short has none.
        pytest.param(
            "potong.mp4",
            "video",
            FTYP + struct.pack(">I4s", 50_008, b"mdat") + bytes(50_000),
            "no index",
            id="video-without-moov",
        ),
        # A header box cut short: not a crash, and none of the file kept.
        pytest.param(
            "rusak.mp4",
            "video",
            FTYP
            + struct.pack(">I4s", 8 + 10, b"moov")
            + struct.pack(">I4s", 10, b"mvhd")
            + b"\x00\x00"
            + struct.pack(">I4s", 50_008, b"mdat")
            + bytes(50_000),
            "cut short",
            id="video-with-a-cut-header",
        ),
    ],
)
async def test_a_file_that_only_looks_like_a_photo_or_video_is_refused_and_nothing_of_it_kept(
    bench, filename, kind, content, reason
):
    """Read whole before it becomes an asset: a bomb, a truncated photo, a video that cannot play."""
    await bench.open()
    upload = await bench.start(filename, len(content), kind)
    r = await bench.send(upload, content)
    assert r.status_code == 422, r.text
    [problem] = r.json()["fields"]
    assert problem["field"] == "file"
    assert reason in problem["message"]
    assert await bench.db["media.chunks"].count_documents({}) == 0
    assert await bench.db["media.files"].count_documents({}) == 0
    assert await bench.db.uploads.count_documents({}) == 0
    assert (await bench.ok(DEWI, "GET", f"/coverage/{bench.rid}"))["assets"] == []


async def test_the_pixel_limit_an_operator_sets_in_the_environment_is_the_one_applied(namespace, mongo, monkeypatch):
    """``WARTA_IMAGE_MAX_PIXELS`` as the deployment's ConfigMap sets it: a photo over it is refused
    naming the limit, and one within it is taken."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)  # put back for the next test
    monkeypatch.setenv("WARTA_IMAGE_MAX_PIXELS", "1000000")
    app = create_app(namespace.settings(CoverageSettings, public_url="http://coverage.test"))
    async with running_app(app) as client:
        bench = Workbench(app, client, namespace, mongo[namespace.database("coverage")])
        await bench.open()
        large = jpeg(1250, 1000)
        r = await bench.send(await bench.start("besar.jpg", len(large), "photo"), large)
        assert r.status_code == 422, r.text
        assert "1,000,000 allowed" in r.json()["fields"][0]["message"]
        taken = await bench.upload("pas.jpg", jpeg(1000, 1000), "photo")
        assert taken["asset"]["width"] == 1000


@pytest.mark.parametrize("kind", ["photo", "video"])
async def test_a_file_its_decoder_fails_on_unexpectedly_is_refused_as_damaged_and_nothing_kept(
    bench, monkeypatch, kind
):
    """Not a 500 with the file left stored: whatever the decoder raises, the file is not usable."""

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the decoder met something it did not expect")

    monkeypatch.setattr(uploads_module, f"inspect_{kind}", failing)
    await bench.open()
    content = jpeg() if kind == "photo" else mp4(20_000)
    r = await bench.send(
        await bench.start(f"berkas.{'jpg' if kind == 'photo' else 'mp4'}", len(content), kind), content
    )
    assert r.status_code == 422, r.text
    [problem] = r.json()["fields"]
    assert (problem["field"], problem["type"]) == ("file", f"{'image' if kind == 'photo' else 'video'}_damaged")
    for collection in ("media.chunks", "media.files", "uploads"):
        assert await bench.db[collection].count_documents({}) == 0, collection
    assert (await bench.ok(DEWI, "GET", f"/coverage/{bench.rid}"))["assets"] == []


async def test_oversize_is_refused_before_the_body_is_read(bench):
    await bench.open()
    await bench.refused(
        413,
        DEWI,
        "POST",
        f"/coverage/{bench.rid}/uploads",
        json={"filename": "besar.jpg", "size": PHOTO_LIMIT + 1, "kind": "photo"},
        field="size",
    )
    # A client that sends more than it declared is cut off at the declared size.
    content = jpeg()
    upload = await bench.start("foto.jpg", len(content), "photo")
    sent = 0
    total = len(content) + 5 * 1024 * 1024

    async def too_much():
        nonlocal sent
        stream = content + bytes(total - len(content))
        for at in range(0, total, 65536):
            sent += len(stream[at : at + 65536])
            yield stream[at : at + 65536]

    r = await bench.send(upload, too_much())
    assert r.status_code == 413, r.text
    assert sent < total / 2, f"read {sent} of {total} bytes before refusing"
    assert await bench.db["media.chunks"].count_documents({}) == 0


async def test_the_same_bytes_twice_are_one_asset(bench):
    await bench.open()
    content = png()
    first = await bench.upload("a.png", content, "photo")
    second = await bench.upload("a-lagi.png", content, "photo")
    assert second["duplicate"] is True
    assert second["asset"]["asset_id"] == first["asset"]["asset_id"]
    workspace = await bench.ok(DEWI, "GET", f"/coverage/{bench.rid}")
    assert [a["asset_id"] for a in workspace["assets"]] == [first["asset"]["asset_id"]]


async def test_drafts_and_posts_are_checked_and_only_the_team_may_touch_them(bench):
    await bench.open()
    saved = await bench.ok(DEWI, "PUT", f"/coverage/{bench.rid}/draft", json={**DRAFT, "lead": "kata " * 45})
    assert [w["code"] for w in saved["reading"]["warnings"]] == ["lead_too_long"]
    assert saved["reading"]["word_count"] > 200
    await bench.refused(
        422, DEWI, "PUT", f"/coverage/{bench.rid}/draft", json={**DRAFT, "captions": {"x": "y"}}, field="captions.x"
    )
    await bench.refused(403, OUTSIDER, "PUT", f"/coverage/{bench.rid}/draft", json=DRAFT)
    await bench.refused(403, HEAD, "GET", f"/coverage/{bench.rid}")

    photo = (await bench.upload("a.jpg", jpeg(), "photo"))["asset"]["asset_id"]
    ig = {"text": "Taman Literasi Cisadane dibuka #Tangerang", "media": [photo]}
    workspace = await bench.ok(DEWI, "PUT", f"/coverage/{bench.rid}/social/instagram", json=ig)
    assert workspace["posts"]["instagram"]["media"] == [photo]
    too_long = await bench.refused(
        422, DEWI, "PUT", f"/coverage/{bench.rid}/social/x", json={"text": "a" * 281}, field="text"
    )
    # The refusal names its rule and numbers, for the console to say in Bahasa Indonesia.
    assert too_long["fields"][0]["type"] == "post_too_long"
    assert too_long["fields"][0]["limits"] == {"max": "280", "actual": "281"}
    await bench.refused(
        422, DEWI, "PUT", f"/coverage/{bench.rid}/social/x", json={"text": "ok", "media": ["nope"]}, field="media.0"
    )
    await bench.refused(
        422, DEWI, "PUT", f"/coverage/{bench.rid}/social/myspace", json={"text": "ok"}, field="path.channel"
    )
    await bench.refused(
        403, OUTSIDER, "POST", f"/coverage/{bench.rid}/uploads", json={"filename": "a", "size": 5, "kind": "photo"}
    )


async def test_each_officer_sees_the_open_coverage_waiting_for_them_longest_running_first(bench):
    later = T0 + timedelta(hours=3)
    await bench.open(needs_video=False, title="Peresmian Taman", starts_at=later)
    await bench.open(rid="req-cov-2", team=("agus", "joko"), title="Rapat Paripurna", starts_at=T0)

    async def waiting(officer) -> list[tuple[str, str, int]]:
        return [
            (w["request_id"], w["event"]["title"], w["versions"]) for w in await bench.ok(officer, "GET", "/coverage")
        ]

    assert await waiting(DEWI) == [(bench.rid, "Peresmian Taman", 0)]
    assert await waiting(AGUS) == [("req-cov-2", "Rapat Paripurna", 0), (bench.rid, "Peresmian Taman", 0)]
    assert await waiting(LEAD) == await waiting(AGUS) == await waiting(HEAD)
    [first] = await bench.ok(AGUS, "GET", "/coverage", params={"limit": 1})
    assert first["clock_started_at"].startswith("2026-11-30T02:00")

    await bench.ok(DEWI, "PUT", f"/coverage/{bench.rid}/draft", json=DRAFT)
    await bench.upload("a.jpg", jpeg(), "photo")
    await bench.ok(DEWI, "POST", f"/coverage/{bench.rid}/submissions", 201)
    assert await waiting(DEWI) == []  # in review: nothing for the team to do
    assert await waiting(LEAD) == [("req-cov-2", "Rapat Paripurna", 0)]

    await bench.return_to_team(1, RejectionReason.FACTUAL_ERROR, "Cek nama")
    assert await waiting(DEWI) == [(bench.rid, "Peresmian Taman", 1)]
    await bench.refused(422, DEWI, "GET", "/coverage", params={"limit": 0}, field="query.limit")


async def test_submission_freezes_a_version_and_a_rejection_reopens_for_the_next(bench):
    await bench.open()
    incomplete = await bench.refused(422, DEWI, "POST", f"/coverage/{bench.rid}/submissions")
    assert [f["field"] for f in incomplete["fields"]] == [
        "press_release.title",
        "press_release.body",
        "assets",
        "assets",
    ]

    await bench.ok(DEWI, "PUT", f"/coverage/{bench.rid}/draft", json=DRAFT)
    photo = (await bench.upload("a.jpg", jpeg(), "photo"))["asset"]
    video = (await bench.upload("v.mp4", mp4(200_000), "video"))["asset"]
    await bench.ok(
        DEWI, "PUT", f"/coverage/{bench.rid}/draft", json={**DRAFT, "captions": {photo["asset_id"]: "Pita digunting"}}
    )
    await bench.ok(
        DEWI,
        "PUT",
        f"/coverage/{bench.rid}/social/youtube",
        json={"text": "Peresmian", "title": "Peresmian Taman", "media": [video["asset_id"]]},
    )
    await bench.refused(403, OUTSIDER, "POST", f"/coverage/{bench.rid}/submissions")

    v1 = await bench.ok(AGUS, "POST", f"/coverage/{bench.rid}/submissions", 201)
    assert v1["version"] == 1
    [submitted] = await eventually(bench.ns.events)
    assert isinstance(submitted, CoverageSubmitted)
    assert [(a.sha256, a.caption) for a in submitted.data.assets] == [
        (photo["sha256"], "Pita digunting"),
        (video["sha256"], None),
    ]
    assert submitted.data.assets[0].uri == f"http://coverage.test/assets/{photo['asset_id']}"
    assert submitted.data.press_release.dateline == "Tangerang, 30 November 2026"
    assert [p.channel.value for p in submitted.data.social_posts] == ["youtube"]
    assert (await bench.call(DEWI, "PUT", f"/coverage/{bench.rid}/draft", json=DRAFT)).status_code == 409

    await bench.return_to_team(1, RejectionReason.LANGUAGE, "Perbaiki judul")
    workspace = (await bench.ok(DEWI, "GET", f"/coverage/{bench.rid}"))["workspace"]
    assert (workspace["state"], workspace["last_return"]["note"]) == ("open", "Perbaiki judul")

    frozen = await bench.ok(HEAD, "GET", f"/coverage/{bench.rid}/versions/1")
    await bench.ok(DEWI, "PUT", f"/coverage/{bench.rid}/draft", json={**DRAFT, "title": "Judul Baru"})
    extra = (await bench.upload("b.png", png(), "photo"))["asset"]
    await bench.refused(409, DEWI, "DELETE", f"/coverage/{bench.rid}/assets/{photo['asset_id']}")
    await bench.ok(DEWI, "DELETE", f"/coverage/{bench.rid}/assets/{extra['asset_id']}")
    assert await bench.ok(HEAD, "GET", f"/coverage/{bench.rid}/versions/1") == frozen

    v2 = await bench.ok(DEWI, "POST", f"/coverage/{bench.rid}/submissions", 201)
    assert (v2["version"], v2["press_release"]["title"]) == (2, "Judul Baru")
    assert frozen["press_release"]["title"] == DRAFT["title"]
    metrics = (await bench.client.get("/metrics")).text
    assert 'warta_sop_step_duration_seconds_count{sop="58/2025",step="4"} 2.0' in metrics


async def test_a_title_on_two_lines_is_refused_and_a_body_typed_in_a_browser_keeps_its_lines(bench):
    """A title with CR LF passed the draft and both approvals once, and then broke every media
    email's Subject header; now it is refused where it is typed."""
    await bench.open()
    refused = await bench.refused(
        422,
        DEWI,
        "PUT",
        f"/coverage/{bench.rid}/draft",
        json=DRAFT | {"title": "Wali Kota\r\nBcc: x@y.z"},
        field="title",
    )
    assert refused["fields"][0]["type"] == "line_break"
    saved = await bench.ok(DEWI, "PUT", f"/coverage/{bench.rid}/draft", json=DRAFT | {"body": "Satu.\r\n\r\nDua."})
    assert saved["draft"]["body"] == "Satu.\n\nDua."


async def test_two_transfers_of_different_files_to_one_upload_leave_one_whole_file_whose_hash_is_recorded(bench):
    """Two phones (or a phone and a retry gone astray) send different files to the same upload at
    the same moment: one transfer gets it, the other is told where it stands, and the stored
    bytes are exactly the winner's, with their own hash recorded."""
    await bench.open()
    outcomes = []
    for round_ in range(8):
        first, second = mp4(300_000 + round_), mp4(300_000 + round_)  # same size, different bytes
        upload = await bench.start(f"v{round_}.mp4", len(first), "video")
        answers = await asyncio.gather(bench.send(upload, first), bench.send(upload, second))
        statuses = sorted(a.status_code for a in answers)
        outcomes.append(statuses)
        assert statuses == [200, 409], [a.text[:200] for a in answers]
        [won] = [content for content, a in zip((first, second), answers, strict=True) if a.status_code == 200]
        asset = next(a for a in answers if a.status_code == 200).json()["asset"]
        stored = await bench.call(DEWI, "GET", f"/assets/{asset['asset_id']}")
        assert hashlib.sha256(stored.content).hexdigest() == asset["sha256"] == hashlib.sha256(won).hexdigest()
    print(f"checked: 8 races of two files for one upload, each {outcomes[0]}; stored bytes match their hash")


async def test_a_transfer_that_read_the_upload_before_another_finished_does_not_write_over_it(bench, monkeypatch):
    """The race a probe found: the second transfer reads where the upload stands while the first
    still runs, and reaches for the upload only after the first has stored the whole file. It
    must not get the upload, or it writes its bytes over the stored ones (the recorded hash then
    matching neither)."""
    await bench.open()
    first, second = mp4(400_000), mp4(400_000)
    upload = await bench.start("v.mp4", len(first), "video")
    calls = 0

    async def second_comes_late(name: str) -> None:
        nonlocal calls
        calls += 1
        if name == "upload.before_lease" and calls == 2:
            await asyncio.sleep(1.0)  # the first transfer stores and completes meanwhile

    async def trickled(content: bytes):
        for at in range(0, len(content), 100_000):
            yield content[at : at + 100_000]
            await asyncio.sleep(0.05)

    monkeypatch.setattr(uploads_module, "slow_point", second_comes_late)
    one = asyncio.create_task(bench.send(upload, trickled(first)))
    await asyncio.sleep(0.05)  # the first holds the upload and is sending
    other = asyncio.create_task(bench.send(upload, second))
    answers = [await one, await other]
    assert [a.status_code for a in answers] == [200, 409], [a.text[:200] for a in answers]
    asset = answers[0].json()["asset"]
    stored = (await bench.call(DEWI, "GET", f"/assets/{asset['asset_id']}")).content
    assert hashlib.sha256(stored).hexdigest() == asset["sha256"] == hashlib.sha256(first).hexdigest()


async def test_a_half_sent_upload_holds_back_the_submission_naming_it_and_can_be_given_up(bench):
    """Submitting past an upload still arriving would strand it (its rest could no longer be
    taken); the team is told which, and may cancel it in any state of the workspace."""
    await bench.open(needs_video=False)
    await bench.ok(DEWI, "PUT", f"/coverage/{bench.rid}/draft", json=DRAFT)
    await bench.upload("foto.jpg", jpeg(), "photo")
    video = mp4(200_000)
    chunks = await bench.db["media.chunks"].count_documents({})
    upload = await bench.start("setengah.mp4", len(video), "video")
    assert (await bench.send(upload, video[:100_000])).json()["state"] == "receiving"
    refused = await bench.refused(409, DEWI, "POST", f"/coverage/{bench.rid}/submissions", json={})
    assert "setengah.mp4 (49.9 %)" in refused["message"]
    assert refused["fields"][0]["field"] == f"uploads.{upload['upload_id']}"

    path = f"/coverage/{bench.rid}/uploads/{upload['upload_id']}"
    await bench.refused(403, OUTSIDER, "DELETE", path)
    assert (await bench.call(DEWI, "DELETE", path)).status_code == 204
    assert (await bench.call(DEWI, "GET", path)).status_code == 404
    assert await bench.db["media.chunks"].count_documents({}) == chunks  # nothing of it kept
    await bench.ok(DEWI, "POST", f"/coverage/{bench.rid}/submissions", 201, json={})
