"""Step 3 over the scheduler's HTTP API, against the real database and event stream."""

import asyncio
import itertools
import uuid
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warta.contracts import (
    DispositionInstruction,
    DispositionIssued,
    DispositionIssuedData,
    LeadershipEvent,
    Role,
    TeamAssigned,
)
from warta.devstack.pytest_plugin import ServiceCaller, eventually, running_app
from warta.runtime.indonesian import JAKARTA
from warta.scheduler.app import SchedulerSettings, create_app

LEAD = (Role.TEAM_LEAD, "rina")
HEAD = (Role.SECTION_HEAD, "hendra")
DEWI = (Role.COVERAGE_TEAM, "dewi")


def _a_monday_ahead() -> datetime:
    """09.00 WIB on the first Monday after today: events still to come whatever day the tests run
    (coverage of an event already under way starts at the assignment, not at the event)."""
    today = datetime.now(JAKARTA).date()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime(monday.year, monday.month, monday.day, 9, 0, tzinfo=JAKARTA)


MONDAY = _a_monday_ahead()
_numbers = itertools.count(1)

ROSTER = [
    {"officer_id": "dewi", "name": "Dewi", "skills": ["writer", "social_media"]},
    {"officer_id": "citra", "name": "Citra", "skills": ["writer"]},
    {"officer_id": "agus", "name": "Agus", "skills": ["photographer"]},
    {"officer_id": "bayu", "name": "Bayu", "skills": ["videographer", "photographer"]},
    {"officer_id": "yoga", "name": "Yoga", "skills": ["videographer"]},
]
INVENTORY = [
    {"item_id": "KAMERA-01", "kind": "camera"},
    {"item_id": "KAMERA-02", "kind": "camera"},
    {"item_id": "CAMCORDER-01", "kind": "camcorder"},
    {"item_id": "CAMCORDER-02", "kind": "camcorder"},
    {"item_id": "MOBIL-01", "kind": "vehicle"},
]


def team(
    writer="dewi", photographer="agus", videographer="bayu", camera="KAMERA-01", camcorder="CAMCORDER-01", **extra
):
    return {
        "members": [
            {"officer_id": writer, "role": "writer"},
            {"officer_id": photographer, "role": "photographer"},
            {"officer_id": videographer, "role": "videographer"},
        ],
        "equipment": [camera, camcorder],
        "needs_video": True,
        **extra,
    }


class Desk(ServiceCaller):
    """The scheduler and the team lead's desk, in one test's namespace."""

    async def seed(self, roster=ROSTER, inventory=INVENTORY) -> None:
        for officer in roster:
            await self.ok(LEAD, "POST", "/officers", 201, json=officer)
        for item in inventory:
            await self.ok(LEAD, "POST", "/equipment", 201, json=item)

    async def on_agenda(self, starts_at: datetime = MONDAY, hours: float = 2, leader: str = "wali_kota") -> dict:
        """An entry as the section head's disposition puts it on the agenda (the real handler)."""
        request_id = str(uuid.uuid4())
        number = f"{next(_numbers):04d}/PROKOPIM/2026"
        event = LeadershipEvent(
            title=f"Kegiatan {number}",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            location="Puspem",
            leader=leader,
        )
        disposition = DispositionIssued.occurred(
            data=DispositionIssuedData(
                request_id=request_id,
                agenda_number=number,
                event=event,
                instructions=(DispositionInstruction.COVER_AND_PUBLISH,),
            ),
            request_id=request_id,
            time=datetime.now(UTC) - timedelta(minutes=12),
        )
        await self.app.state.handlers.put_on_agenda(disposition)
        return await self.ok(LEAD, "GET", f"/agenda/{request_id}")

    async def assign(self, entry: dict, body: dict, officer=LEAD):
        return await self.call(officer, "POST", f"/agenda/{entry['request_id']}/assignment", json=body)


def scheduler_settings(namespace) -> SchedulerSettings:
    return namespace.settings(SchedulerSettings, travel_buffer_minutes=30)


@pytest.fixture
async def desk(namespace, mongo):
    app = create_app(scheduler_settings(namespace))
    async with running_app(app) as client:
        yield Desk(app, client, namespace, mongo[namespace.database("scheduler")])


