"""The step clocks on a real database, driven by events with times the test chooses: a request
from its letter to publication with a rejection at each level, an event on Saturday assigned on
Tuesday, a weekend in the office-hours calendar, deviations with their officers, and the gauges of
what is open and overdue now."""

from datetime import date, datetime
from typing import Any

import pytest
from prometheus_client import generate_latest

from warta.contracts import (
    Actor,
    Approved,
    ApprovedData,
    AssetRef,
    CoverageRole,
    CoverageSubmitted,
    CoverageSubmittedData,
    DispositionInstruction,
    DispositionIssued,
    DispositionIssuedData,
    Event,
    LeadershipEvent,
    Letter,
    PressRelease,
    Published,
    PublishedData,
    Rejected,
    RejectedData,
    RejectionReason,
    RequestReceived,
    RequestReceivedData,
    ReviewLevel,
    Role,
    TeamAssigned,
    TeamAssignedData,
    TeamMember,
)
from warta.runtime import ServiceMetrics
from warta.runtime.calendar import JAKARTA, OfficeHours, WallClock
from warta.runtime.clocks import StepClocks, ensure_clock_indexes

RID = "req-clock"
ADMIN = Actor(officer_id="siti", role=Role.ADMIN)
HEAD = Actor(officer_id="hendra", role=Role.SECTION_HEAD)
LEAD = Actor(officer_id="rina", role=Role.TEAM_LEAD)
WRITER = Actor(officer_id="dewi", role=Role.COVERAGE_TEAM)
TL, SH = ReviewLevel.TEAM_LEAD, ReviewLevel.SECTION_HEAD


def wib(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=JAKARTA)


# The leadership event: Saturday 5 December 2026, 08.00 to 10.00 WIB.
OPENING = LeadershipEvent(
    title="Peresmian Taman Literasi",
    starts_at=wib("2026-12-05", "08:00"),
    ends_at=wib("2026-12-05", "10:00"),
    location="Cikokol",
    leader="wali_kota",
)


def occurred(cls: type[Event], data: Any, at: datetime, actor: Actor) -> Event:
    return cls.occurred(data=data, request_id=data.request_id, time=at, actor=actor)


def received(arrived: datetime, issued: datetime, rid: str = RID) -> Event:
    letter = Letter(number="005/1", date=arrived.date(), sender="Dinas", sender_kind="opd", subject="Peliputan")
    data = RequestReceivedData(
        request_id=rid, agenda_number="0001/PROKOPIM/2026", letter=letter, event=OPENING, received_at=arrived
    )
    return occurred(RequestReceived, data, issued, ADMIN)


def disposed(at: datetime, rid: str = RID) -> Event:
    data = DispositionIssuedData(
        request_id=rid,
        agenda_number="0001/PROKOPIM/2026",
        event=OPENING,
        instructions=(DispositionInstruction.COVER_AND_PUBLISH,),
    )
    return occurred(DispositionIssued, data, at, HEAD)


def assigned(at: datetime, rid: str = RID) -> Event:
    data = TeamAssignedData(
        request_id=rid,
        revision=1,
        members=(TeamMember(officer_id="dewi", role=CoverageRole.WRITER),),
        event=OPENING,
        coverage_starts_at=max(at, OPENING.starts_at),
    )
    return occurred(TeamAssigned, data, at, LEAD)


def submitted(version: int, at: datetime, actor: Actor = WRITER) -> Event:
    data = CoverageSubmittedData(
        request_id=RID,
        version=version,
        press_release=PressRelease(title="Judul", body="Isi"),
        assets=(AssetRef(kind="photo", uri="u", sha256="a" * 64),),
        submitted_by=actor.officer_id,
        contributors=(actor.officer_id,),
        corrected_by=actor.officer_id if actor.role is Role.TEAM_LEAD else None,
    )
    return occurred(CoverageSubmitted, data, at, actor)


def approved(version: int, level: ReviewLevel, at: datetime) -> Event:
    return occurred(
        Approved, ApprovedData(request_id=RID, version=version, level=level), at, LEAD if level is TL else HEAD
    )


def rejected(version: int, level: ReviewLevel, at: datetime) -> Event:
    data = RejectedData(request_id=RID, version=version, level=level, reason=RejectionReason.LANGUAGE, note="Ejaan")
    return occurred(Rejected, data, at, LEAD if level is TL else HEAD)


