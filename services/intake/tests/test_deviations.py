"""A step finished over its standard leaves a deviation naming the officer, which supervisors list
and export per month and officer, and which only that officer explains, once. Shown on intake's
step 1 (every service serves the same /deviations for its own steps)."""

from datetime import UTC, datetime, timedelta

import pytest

from warta.contracts import Role
from warta.devstack.pytest_plugin import ServiceCaller, running_app
from warta.intake.app import IntakeSettings, create_app
from warta.runtime import spreadsheet

SITI = (Role.ADMIN, "siti")
ANDI = (Role.ADMIN, "andi")
HEAD = (Role.SECTION_HEAD, "hendra")
WRITER = (Role.COVERAGE_TEAM, "dewi")


@pytest.fixture
async def office(namespace, mongo):
    app = create_app(namespace.settings(IntakeSettings))
    async with running_app(app) as client:
        yield ServiceCaller(app, client, namespace, mongo[namespace.database("intake")])


async def register_and_issue(office: ServiceCaller, officer, received_ago: timedelta) -> str:
    now = datetime.now(UTC)
    body = {
        "letter": {
            "number": f"005/{received_ago.total_seconds():.0f}-{officer[1]}/2026",
            "date": now.date().isoformat(),
            "sender": "Dinas Pendidikan",
            "sender_kind": "opd",
            "subject": "Permohonan peliputan",
        },
        "event": {
            "title": "Lomba Cerdas Cermat",
            "starts_at": (now + timedelta(days=2)).isoformat(),
            "ends_at": (now + timedelta(days=2, hours=2)).isoformat(),
            "location": "Aula",
            "leader": "sekda",
        },
        "received_at": (now - received_ago).isoformat(),
    }
    request = await office.ok(officer, "POST", "/requests", status=201, json=body)
    sheet = await office.call(officer, "POST", f"/requests/{request['id']}/disposition-sheet")
    assert sheet.status_code == 200, sheet.text
    return str(request["id"])


async def test_a_late_step_is_a_deviation_for_its_officer_to_explain(office):
    late = await register_and_issue(office, SITI, timedelta(minutes=95))  # step 1's standard is 60
    await register_and_issue(office, ANDI, timedelta(minutes=20))  # on time: no deviation
    month = datetime.now(UTC).astimezone().strftime("%Y-%m")

    [deviation] = await office.ok(HEAD, "GET", "/deviations", params={"month": month})
    assert (deviation["request_id"], deviation["step"], deviation["officer_id"]) == (late, 1, "siti")
    assert 35 * 60 <= deviation["overrun_seconds"] < 36 * 60
    assert deviation["explanation"] is None
    assert await office.ok(HEAD, "GET", "/deviations", params={"officer_id": "andi"}) == []
    assert await office.ok(HEAD, "GET", "/deviations", params={"month": "2020-01"}) == []
    # The section head, the team lead and the administrator (who keeps the reports) see everyone's;
    # any other officer sees their own only.
    assert [d["id"] for d in await office.ok(ANDI, "GET", "/deviations")] == [deviation["id"]]
    assert await office.ok(WRITER, "GET", "/deviations") == []
    await office.refused(403, WRITER, "GET", "/deviations", params={"officer_id": "siti"})
    await office.refused(422, HEAD, "GET", "/deviations", params={"month": "2026-13"}, field="query.month")

    export = await office.call(HEAD, "GET", "/deviations/export.csv", params={"month": month})
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(spreadsheet.rows(spreadsheet.text_of(export.content)))
    assert [(r["langkah"], r["permohonan"], r["petugas"], r["standar_menit"]) for r in rows] == [
        ("1", late, "siti", "60")
    ]
    assert rows[0]["selesai"].endswith("WIB")
    assert 35 <= float(rows[0]["kelebihan_menit"]) < 36

    path = f"/deviations/{deviation['id']}/explanation"
    reason = {"explanation": "Surat diterima bersamaan dengan pelantikan; antrean panjang."}
    await office.refused(403, HEAD, "POST", path, json=reason)  # the officer named answers for it
    await office.refused(422, SITI, "POST", path, json={"explanation": ""}, field="explanation")
    explained = await office.ok(SITI, "POST", path, json=reason)
    assert explained["explanation"] == reason["explanation"]
    await office.refused(409, SITI, "POST", path, json={"explanation": "Alasan lain"})
    await office.refused(404, SITI, "POST", "/deviations/tidak-ada/explanation", json=reason)
    [again] = await office.ok(HEAD, "GET", "/deviations")
    assert again["explanation"] == reason["explanation"]


async def test_deviations_come_newest_first_a_page_at_a_time(office):
    """Three late registrations by the same officer: pages of two, the next page before the last
    one's finish; a time without its zone is refused, naming the field."""
    for minutes in (95, 100, 105):
        await register_and_issue(office, SITI, timedelta(minutes=minutes))
    every = await office.ok(HEAD, "GET", "/deviations", params={"officer_id": "siti"})
    finished = [d["finished_at"] for d in every]
    assert len(every) == 3
    assert finished == sorted(finished, reverse=True)
    first = await office.ok(HEAD, "GET", "/deviations", params={"officer_id": "siti", "limit": 2})
    assert [d["id"] for d in first] == [d["id"] for d in every[:2]]
    rest = await office.ok(SITI, "GET", "/deviations", params={"limit": 2, "before": first[-1]["finished_at"]})
    assert [d["id"] for d in rest] == [every[2]["id"]]
    month = datetime.now(UTC).astimezone().strftime("%Y-%m")
    in_month = await office.ok(HEAD, "GET", "/deviations", params={"month": month, "limit": 2})
    assert [d["id"] for d in in_month] == [d["id"] for d in every[:2]]
    await office.refused(422, HEAD, "GET", "/deviations", params={"before": "2026-12-01T10:00"}, field="query.before")
    await office.refused(422, HEAD, "GET", "/deviations", params={"limit": 0}, field="query.limit")