@pytest.fixture
async def replica(desk):
    """A second scheduler on the same database and stream, as the Deployment runs two: assignments
    sent to both take no turns with each other, and meet only at the database's lock documents."""
    app = create_app(scheduler_settings(desk.ns))
    async with running_app(app) as client:
        yield Desk(app, client, desk.ns, desk.db)


async def test_the_team_lead_keeps_the_roster_and_everyone_reads_it(desk):
    await desk.seed()
    await desk.refused(409, LEAD, "POST", "/officers", json=ROSTER[0])
    await desk.refused(403, DEWI, "POST", "/officers", json={"officer_id": "x", "name": "X", "skills": ["writer"]})
    await desk.refused(
        422,
        LEAD,
        "POST",
        "/officers",
        json={"officer_id": "a b", "name": "X", "skills": ["writer"]},
        field="officer_id",
    )
    await desk.refused(
        422, LEAD, "POST", "/officers", json={"officer_id": "x", "name": "X", "skills": ["pilot"]}, field="skills.0"
    )
    await desk.refused(422, LEAD, "POST", "/equipment", json={"item_id": "DRONE-1", "kind": "drone"}, field="kind")
    await desk.refused(404, LEAD, "PUT", "/equipment/NOPE", json={"kind": "camera", "condition": "ready"})
    leave = {"starts_at": MONDAY.isoformat(), "ends_at": (MONDAY - timedelta(hours=1)).isoformat(), "reason": "cuti"}
    await desk.refused(422, LEAD, "POST", "/officers/agus/unavailability", json=leave, field="ends_at")

    officers = await desk.ok(DEWI, "GET", "/officers")
    assert [o["officer_id"] for o in officers] == ["agus", "bayu", "citra", "dewi", "yoga"]
    updated = await desk.ok(
        LEAD, "PUT", "/officers/citra", json={"name": "Citra", "skills": ["writer", "editor"], "active": False}
    )
    assert (updated["skills"], updated["active"]) == (["writer", "editor"], False)
    item = await desk.ok(LEAD, "PUT", "/equipment/KAMERA-02", json={"kind": "camera", "condition": "in_repair"})
    assert item["condition"] == "in_repair"


async def test_an_assignment_books_the_team_and_announces_it_with_the_window(desk):
    await desk.seed()
    entry = await desk.on_agenda()
    r = await desk.assign(entry, team())
    assert r.status_code == 200, r.text
    assigned = r.json()
    assert assigned["state"] == "assigned"
    assert assigned["assignment"]["revision"] == 1

    [event] = await eventually(desk.ns.events)
    assert isinstance(event, TeamAssigned)
    assert [(m.officer_id, m.role.value) for m in event.data.members] == [
        ("dewi", "writer"),
        ("agus", "photographer"),
        ("bayu", "videographer"),
    ]
    assert event.data.equipment == ("KAMERA-01", "CAMCORDER-01")
    assert event.data.event.starts_at == MONDAY
    # The event lies ahead: step 4's clock starts when it begins, not now.
    assert event.data.coverage_starts_at == MONDAY
    bookings = await desk.db.bookings.find({"request_id": entry["request_id"]}).to_list(None)
    assert sorted(b["resource"] for b in bookings) == [
        "item:CAMCORDER-01",
        "item:KAMERA-01",
        "officer:agus",
        "officer:bayu",
        "officer:dewi",
    ]
    metrics = (await desk.client.get("/metrics")).text
    assert 'warta_sop_step_duration_seconds_count{sop="58/2025",step="3"} 1.0' in metrics


