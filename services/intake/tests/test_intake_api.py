"""Steps 1 and 2 over intake's HTTP API, against the real database and event stream."""

import asyncio
import hashlib
import io
import itertools
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pypdf
import pytest
from PIL import Image

from warta.contracts import DispositionIssued, RequestCorrected, RequestReceived, Role
from warta.devstack import samples
from warta.devstack.pytest_plugin import ServiceCaller, eventually, running_app, with_field
from warta.devstack.servers import free_port
from warta.intake.app import IntakeSettings, create_app
from warta.runtime.indonesian import JAKARTA

ADMIN = (Role.ADMIN, "siti")
HEAD = (Role.SECTION_HEAD, "hendra")
LEAD = (Role.TEAM_LEAD, "rina")

_numbers = itertools.count(1)

PDF_BYTES = samples.pdf(2)
PNG_BYTES = samples.png(800, 1100)
JPEG_BYTES = samples.jpeg(800, 1100)


# Requests are for events still to come: a week from the day the tests run.
NEXT_WEEK = datetime.combine(datetime.now(JAKARTA).date() + timedelta(days=7), time(9), tzinfo=JAKARTA)


def registration(
    *,
    number: str | None = None,
    sender: str = "Dinas Kesehatan",
    subject: str = "Permohonan peliputan peluncuran Posyandu Digital",
    received_at: datetime | None = None,
    starts_at: datetime = NEXT_WEEK,
    hours: float = 2,
    leader: str = "wali_kota",
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "letter": {
            "number": number or f"005/{next(_numbers)}-Dinkes/2026",
            "date": (received_at.astimezone(JAKARTA).date() if received_at else date(2026, 11, 20)).isoformat(),
            "sender": sender,
            "sender_kind": "opd",
            "subject": subject,
            "nature": "segera",
            "confidential": False,
        },
        "event": {
            "title": "Peluncuran Posyandu Digital",
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + timedelta(hours=hours)).isoformat(),
            "location": "Pusat Pemerintahan Kota Tangerang",
            "leader": leader,
        },
        "contact": {"name": "Ani Rahmawati", "phone": "0812-3456-7890", "position": "Kasubag Umum"},
        **extra,
    }
    if received_at is not None:
        body["received_at"] = received_at.isoformat()
    return body


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


class Office(ServiceCaller):
    """The intake service and the officers who use it, in one test's namespace."""

    async def register(self, body: dict[str, Any] | None = None, **kwargs) -> dict[str, Any]:
        r = await self.call(ADMIN, "POST", "/requests", json=body or registration(**kwargs))
        assert r.status_code == 201, r.text
        return r.json()

    async def issue_sheet(self, request_id: str) -> bytes:
        r = await self.call(ADMIN, "POST", f"/requests/{request_id}/disposition-sheet")
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/pdf"
        return r.content

    async def dispose(self, request_id: str, instructions=("liput_dan_publikasikan",), notes=None) -> dict[str, Any]:
        body = {"instructions": list(instructions), "notes": notes}
        r = await self.call(HEAD, "POST", f"/requests/{request_id}/disposition", json=body)
        assert r.status_code == 200, r.text
        return r.json()

    async def upload(self, content: bytes, officer=ADMIN, **kwargs):
        return await self.call(officer, "POST", "/scans", content=content, **kwargs)

    async def events(self) -> list:
        return await self.ns.events()


@pytest.fixture
async def office(namespace, mongo):
    app = create_app(namespace.settings(IntakeSettings))
    async with running_app(app) as client:
        yield Office(app, client, namespace, mongo[namespace.database("intake")])