def published(at: datetime) -> Event:
    data = PublishedData(request_id=RID, version=3, website_url="https://tangerangkota.go.id/berita/1")
    return occurred(Published, data, at, WRITER)


@pytest.fixture
async def clocks(mongo, namespace) -> StepClocks:
    return await clocks_in(mongo[namespace.database("clocks")])


async def clocks_in(db: Any) -> StepClocks:
    await ensure_clock_indexes(db)
    metrics = ServiceMetrics("test")
    office = OfficeHours(local_days_off=frozenset({date(2026, 12, 3)}))
    return StepClocks(
        db,
        ("intake", "scheduler", "coverage", "review", "publisher"),
        {"wall": WallClock(), "office": office},
        {2: "office", 3: "office"},
        metrics,
        JAKARTA,
    )


async def runs(clocks: StepClocks) -> list[tuple[int, int, float | None]]:
    docs = clocks._runs.find({}, {"step": 1, "run": 1, "seconds": 1}).sort([("step", 1), ("run", 1)])
    return [(d["step"], d["run"], d.get("seconds")) async for d in docs]


async def test_a_request_through_every_step_with_a_rejection_at_each_level(clocks):
    minutes = 60.0
    timeline = [
        # Step 1 (wall clock): the letter arrived Wednesday 14.00, the sheet was issued 15.30: over.
        received(wib("2026-12-02", "14:00"), wib("2026-12-02", "15:30")),
        # Step 2 (office hours): 15.30 to 15.50.
        disposed(wib("2026-12-02", "15:50")),
        # Step 3 (office hours): Wednesday 15.50 to the close, nothing on Thursday (a local day off
        # here), Friday 07.30 to 07.45.
        assigned(wib("2026-12-04", "07:45")),
        # Step 4 (wall clock) of the Saturday event starts at 08.00 Saturday, not at Friday's
        # assignment: submitted 10.30.
        submitted(1, wib("2026-12-05", "10:30")),
        rejected(1, TL, wib("2026-12-05", "11:00")),  # ends step 5's first run; step 4 runs again
        submitted(2, wib("2026-12-05", "14:30")),  # step 4's second run: over
        approved(2, TL, wib("2026-12-05", "14:40")),
        rejected(2, SH, wib("2026-12-05", "15:00")),  # ends step 6's first run; step 5 runs again
        submitted(3, wib("2026-12-05", "15:10"), LEAD),  # the team lead's correction: not step 4
        approved(3, TL, wib("2026-12-05", "15:15")),
        approved(3, SH, wib("2026-12-05", "15:35")),
        published(wib("2026-12-05", "16:05")),  # step 7: over
    ]
    finished = []
    for event in timeline:
        finished += await clocks.observe(None, [event])
    assert await runs(clocks) == [
        (1, 1, 90 * minutes),
        (2, 1, 20 * minutes),
        (3, 1, 25 * minutes),  # not the 40 wall-clock hours
        (4, 1, 150 * minutes),
        (4, 2, 210 * minutes),
        (5, 1, 30 * minutes),
        (5, 2, 10 * minutes),
        (5, 3, 15 * minutes),
        (6, 1, 20 * minutes),
        (6, 2, 20 * minutes),
        (7, 1, 30 * minutes),
    ]
    assert [(f.step, f.seconds) for f in finished][:3] == [(1, 90 * minutes), (2, 20 * minutes), (3, 25 * minutes)]

    deviations = await clocks.deviations(month="2026-12")
    assert [(d.step, d.officer_id, d.overrun_seconds) for d in deviations] == [
        (1, "siti", 30 * minutes),
        (4, "dewi", 30 * minutes),
        (7, "dewi", 10 * minutes),
    ]
    assert [d.step for d in await clocks.deviations(month="2026-12", officer_id="dewi")] == [4, 7]
    assert await clocks.deviations(month="2026-11") == []
    explained = await clocks.explain(
        deviations[0], "Surat masuk bersamaan dengan tiga surat lain.", wib("2026-12-07", "08:00")
    )
    assert explained.explanation.startswith("Surat masuk")
    with pytest.raises(ValueError, match="already"):
        await clocks.explain(deviations[0], "lagi", wib("2026-12-07", "09:00"))
    assert (await clocks.deviation(deviations[0].id)).explanation == explained.explanation

    clocks.record(finished)
    text = generate_latest(clocks._metrics.registry).decode()
    assert 'warta_sop_steps_completed_total{outcome="over",sop="58/2025",step="4"} 1.0' in text
    assert 'warta_sop_steps_completed_total{outcome="within",sop="58/2025",step="4"} 1.0' in text
    assert 'warta_sop_step_duration_ratio_bucket{le="1.0",sop="58/2025",step="5"} 3.0' in text
    assert 'warta_sop_step_duration_seconds_bucket{le="1800.0",sop="58/2025",step="6"} 2.0' in text