async def test_a_clash_is_refused_naming_the_entry_until_overridden_with_a_reason(desk):
    await desk.seed()
    first = await desk.on_agenda(MONDAY, hours=2)
    assert (await desk.assign(first, team())).status_code == 200
    # Starts 20 minutes after the first ends: inside the 30-minute travel buffer.
    second = await desk.on_agenda(MONDAY + timedelta(hours=2, minutes=20), hours=1)
    body = await desk.refused(
        409,
        LEAD,
        "POST",
        f"/agenda/{second['request_id']}/assignment",
        json=team(writer="citra", videographer="yoga", camera="KAMERA-02", camcorder="CAMCORDER-02"),
        field="members.1.officer_id",
    )
    [problem] = body["fields"]
    assert first["agenda_number"] in problem["message"]
    assert "officer:agus" in problem["message"]

    overridden = team(
        writer="citra",
        videographer="yoga",
        camera="KAMERA-02",
        camcorder="CAMCORDER-02",
        overrides=[{"resource": "officer:agus", "reason": "Lokasi kedua di gedung yang sama"}],
    )
    r = await desk.assign(second, overridden)
    assert r.status_code == 200, r.text
    [override] = r.json()["assignment"]["overrides"]
    assert override == {
        "resource": "officer:agus",
        "reason": "Lokasi kedua di gedung yang sama",
        "clashes_with": [first["agenda_number"]],
    }
    metrics = (await desk.client.get("/metrics")).text
    assert 'warta_assignment_overrides_total{kind="officer"} 1.0' in metrics


async def test_leave_and_repairs_refuse_and_leave_shows_the_assignments_it_hits(desk):
    await desk.seed()
    first = await desk.on_agenda(MONDAY)
    await desk.assign(first, team())
    leave = {"starts_at": MONDAY.isoformat(), "ends_at": (MONDAY + timedelta(days=2)).isoformat(), "reason": "sakit"}
    recorded = await desk.ok(LEAD, "POST", "/officers/agus/unavailability", 201, json=leave)
    assert [e["request_id"] for e in recorded["affected"]] == [first["request_id"]]

    second = await desk.on_agenda(MONDAY + timedelta(days=1))
    body = await desk.refused(
        409, LEAD, "POST", f"/agenda/{second['request_id']}/assignment", json=team(), field="members.1.officer_id"
    )
    assert "unavailable (sakit)" in body["fields"][0]["message"]

    await desk.ok(LEAD, "PUT", "/equipment/KAMERA-02", json={"kind": "camera", "condition": "in_repair"})
    body = await desk.refused(
        409,
        LEAD,
        "POST",
        f"/agenda/{second['request_id']}/assignment",
        json=team(photographer="bayu", videographer="yoga", camera="KAMERA-02"),
        field="equipment.0",
    )
    assert "in repair" in body["message"]

    period_id = recorded["officer"]["unavailable"][0]["id"]
    await desk.ok(LEAD, "DELETE", f"/officers/agus/unavailability/{period_id}")
    assert (await desk.assign(second, team(camera="KAMERA-01"))).status_code == 200


async def test_bad_assignments_name_the_field_and_write_nothing(desk):
    await desk.seed()
    entry = await desk.on_agenda()
    path = f"/agenda/{entry['request_id']}/assignment"
    for body, field in [
        (team(writer="siapa"), "members.0.officer_id"),
        (team(camera="DRONE-9"), "equipment.0"),
        (team(writer="agus"), "members.0.role"),  # agus is no writer
        ({**team(), "members": [{"officer_id": "dewi", "role": "pilot"}]}, "members.0.role"),
        ({**team(), "equipment": ["KAMERA-01"]}, "equipment"),  # no camcorder
        ({**team(), "members": team()["members"][:2]}, "members"),  # no videographer
        ({**team(), "equipment": ["bad id!"]}, "equipment.0"),
        ({**team(), "overrides": [{"resource": "officer:dewi", "reason": "tidak perlu"}]}, "overrides.0.resource"),
    ]:
        await desk.refused(422, LEAD, "POST", path, json=body, field=field)
    await desk.refused(403, DEWI, "POST", path, json=team())
    await desk.refused(403, HEAD, "POST", path, json=team())
    await desk.refused(404, LEAD, "POST", "/agenda/nope/assignment", json=team())
    await desk.refused(409, LEAD, "PUT", path, json={**team(), "reason": "ganti"})  # nothing to reassign yet