async def test_a_letter_goes_from_register_to_disposition(office):
    received = datetime.now(UTC) - timedelta(minutes=42)
    request = await office.register(received_at=received)
    year = received.astimezone(JAKARTA).year
    assert request["agenda_number"] == f"0001/PROKOPIM/{year}"
    assert request["state"] == "registered"
    assert request["registered_by"] == "siti"
    assert request["contact"]["name"] == "Ani Rahmawati"

    # Step 1 is not done until the disposition sheet is issued: nothing is announced yet.
    r = await office.call(HEAD, "POST", f"/requests/{request['id']}/disposition", json={"instructions": ["hadiri"]})
    assert r.status_code == 409, r.text
    assert await office.events() == []

    sheet = await office.issue_sheet(request["id"])
    text = pdf_text(sheet)
    assert "LEMBAR DISPOSISI" in text
    assert request["agenda_number"] in text
    assert request["letter"]["number"] in text
    assert "Dinas Kesehatan (OPD)" in text
    day = NEXT_WEEK.date()
    hari = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")[day.weekday()]
    bulan = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober")
    bulan += ("November", "Desember")
    assert f"{hari}, {day.day} {bulan[day.month - 1]} {day.year}, 09.00 s.d. 11.00 WIB" in text
    assert "Belum ada keputusan" in text
    assert "DRAF" not in text

    received_event = await eventually(lambda: _first(office.events(), RequestReceived))
    assert received_event.data.agenda_number == request["agenda_number"]
    assert abs(received_event.data.received_at - received) < timedelta(milliseconds=1)

    # Issuing the sheet again prints it again; the step ended the first time.
    await office.issue_sheet(request["id"])
    stored = (await office.call(ADMIN, "GET", f"/requests/{request['id']}")).json()
    assert stored["state"] == "awaiting_disposition"
    assert stored["sheet"]["issued_by"] == "siti"

    disposed = await office.dispose(request["id"], ("liput_dan_publikasikan", "hadiri"), "Siapkan siaran langsung.")
    assert disposed["state"] == "disposed"
    issued = await eventually(lambda: _first(office.events(), DispositionIssued))
    assert [i.value for i in issued.data.instructions] == ["liput_dan_publikasikan", "hadiri"]
    assert issued.data.notes == "Siapkan siaran langsung."
    assert [e.type for e in await office.events()] == [RequestReceived.event_type(), DispositionIssued.event_type()]

    reprint = await office.call(LEAD, "GET", f"/requests/{request['id']}/disposition-sheet")
    assert reprint.status_code == 200
    text = pdf_text(reprint.content)
    assert "Diteruskan pada" in text
    assert "oleh hendra" in text
    assert "Siapkan siaran langsung." in text

    metrics = (await office.client.get("/metrics")).text
    assert 'warta_sop_step_duration_seconds_count{sop="58/2025",step="1"} 1.0' in metrics
    assert 'warta_sop_step_duration_seconds_count{sop="58/2025",step="2"} 1.0' in metrics
    # 42 minutes is within step 1's 60: the sheet counts from the letter's arrival, not its entry.
    assert 'warta_sop_steps_completed_total{outcome="within",sop="58/2025",step="1"} 1.0' in metrics


async def test_a_cluster_given_as_a_list_of_servers_is_reached_through_any_one_of_them(namespace, mongo):
    # The first server named answers nothing, as a NATS node that is down would.
    servers = f"nats://127.0.0.1:{free_port()},{namespace.servers.nats_url}"
    app = create_app(namespace.settings(IntakeSettings, nats_url=servers))
    async with running_app(app) as client:
        office = Office(app, client, namespace, mongo[namespace.database("intake")])
        request = await office.register()
        await office.issue_sheet(request["id"])
        received = await eventually(lambda: _first(office.events(), RequestReceived))
    assert received.data.agenda_number == request["agenda_number"]


async def _first(events, cls):
    return next((e for e in await events if isinstance(e, cls)), None)


async def test_a_draft_sheet_can_be_printed_before_it_is_issued_and_changes_nothing(office):
    request = await office.register()
    before = await office.settled()
    r = await office.call(ADMIN, "GET", f"/requests/{request['id']}/disposition-sheet")
    assert r.status_code == 200
    assert "DRAF" in pdf_text(r.content)
    assert await office.settled() == before


async def test_declining_ends_the_request(office):
    request = await office.register()
    await office.issue_sheet(request["id"])
    r = await office.call(HEAD, "POST", f"/requests/{request['id']}/decline", json={"reason": "Jadwal bentrok."})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "declined"
    await office.refused(409, HEAD, "POST", f"/requests/{request['id']}/disposition", json={"instructions": ["hadiri"]})
    text = pdf_text((await office.call(ADMIN, "GET", f"/requests/{request['id']}/disposition-sheet")).content)
    assert "Ditolak pada" in text
    assert "Jadwal bentrok." in text


async def test_received_time_defaults_to_now_and_may_not_lie_in_the_future(office):
    before = datetime.now(UTC)
    request = await office.register()
    assert before - timedelta(seconds=1) <= datetime.fromisoformat(request["received_at"]) <= datetime.now(UTC)

    future = datetime.now(UTC) + timedelta(hours=1)
    await office.refused(422, ADMIN, "POST", "/requests", json=registration(received_at=future), field="received_at")
    late_letter = with_field(
        registration(received_at=datetime(2026, 11, 19, 10, tzinfo=JAKARTA)), "letter.date", "2026-11-20"
    )
    await office.refused(422, ADMIN, "POST", "/requests", json=late_letter, field="letter.date")