async def test_the_same_event_twice_changes_nothing_and_a_stop_without_a_start_is_ignored(clocks):
    event = received(wib("2026-12-01", "08:00"), wib("2026-12-01", "08:30"))
    await clocks.observe(None, [event])
    again = await clocks.observe(None, [event])  # step 1 closed already; step 2 is open already
    assert again == []
    assert await runs(clocks) == [(1, 1, 1800.0), (2, 1, None)]
    assert await clocks.observe(None, [assigned(wib("2026-12-01", "09:00"))]) == []  # step 3 never started


async def test_open_and_overdue_gauges_show_what_runs_now(clocks):
    # One request waits for its disposition (step 2, office hours) since Friday 15.40; another's
    # Saturday event has had no coverage submitted (step 4, from Saturday 08.00).
    await clocks.observe(None, [received(wib("2026-12-04", "15:00"), wib("2026-12-04", "15:40"), "req-a")])
    await clocks.observe(
        None, [disposed(wib("2026-12-01", "10:00"), "req-b"), assigned(wib("2026-12-01", "10:10"), "req-b")]
    )

    async def gauges(now: datetime) -> dict[str, str]:
        await clocks.refresh_gauges(now)
        text = generate_latest(clocks._metrics.registry).decode()
        return {
            line.split(" ")[0]: line.split(" ")[1]
            for line in text.splitlines()
            if line.startswith(("warta_sop_steps_open{", "warta_sop_steps_overdue{"))
        }

    # Before the Saturday event began, its coverage was open but not overdue.
    saturday = await gauges(wib("2026-12-05", "07:00"))
    assert (saturday['warta_sop_steps_open{step="4"}'], saturday['warta_sop_steps_overdue{step="4"}']) == ("1.0", "0.0")
    # Monday 07.35: 25 office minutes since Friday 15.40 (the weekend counts nothing): not yet over.
    monday = await gauges(wib("2026-12-07", "07:35"))
    assert (monday['warta_sop_steps_open{step="2"}'], monday['warta_sop_steps_overdue{step="2"}']) == ("1.0", "0.0")
    assert monday['warta_sop_steps_overdue{step="4"}'] == "1.0"
    assert monday['warta_sop_steps_open{step="1"}'] == "0.0"
    # Monday 07.45: 35 office minutes, past the standard of 30, while still open.
    assert (await gauges(wib("2026-12-07", "07:45")))['warta_sop_steps_overdue{step="2"}'] == "1.0"


async def test_the_events_of_one_unit_of_work_read_their_requests_runs_once(watched, namespace):
    # One unit of work may start and stop several steps of a request, and its later events must
    # see the runs its earlier ones opened or closed, without reading them again.
    client, finds = watched
    clocks = await clocks_in(client[namespace.database("clocks-once")])
    timeline = [
        received(wib("2026-12-02", "14:00"), wib("2026-12-02", "15:30")),
        disposed(wib("2026-12-02", "15:50")),
        assigned(wib("2026-12-04", "07:45")),
        submitted(1, wib("2026-12-05", "10:30")),
        rejected(1, TL, wib("2026-12-05", "11:00")),
        submitted(2, wib("2026-12-05", "14:30")),
    ]
    before = len(finds.commands)
    finished = await clocks.observe(None, timeline)
    assert finds.collections == ["step_clocks"]
    assert finds.commands[before:] == ["find", "bulkWrite"]  # the runs and deviations written together
    assert await runs(clocks) == [
        (1, 1, 5400.0),
        (2, 1, 1200.0),
        (3, 1, 1500.0),
        (4, 1, 9000.0),
        (4, 2, 12600.0),
        (5, 1, 1800.0),
        (5, 2, None),
    ]
    assert [(f.step, f.seconds) for f in finished] == [
        (1, 5400.0),
        (2, 1200.0),
        (3, 1500.0),
        (4, 9000.0),
        (5, 1800.0),
        (4, 12600.0),
    ]
    assert await clocks.observe(None, timeline[-1:]) == []  # its step 5 runs already
    assert len(await runs(clocks)) == 7