async def test_a_reassignment_is_the_next_revision_and_frees_what_it_replaces(desk):
    await desk.seed()
    entry = await desk.on_agenda()
    await desk.assign(entry, team())
    path = f"/agenda/{entry['request_id']}/assignment"
    await desk.refused(403, DEWI, "PUT", path, json={**team(), "reason": "ganti"})
    await desk.refused(422, LEAD, "PUT", path, json=team(), field="reason")
    r = await desk.call(
        LEAD, "PUT", path, json={**team(photographer="bayu", videographer="yoga"), "reason": "Agus sakit"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["assignment"]["revision"] == 2
    events = await eventually(lambda: _at_least(desk.ns.events(), 2))
    assert [(e.data.revision, e.data.reason) for e in events] == [(1, None), (2, "Agus sakit")]
    assert events[1].data.coverage_starts_at == events[0].data.coverage_starts_at

    # Agus is free again for the same hour.
    other = await desk.on_agenda(MONDAY)
    assert (
        await desk.assign(
            other, team(writer="citra", videographer="bayu", camera="KAMERA-02", camcorder="CAMCORDER-02")
        )
    ).status_code == 409
    assert (
        await desk.assign(
            other,
            team(
                writer="citra", photographer="agus", videographer="bayu", camera="KAMERA-02", camcorder="CAMCORDER-02"
            ),
        )
    ).status_code == 409
    r = await desk.assign(
        other,
        team(writer="citra", photographer="agus", videographer="yoga", camera="KAMERA-02", camcorder="CAMCORDER-02"),
    )
    assert r.status_code == 409  # yoga went to the first entry in the reassignment
    assert "yoga" in r.json()["message"]


async def _at_least(events, n):
    found = await events
    return found if len(found) >= n else None


async def test_the_suggestion_is_free_complete_and_can_be_assigned_as_it_is(desk):
    await desk.seed()
    first = await desk.on_agenda(MONDAY)
    await desk.assign(first, team())
    second = await desk.on_agenda(MONDAY + timedelta(minutes=30))
    suggestion = await desk.ok(DEWI, "GET", f"/agenda/{second['request_id']}/suggestion")
    assert suggestion["missing"] == ["photographer"]  # agus and bayu are both out with the first team
    passed = {p["id"]: p["why"] for p in suggestion["passed_over"]}
    assert first["agenda_number"] in passed["agus"]
    assert {m["officer_id"] for m in suggestion["members"]} == {"citra", "yoga"}

    third = await desk.on_agenda(MONDAY + timedelta(days=1))
    suggestion = await desk.ok(LEAD, "GET", f"/agenda/{third['request_id']}/suggestion")
    assert suggestion["missing"] == []
    body = {"members": suggestion["members"], "equipment": suggestion["equipment"], "needs_video": True}
    assert (await desk.assign(third, body)).status_code == 200
    # The people who covered Monday carry load into Tuesday: the others are picked first.
    writer = next(m["officer_id"] for m in suggestion["members"] if m["role"] == "writer")
    assert writer == "citra"


async def test_concurrent_assignments_cannot_both_take_the_same_photographer(desk, replica):
    """Two team leads, each answered by a replica of its own, book the same photographer at once."""
    await desk.seed()
    for round_ in range(4):
        starts = MONDAY + timedelta(days=round_)
        a, b = await desk.on_agenda(starts), await desk.on_agenda(starts + timedelta(minutes=45))
        results = await asyncio.gather(
            desk.assign(a, team()),
            replica.assign(b, team(writer="citra", videographer="yoga", camera="KAMERA-02", camcorder="CAMCORDER-02")),
        )
        assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
    held = await desk.db.bookings.find({"resource": "officer:agus"}).to_list(None)
    assert len(held) == 4


async def test_assignments_of_one_team_sent_at_once_take_turns_instead_of_aborting_each_other(desk):
    """Ten assignments of the same team and kit, one after another on one day, sent together to
    one scheduler: each transaction takes its locks once, so none was aborted by another and run
    again, and every lock of that day counts all ten."""
    await desk.seed()
    entries = [await desk.on_agenda(MONDAY + timedelta(hours=h), hours=0.5) for h in range(10)]
    store = desk.app.state.handlers._store
    hold, holds = store.hold, []

    async def counted(tx, locks):
        holds.append(sorted(locks))
        await hold(tx, locks)

    store.hold = counted
    results = await asyncio.gather(*(desk.assign(e, team()) for e in entries))
    assert [r.status_code for r in results] == [200] * 10, [r.text for r in results]
    assert len(holds) == 10, f"{len(holds)} attempts: transactions were aborted and run again"
    locks = await desk.db.resource_locks.find().to_list(None)
    day = MONDAY.date().isoformat()
    assert {lock["_id"]: lock["version"] for lock in locks} == {
        f"{resource}@{day}": 10
        for resource in ["officer:dewi", "officer:agus", "officer:bayu", "item:KAMERA-01", "item:CAMCORDER-01"]
    }


async def test_assignments_of_one_team_on_different_days_do_not_wait_for_each_other(desk):
    """Each day an officer or item works has its own lock: the first assignment's transaction is
    held open until the second has taken its locks, which it could not if they shared one."""
    await desk.seed()
    # The week's first assignment creates the locks' collection, which two transactions at once
    # could not both do.
    friday = await desk.on_agenda(MONDAY + timedelta(days=4))
    assert (await desk.assign(friday, team())).status_code == 200
    monday, tuesday = await desk.on_agenda(MONDAY), await desk.on_agenda(MONDAY + timedelta(days=1))
    store = desk.app.state.handlers._store
    hold, both_holding = store.hold, asyncio.Event()
    held: list[list[str]] = []

    async def waiting_for_the_other(tx, locks):
        await hold(tx, locks)
        held.append(sorted(locks))
        if len(held) == 2:
            both_holding.set()
        await asyncio.wait_for(both_holding.wait(), timeout=10)

    store.hold = waiting_for_the_other
    results = await asyncio.gather(desk.assign(monday, team()), desk.assign(tuesday, team()))
    assert [r.status_code for r in results] == [200, 200], [r.text for r in results]
    assert not set(held[0]) & set(held[1]), held


async def test_day_and_week_views_follow_jakarta_days(desk):
    late = await desk.on_agenda(datetime(2026, 12, 8, 23, 30, tzinfo=JAKARTA), hours=1)  # Tuesday night
    early = await desk.on_agenda(datetime(2026, 12, 8, 6, 0, tzinfo=JAKARTA), hours=1)
    sunday = await desk.on_agenda(datetime(2026, 12, 13, 19, 0, tzinfo=JAKARTA), hours=1)
    next_week = await desk.on_agenda(datetime(2026, 12, 14, 8, 0, tzinfo=JAKARTA), hours=1)

    day = await desk.ok(DEWI, "GET", "/agenda/days/2026-12-08")
    assert [e["request_id"] for e in day["entries"]] == [early["request_id"], late["request_id"]]
    week = await desk.ok(DEWI, "GET", "/agenda/weeks/2026-12-10")
    assert week["starts_on"] == "2026-12-07"
    assert [d["date"] for d in week["days"]][-1] == "2026-12-13"
    assert [[e["request_id"] for e in d["entries"]] for d in week["days"]] == [
        [],
        [early["request_id"], late["request_id"]],
        [],
        [],
        [],
        [],
        [sunday["request_id"]],
    ]
    assert next_week["request_id"] not in str(week)
    r = await desk.call(DEWI, "GET", "/agenda/days/8-12-2026")
    assert r.status_code == 422


async def test_calendar_feeds_parse_back_and_open_only_with_their_key(desk):
    await desk.seed()
    entry = await desk.on_agenda(datetime.now(JAKARTA).replace(microsecond=0) + timedelta(days=3))
    await desk.assign(entry, team())
    unassigned = await desk.on_agenda(datetime.now(JAKARTA).replace(microsecond=0) + timedelta(days=4), leader="sekda")

    dewi_feeds = await desk.ok(DEWI, "GET", "/feeds")
    agenda = await desk.client.get(dewi_feeds["agenda"])
    assert agenda.status_code == 200
    assert agenda.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(agenda.content)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        f"{entry['request_id']}@warta.tangerangkota.go.id",
        f"{unassigned['request_id']}@warta.tangerangkota.go.id",
    }
    assigned = events[f"{entry['request_id']}@warta.tangerangkota.go.id"]
    assert str(assigned["summary"]) == f"[Wali Kota] {entry['event']['title']}"
    assert assigned.decoded("dtstart") == datetime.fromisoformat(entry["event"]["starts_at"])
    assert str(assigned["dtstart"].params["TZID"]) == "Asia/Jakarta"
    assert "dewi (Penulis)" in str(assigned["description"])
    assert calendar.walk("VTIMEZONE"), "a VTIMEZONE block for clients that need it"

    mine = icalendar.Calendar.from_ical((await desk.client.get(dewi_feeds["mine"])).content)
    assert [str(e["uid"]) for e in mine.walk("VEVENT")] == [f"{entry['request_id']}@warta.tangerangkota.go.id"]
    yoga_feeds = await desk.ok((Role.COVERAGE_TEAM, "yoga"), "GET", "/feeds")
    assert icalendar.Calendar.from_ical((await desk.client.get(yoga_feeds["mine"])).content).walk("VEVENT") == []

    # A key opens only its own feed.
    dewi_key = dewi_feeds["mine"].split("key=")[1]
    assert (await desk.client.get(f"/officers/yoga/assignments.ics?key={dewi_key}")).status_code == 403
    assert (await desk.client.get(f"/agenda.ics?key={dewi_key}")).status_code == 403
    assert (await desk.client.get("/agenda.ics")).status_code == 422


# -- property: through the API and the database, nobody is ever double-booked ------------------

OFFICER_IDS = ["p1", "p2", "p3"]
attempt = st.tuples(
    st.integers(min_value=0, max_value=24),  # start, in 30-minute steps from Monday 19.00, across midnight
    st.integers(min_value=1, max_value=6),  # length, in 30-minute steps
    st.permutations(OFFICER_IDS),
    st.sampled_from(["K1", "K2"]),
    st.booleans(),  # sent together with the next attempt
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plans=st.lists(attempt, min_size=2, max_size=7))
async def test_random_agendas_never_double_book_through_the_database(desk, replica, plans):
    run = uuid.uuid4().hex[:6]
    roster = [
        {"officer_id": f"{o}-{run}", "name": o, "skills": ["writer", "photographer", "videographer"]}
        for o in OFFICER_IDS
    ]
    kit = [{"item_id": f"{k}-{run}", "kind": "camera"} for k in ("K1", "K2")] + [
        {"item_id": f"CC-{run}", "kind": "camcorder"}
    ]
    await desk.seed(roster, kit)

    async def attempt_one(start, length, officers, camera, via):
        entry = await desk.on_agenda(MONDAY.replace(hour=19) + timedelta(minutes=30 * start), hours=length / 2)
        body = {
            "members": [
                {"officer_id": f"{officers[0]}-{run}", "role": "writer"},
                {"officer_id": f"{officers[1]}-{run}", "role": "photographer"},
                {"officer_id": f"{officers[0]}-{run}", "role": "videographer"},
            ],
            "equipment": [f"{camera}-{run}", f"CC-{run}"],
            "needs_video": True,
        }
        return entry, await via.assign(entry, body)

    results = []
    batch = []
    # Every other attempt goes to the other replica: those sent together meet only at the database.
    for n, (start, length, officers, camera, together) in enumerate(plans):
        batch.append(attempt_one(start, length, officers, camera, (desk, replica)[n % 2]))
        if not together:
            results += await asyncio.gather(*batch)
            batch = []
    results += await asyncio.gather(*batch)

    bookings = await desk.db.bookings.find({"resource": {"$regex": f"-{run}$"}}).to_list(None)
    accepted = {e["request_id"] for e, r in results if r.status_code == 200}
    assert {b["request_id"] for b in bookings} == accepted
    buffer = timedelta(minutes=30)
    for a, b in itertools.combinations(bookings, 2):
        if a["resource"] == b["resource"]:
            assert not (a["starts_at"] < b["ends_at"] + buffer and b["starts_at"] < a["ends_at"] + buffer), (a, b)
    for entry, response in results:
        if response.status_code == 409:
            named = [b["agenda_number"] for b in bookings if b["request_id"] != entry["request_id"]]
            for problem in response.json()["fields"]:
                assert any(number in problem["message"] for number in named), problem
        else:
            assert response.status_code == 200, response.text