async def test_agenda_numbers_stay_gap_free_under_concurrent_registration(office):
    distinct = [registration() for _ in range(12)]
    same_letter = registration(number="900/1/2026")
    results = await asyncio.gather(
        *(office.call(ADMIN, "POST", "/requests", json=body) for body in [*distinct, *[same_letter] * 4])
    )
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201] * 13 + [409] * 3, [r.text for r in results if r.status_code not in (201, 409)]
    numbers = sorted(r.json()["agenda_number"] for r in results if r.status_code == 201)
    year = datetime.now(UTC).astimezone(JAKARTA).year
    assert numbers == [f"{n:04d}/PROKOPIM/{year}" for n in range(1, 14)]

    # The refused duplicates consumed no number: the next registration takes 14.
    assert (await office.register())["agenda_number"] == f"0014/PROKOPIM/{year}"


def counting_number_takes(office, *, hold_first: float) -> list[int]:
    """How many numbers each transaction took, in order; the first held open ``hold_first``
    seconds, so that registrations sent with it arrive while it writes."""
    store = office.app.state.handlers._store
    take, takes = store.next_agenda_sequence, []

    async def counted(tx, year, *, count=1):
        takes.append(count)
        if len(takes) == 1:
            await asyncio.sleep(hold_first)
        return await take(tx, year, count=count)

    store.next_agenda_sequence = counted
    return takes


async def test_registrations_that_arrive_together_take_their_numbers_in_one_transaction(office):
    """While one registration writes, those that arrive wait and go into the next transaction
    together: a hundred at once wait a few transactions, not a hundred."""
    takes = counting_number_takes(office, hold_first=0.3)
    results = await asyncio.gather(*(office.call(ADMIN, "POST", "/requests", json=registration()) for _ in range(12)))
    assert [r.status_code for r in results] == [201] * 12, [r.text for r in results]
    year = datetime.now(UTC).astimezone(JAKARTA).year
    numbers = sorted(r.json()["agenda_number"] for r in results)
    assert numbers == [f"{n:04d}/PROKOPIM/{year}" for n in range(1, 13)]
    assert sum(takes) == 12
    assert takes[0] == 1
    assert max(takes) > 1, f"numbers taken {takes}: each registration in its own transaction"
    # Each request is whole and findable: its postings were written with it.
    found = await office.call(ADMIN, "GET", "/requests", params={"q": "posyandu", "limit": 50})
    assert found.json()["total"] == 12


async def while_the_first_writes(office, first: dict[str, Any], rest: list[dict[str, Any]]) -> tuple[list, list[int]]:
    """Registers ``first``, and ``rest`` while its transaction is held open: they wait and go
    together. The answers in that order, and how many numbers each transaction took."""
    takes = counting_number_takes(office, hold_first=0.5)
    writing = asyncio.create_task(office.call(ADMIN, "POST", "/requests", json=first))
    await asyncio.sleep(0.1)
    results = await asyncio.gather(writing, *(office.call(ADMIN, "POST", "/requests", json=body) for body in rest))
    return results, takes


async def test_a_registration_refused_among_others_sent_with_it_leaves_their_numbers_gap_free(office):
    """A scan already attached fails the transaction the registrations share; each is then
    written alone and gets its own answer."""
    scan = (await office.upload(PDF_BYTES)).json()
    first = await office.register(scan_id=scan["scan_id"])
    rest = [registration() for _ in range(5)]
    rest[2] = registration(scan_id=scan["scan_id"])
    results, takes = await while_the_first_writes(office, registration(), rest)
    assert [r.status_code for r in results] == [201, 201, 201, 422, 201, 201], [r.text for r in results]
    assert [f["field"] for f in results[3].json()["fields"]] == ["scan_id"]
    year = datetime.now(UTC).astimezone(JAKARTA).year
    numbers = sorted(r.json()["agenda_number"] for r in results if r.status_code == 201)
    assert numbers == [f"{n:04d}/PROKOPIM/{year}" for n in range(2, 7)]
    # Five numbers kept, and the refused one's own attempt: any more were taken by a transaction
    # of several that was refused and written again one by one.
    assert sum(takes) > 6, f"numbers taken {takes}: the refused registration was never in a batch"
    scanned = await office.call(LEAD, "GET", f"/requests/{first['id']}")
    assert scanned.json()["scan"]["scan_id"] == scan["scan_id"]


async def test_registrations_of_two_years_written_together_are_numbered_in_each_year(office):
    new_year = datetime(2026, 1, 1, 0, 15, tzinfo=JAKARTA)
    old_year = datetime(2025, 12, 31, 23, 30, tzinfo=JAKARTA)
    years = [old_year, new_year, old_year, new_year]
    results, takes = await while_the_first_writes(
        office, registration(received_at=new_year), [registration(received_at=at) for at in years]
    )
    assert [r.status_code for r in results] == [201] * 5, [r.text for r in results]
    numbers = [r.json()["agenda_number"] for r in results]
    assert numbers[0] == "0001/PROKOPIM/2026"
    assert sorted(numbers[1:]) == sorted(
        ["0001/PROKOPIM/2025", "0002/PROKOPIM/2025", "0002/PROKOPIM/2026", "0003/PROKOPIM/2026"]
    )
    for at, number in zip(years, numbers[1:], strict=True):
        assert number.endswith(f"/{at.year}"), (at, number)
    assert sum(takes) == 5
    assert len(takes) < 5, f"numbers taken {takes}: each registration in its own transaction"


async def test_the_register_numbers_each_year_from_one(office):
    first = await office.register(received_at=datetime(2025, 12, 31, 23, 30, tzinfo=JAKARTA))
    second = await office.register(received_at=datetime(2026, 1, 1, 0, 15, tzinfo=JAKARTA))
    third = await office.register(received_at=datetime(2025, 12, 31, 16, 59, tzinfo=UTC))  # 23.59 WIB
    assert [first["agenda_number"], second["agenda_number"], third["agenda_number"]] == [
        "0001/PROKOPIM/2025",
        "0001/PROKOPIM/2026",
        "0002/PROKOPIM/2025",
    ]


async def test_a_scan_named_so_that_it_reads_backwards_is_refused_and_nothing_is_kept(office):
    """The scan's name is under the text policy of every name typed into Warta."""
    for name, rule in (("surat\u202efdp.exe", "bidi_control"), ("surat\x07.pdf", "control_character")):
        body = await office.refused(
            422, ADMIN, "POST", "/scans", content=b"%PDF-1.4", params={"filename": name}, field="query.filename"
        )
        assert [f["type"] for f in body["fields"]] == [rule]


async def test_the_agenda_numbers_of_many_requests_come_in_one_call(office):
    """As other services' lists need them: in the order named, once each, unknown ids left out,
    at most 200 a call."""
    made = [await office.register(received_at=datetime(2026, 3, day, 9, 0, tzinfo=JAKARTA)) for day in (2, 3, 4)]
    wanted = [made[2]["id"], "tidak-ada", made[0]["id"], made[2]["id"]]
    r = await office.call(LEAD, "GET", "/requests/numbers", params={"id": wanted})
    assert r.status_code == 200, r.text
    assert r.json() == [
        {"id": made[2]["id"], "agenda_number": made[2]["agenda_number"], "event_title": made[2]["event"]["title"]},
        {"id": made[0]["id"], "agenda_number": made[0]["agenda_number"], "event_title": made[0]["event"]["title"]},
    ]
    for params in ({}, {"id": [f"r{n}" for n in range(201)]}):
        r = await office.call(LEAD, "GET", "/requests/numbers", params=params)
        assert r.status_code == 422, r.text
        assert [f["field"] for f in r.json()["fields"]] == ["query.id"]


async def test_the_same_letter_from_the_same_sender_is_refused_naming_the_existing_request(office):
    first = await office.register(number="170/5/2026", sender="Sekretariat DPRD")
    again = registration(number=" 170/5/2026 ", sender="sekretariat  dprd")
    body = await office.refused(409, ADMIN, "POST", "/requests", json=again, field="letter.number")
    assert first["agenda_number"] in body["message"]
    assert first["id"] in body["message"]
    # The same number from another sender is another letter.
    await office.register(number="170/5/2026", sender="Dinas Pendidikan")


# -- the scanned letter ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "content_type"), [(PDF_BYTES, "application/pdf"), (PNG_BYTES, "image/png"), (JPEG_BYTES, "image/jpeg")]
)
async def test_a_scan_is_typed_from_its_bytes_and_read_back_whole(office, content, content_type):
    # The claimed type is ignored: the bytes decide.
    r = await office.upload(content, params={"filename": "surat.bin"}, headers={"Content-Type": "text/plain"})
    assert r.status_code == 201, r.text
    scan = r.json()
    assert scan["content_type"] == content_type
    assert scan["size"] == len(content)
    assert scan["sha256"] == hashlib.sha256(content).hexdigest()

    request = await office.register(scan_id=scan["scan_id"])
    assert request["scan"]["scan_id"] == scan["scan_id"]
    back = await office.call(LEAD, "GET", f"/requests/{request['id']}/scan")
    assert back.status_code == 200
    assert back.headers["content-type"] == content_type
    assert back.content == content

    # A scan belongs to one request.
    await office.refused(422, ADMIN, "POST", "/requests", json=registration(scan_id=scan["scan_id"]), field="scan_id")


async def test_a_scan_large_in_chunks_is_stored_without_holding_it_in_memory(office):
    import tracemalloc

    scan = samples.pdf(3, padding=19 * 1024 * 1024)
    chunk = 256 * 1024

    async def body():
        for start in range(0, len(scan), chunk):
            yield scan[start : start + chunk]

    tracemalloc.start()
    try:
        r = await office.upload(body())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.status_code == 201, r.text
    assert r.json()["size"] == len(scan)
    # The whole file is 19 MB; streaming keeps a few chunks at a time, and reading it whole before
    # it is kept works from a copy on disk.
    assert peak < 6 * 1024 * 1024, f"peak traced memory {peak / 2**20:.1f} MiB while storing a 19 MiB scan"


async def test_bad_scans_are_refused_and_leave_nothing_stored(office):
    async def streamed(total: int):
        yield PDF_BYTES
        sent = len(PDF_BYTES)
        while sent < total:
            piece = min(1024 * 1024, total - sent)
            yield b"\x00" * piece
            sent += piece

    too_big = 20 * 1024 * 1024 + 1
    # No Content-Length (chunked): refused while streaming.
    await office.refused(413, ADMIN, "POST", "/scans", content=streamed(too_big), field="scan")
    # A declared Content-Length over the limit is refused before a byte is stored.
    await office.refused(
        413, ADMIN, "POST", "/scans", content=b"%PDF-", headers={"Content-Length": str(too_big)}, field="scan"
    )
    await office.refused(415, ADMIN, "POST", "/scans", content=b"GIF89a" + bytes(100), field="scan")
    await office.refused(415, ADMIN, "POST", "/scans", content=b"%PD", field="scan")
    await office.refused(422, ADMIN, "POST", "/scans", content=b"", field="scan")
    await office.refused(403, LEAD, "POST", "/scans", content=PDF_BYTES)
    # Exactly 20 MB is allowed.
    r = await office.upload(samples.pdf_of_size(20 * 1024 * 1024))
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(PDF_BYTES[: len(PDF_BYTES) * 2 // 3], "incomplete", id="truncated-pdf"),
        pytest.param(b"%PDF-1.4\n" + bytes(2000) + b"\n%%EOF\n", "cannot be read", id="pdf-in-name-only"),
        pytest.param(JPEG_BYTES[: len(JPEG_BYTES) // 2], "incomplete or damaged", id="truncated-jpeg"),
        pytest.param(PNG_BYTES[:-40], "incomplete or damaged", id="truncated-png"),
        pytest.param(samples.png_bomb(), "pixels than the 100,000,000 allowed", id="900-megapixel-png"),
    ],
)
async def test_a_scan_that_only_looks_like_its_type_is_refused_with_why_and_leaves_nothing(office, content, reason):
    """A scan is read whole, as the type its first bytes claim, before it is kept."""
    body = await office.refused(422, ADMIN, "POST", "/scans", content=content, field="scan")
    assert reason in body["fields"][0]["message"]


async def test_the_scan_of_a_confidential_letter_stays_with_the_office(office):
    scan = (await office.upload(PDF_BYTES)).json()
    request = await office.register(with_field(registration(scan_id=scan["scan_id"]), "letter.confidential", True))
    assert (await office.call(HEAD, "GET", f"/requests/{request['id']}/scan")).status_code == 200
    await office.refused(403, LEAD, "GET", f"/requests/{request['id']}/scan")


async def test_unattached_scans_are_discarded_after_a_day(office, mongo):
    stale = (await office.upload(PDF_BYTES)).json()
    await office.db.scans.update_one(
        {"_id": stale["scan_id"]}, {"$set": {"uploaded_at": datetime.now(UTC) - timedelta(days=2)}}
    )
    fresh = (await office.upload(PNG_BYTES)).json()
    ids = {doc["_id"] for doc in await office.db.scans.find().to_list(None)}
    assert ids == {fresh["scan_id"]}
    assert await office.db["letter_scans.files"].count_documents({}) == 1


# -- corrections -------------------------------------------------------------------------------


async def test_corrections_are_kept_with_who_and_when_until_the_disposition(office):
    body = registration()
    request = await office.register(body)
    letter = {**body["letter"], "subject": "Permohonan peliputan dan publikasi"}
    event = {**body["event"], "location": "Gedung Cisadane"}
    r = await office.call(ADMIN, "PATCH", f"/requests/{request['id']}", json={"letter": letter, "event": event})
    assert r.status_code == 200, r.text
    corrected = r.json()
    assert corrected["letter"]["subject"] == "Permohonan peliputan dan publikasi"
    [correction] = corrected["corrections"]
    assert correction["corrected_by"] == "siti"
    assert {c["field"]: (c["before"], c["after"]) for c in correction["changes"]} == {
        "letter.subject": (body["letter"]["subject"], "Permohonan peliputan dan publikasi"),
        "event.location": ("Pusat Pemerintahan Kota Tangerang", "Gedung Cisadane"),
    }
    # Nothing was announced before the sheet; nothing changes when nothing differs.
    r = await office.call(ADMIN, "PATCH", f"/requests/{request['id']}", json={"letter": letter})
    assert len(r.json()["corrections"]) == 1

    await office.issue_sheet(request["id"])
    r = await office.call(ADMIN, "PATCH", f"/requests/{request['id']}", json={"contact": None})
    assert r.status_code == 200, r.text
    assert r.json()["contact"] is None
    event_after = await eventually(lambda: _first(office.events(), RequestCorrected))
    assert event_after.data.changed == ("contact.name", "contact.phone", "contact.position")
    assert event_after.data.letter.subject == "Permohonan peliputan dan publikasi"

    await office.dispose(request["id"])
    await office.refused(409, ADMIN, "PATCH", f"/requests/{request['id']}", json={"event": body["event"]})


async def test_a_correction_cannot_make_a_duplicate_or_an_impossible_letter(office):
    taken = await office.register(number="1/A/2026")
    body = registration(number="2/A/2026")
    request = await office.register(body)
    path = f"/requests/{request['id']}"
    renumbered = {**body["letter"], "number": "1/a/2026"}
    message = (await office.refused(409, ADMIN, "PATCH", path, json={"letter": renumbered}))["message"]
    assert taken["agenda_number"] in message
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    await office.refused(422, ADMIN, "PATCH", path, json={"received_at": future}, field="received_at")
    await office.refused(422, ADMIN, "PATCH", path, json={"letter": None}, field="letter")
    await office.refused(422, ADMIN, "PATCH", path, json={"scan_id": "nope"}, field="scan_id")
    await office.refused(403, HEAD, "PATCH", path, json={"letter": renumbered})
    await office.refused(404, ADMIN, "PATCH", "/requests/nope", json={"letter": renumbered})


async def test_a_correction_can_replace_the_scan(office):
    first = (await office.upload(PDF_BYTES)).json()
    second = (await office.upload(PNG_BYTES)).json()
    request = await office.register(scan_id=first["scan_id"])
    r = await office.call(ADMIN, "PATCH", f"/requests/{request['id']}", json={"scan_id": second["scan_id"]})
    assert r.status_code == 200, r.text
    [change] = r.json()["corrections"][0]["changes"]
    assert change == {"field": "scan", "before": first["scan_id"], "after": second["scan_id"]}
    assert (await office.call(ADMIN, "GET", f"/requests/{request['id']}/scan")).content == PNG_BYTES


# -- queries -----------------------------------------------------------------------------------


async def test_the_register_is_searched_by_number_sender_subject_dates_and_state(office):
    def on(day: int) -> datetime:
        return datetime(2026, 11, day, 10, tzinfo=JAKARTA)

    a = await office.register(
        number="A-1", sender="Dinas Kesehatan", subject="Peluncuran Posyandu Digital", received_at=on(2)
    )
    b = await office.register(
        number="B-7", sender="Dinas Pendidikan", subject="Wisuda Sekolah Digital", received_at=on(9)
    )
    c = await office.register(number="C-3", sender="Kecamatan Cipondoh", subject="Festival Kuliner", received_at=on(16))
    await office.issue_sheet(b["id"])

    async def found(**params) -> list[str]:
        r = await office.call(LEAD, "GET", "/requests", params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        assert page["total"] >= len(page["items"])
        return [item["letter"]["number"] for item in page["items"]]

    assert await found() == ["C-3", "B-7", "A-1"]  # newest registration first
    assert await found(agenda_number=b["agenda_number"]) == ["B-7"]
    assert await found(agenda_number="1") == ["A-1"]
    assert await found(letter_number="b-7") == ["B-7"]
    assert await found(sender="dinas") == ["B-7", "A-1"]
    assert await found(q="digital posyandu") == ["A-1"]
    assert await found(q="digital") == ["B-7", "A-1"]
    assert await found(received_from="2026-11-09", received_to="2026-11-16") == ["C-3", "B-7"]
    assert await found(received_to="2026-11-08") == ["A-1"]
    assert await found(state="awaiting_disposition") == ["B-7"]
    assert await found(state="registered", sender="dinas") == ["A-1"]
    assert await found(q="(") == []  # words are text, not patterns

    r = await office.call(LEAD, "GET", "/requests", params={"limit": 2, "offset": 1})
    assert r.json()["total"] == 3
    assert [i["id"] for i in r.json()["items"]] == [b["id"], a["id"]]
    assert c["agenda_number"] in {
        i["agenda_number"] for i in (await office.call(LEAD, "GET", "/requests")).json()["items"]
    }


async def test_each_role_sees_what_waits_for_it_with_the_age_of_its_step(office):
    old = await office.register(received_at=datetime.now(UTC) - timedelta(minutes=90))
    new = await office.register(received_at=datetime.now(UTC) - timedelta(minutes=5))
    handed = await office.register(received_at=datetime.now(UTC) - timedelta(minutes=10))
    await office.issue_sheet(handed["id"])

    admin = (await office.call(ADMIN, "GET", "/inbox")).json()
    assert [(e["request"]["id"], e["step"], e["standard_minutes"], e["overdue"]) for e in admin] == [
        (old["id"], 1, 60, True),
        (new["id"], 1, 60, False),
    ]
    assert 89 <= admin[0]["age_minutes"] <= 92

    head = (await office.call(HEAD, "GET", "/inbox")).json()
    assert [(e["request"]["id"], e["step"], e["standard_minutes"], e["overdue"]) for e in head] == [
        (handed["id"], 2, 30, False)
    ]
    assert (await office.call(LEAD, "GET", "/inbox")).json() == []


async def test_the_section_head_sees_which_accepted_events_overlap(office):
    nine = NEXT_WEEK + timedelta(days=1)
    accepted = await office.register(starts_at=nine, hours=2, leader="wali_kota")
    await office.issue_sheet(accepted["id"])
    await office.dispose(accepted["id"])
    other_leader = await office.register(starts_at=nine + timedelta(hours=1, minutes=30), hours=1, leader="sekda")
    await office.issue_sheet(other_leader["id"])
    await office.dispose(other_leader["id"])
    await office.register(starts_at=nine, hours=3, leader="wali_kota")  # not accepted: no clash

    asked = await office.register(starts_at=nine + timedelta(hours=1), hours=1, leader="wali_kota")
    r = await office.call(HEAD, "GET", f"/requests/{asked['id']}/clashes")
    assert r.status_code == 200, r.text
    assert [(c["request_id"], c["same_leader"]) for c in r.json()] == [
        (accepted["id"], True),
        (other_leader["id"], False),
    ]
    # Starting as the accepted event ends is no clash; the other leader's event still overlaps.
    touching = await office.register(starts_at=nine + timedelta(hours=2), hours=1, leader="wali_kota")
    assert [
        c["request_id"] for c in (await office.call(HEAD, "GET", f"/requests/{touching['id']}/clashes")).json()
    ] == [other_leader["id"]]


# -- refusals ----------------------------------------------------------------------------------

BAD_REGISTRATIONS = [
    ("letter.date", "letter.date", "20-11-2026"),
    ("event.starts_at", "event.starts_at", "besok pagi"),
    ("event.ends_at", "event.ends_at", (NEXT_WEEK - timedelta(hours=1)).isoformat()),  # before the start
    ("event.starts_at", "event.starts_at", NEXT_WEEK.replace(tzinfo=None).isoformat()),  # no time zone
    ("received_at", "received_at", "2026-13-01T00:00:00+07:00"),
    ("event.leader", "event.leader", "gubernur"),
    ("letter.nature", "letter.nature", "kilat"),
    ("letter.sender_kind", "letter.sender_kind", "swasta"),
    ("letter.number", "letter.number", ...),
    ("letter.sender_kind", "letter.sender_kind", ...),
    ("event", "event", ...),
    ("letter.subject", "letter.subject", ""),
    ("contact.phone", "contact.phone", "call me"),
    ("scan_id", "scan_id", "x" * 65),
]


@pytest.mark.parametrize(
    ("field", "path", "value"), BAD_REGISTRATIONS, ids=[f"{p}={v!r}"[:40] for _, p, v in BAD_REGISTRATIONS]
)
async def test_bad_registrations_name_the_field_and_change_nothing(office, field, path, value):
    await office.refused(422, ADMIN, "POST", "/requests", json=with_field(registration(), path, value), field=field)


async def test_only_the_admin_registers_and_only_the_section_head_decides(office):
    await office.refused(403, HEAD, "POST", "/requests", json=registration())
    r = await office.client.post("/requests", json=registration())
    assert r.status_code == 401, r.text
    request = await office.register()
    path = f"/requests/{request['id']}"
    await office.refused(403, HEAD, "POST", f"{path}/disposition-sheet")
    await office.issue_sheet(request["id"])
    await office.refused(403, ADMIN, "POST", f"{path}/disposition", json={"instructions": ["hadiri"]})
    await office.refused(403, LEAD, "POST", f"{path}/decline", json={"reason": "x"})
    await office.refused(422, HEAD, "POST", f"{path}/disposition", json={"instructions": []}, field="instructions")
    await office.refused(
        422, HEAD, "POST", f"{path}/disposition", json={"instructions": ["lanjutkan"]}, field="instructions.0"
    )
    await office.refused(422, HEAD, "POST", f"{path}/decline", json={"reason": ""}, field="reason")
    await office.refused(404, HEAD, "POST", "/requests/nope/disposition", json={"instructions": ["hadiri"]})


async def test_bad_search_parameters_name_the_field(office):
    for params, field in [
        ({"received_from": "kemarin"}, "received_from"),
        ({"received_from": "2026-11-10", "received_to": "2026-11-01"}, "received_to"),
        ({"state": "lost"}, "state"),
        ({"limit": 0}, "limit"),
    ]:
        r = await office.call(LEAD, "GET", "/requests", params=params)
        assert r.status_code == 422, r.text
        assert field in [f["field"].removeprefix("query.") for f in r.json()["fields"]], r.json()


async def test_a_letter_for_an_event_long_over_is_refused_naming_its_end(office):
    years_ago = registration(starts_at=datetime(2023, 5, 2, 9, tzinfo=JAKARTA))
    body = await office.refused(422, ADMIN, "POST", "/requests", json=years_ago, field="event.ends_at")
    assert "can no longer be covered" in body["fields"][0]["message"]
    yesterday = registration(starts_at=datetime.now(JAKARTA) - timedelta(hours=20), hours=2)
    assert (await office.call(ADMIN, "POST", "/requests", json=yesterday)).status_code == 201  # late, within a day


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("letter.sender", "Dinas \u202efdp.exe\u202c Pendidikan", "bidi_control"),
        ("letter.subject", "Undangan\x00peliputan", "control_character"),
        ("letter.number", "005/1\n2026", "line_break"),
        ("event.title", "Rapat \u2066Paripurna\u2069", "bidi_control"),
        ("contact.name", "Ani\u2028Rahmawati", "invisible_character"),
    ],
)
async def test_text_that_hides_or_turns_around_what_it_says_is_refused_and_changes_nothing(office, field, value, kind):
    body = await office.refused(
        422, ADMIN, "POST", "/requests", json=with_field(registration(), field, value), field=field
    )
    assert [f["type"] for f in body["fields"]] == [kind]


async def test_the_limits_an_operator_sets_in_the_environment_are_the_ones_applied(namespace, mongo, monkeypatch):
    """``WARTA_IMAGE_MAX_PIXELS`` and ``WARTA_LATE_REGISTRATION_HOURS``, as the deployment's
    ConfigMap sets them: a scan over the operator's pixels and a letter for an event over for
    longer than the operator's hours are refused, each with its limit; within them, both are taken."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)  # put back for the next test
    monkeypatch.setenv("WARTA_IMAGE_MAX_PIXELS", "1000000")
    monkeypatch.setenv("WARTA_LATE_REGISTRATION_HOURS", "1")
    app = create_app(namespace.settings(IntakeSettings))
    async with running_app(app) as client:
        office = Office(app, client, namespace, mongo[namespace.database("intake")])
        body = await office.refused(422, ADMIN, "POST", "/scans", content=samples.jpeg(1250, 1000), field="scan")
        assert "1,000,000 allowed" in body["fields"][0]["message"]
        assert (await office.upload(samples.jpeg(1000, 1000))).status_code == 201

        now = datetime.now(UTC)
        over_for_two_hours = registration(starts_at=now - timedelta(hours=3), hours=1)
        body = await office.refused(422, ADMIN, "POST", "/requests", json=over_for_two_hours, field="event.ends_at")
        assert body["fields"][0]["type"] == "event_over"
        assert body["fields"][0]["limits"]["hours"] == "1"
        over_for_half_an_hour = registration(starts_at=now - timedelta(hours=1, minutes=30), hours=1)
        assert (await office.register(over_for_half_an_hour))["state"] == "registered"
