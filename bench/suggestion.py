"""How long the scheduler takes to suggest a team on a realistic month.

A month of the leadership agenda: 60 events over 22 working days for the Wali Kota, the Wakil
Wali Kota and the Sekda, a team of 12 officers and 15 items of kit. Each event is suggested and
then assigned as suggested, so later suggestions see a month filling up with bookings, as the
team lead's screen does. Run with ``make bench``.
"""

import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from warta.contracts import DispositionInstruction, DispositionIssued, DispositionIssuedData, LeadershipEvent, Role
from warta.devstack.pytest_plugin import running_app
from warta.devstack.servers import provide_servers
from warta.runtime import issue_dev_token
from warta.runtime.indonesian import JAKARTA
from warta.scheduler.app import SchedulerSettings, create_app
from warta.scheduler.planning import Booking, TeamChoice, Window, check_assignment, suggest_team
from warta.scheduler.roster import Item, Officer

BUFFER = timedelta(minutes=30)
SKILL_SETS = [
    ("writer", "editor"),
    ("writer",),
    ("writer", "social_media"),
    ("photographer",),
    ("photographer", "videographer"),
    ("videographer",),
    ("social_media", "editor"),
]
KIT = ["camera"] * 5 + ["camcorder"] * 3 + ["audio_recorder"] * 3 + ["lighting"] * 2 + ["vehicle"] * 2


@dataclass
class Result:
    seconds: list[float]
    complete: int
    events: int


def month(events: int, officers: int, items: int, seed: int = 58) -> tuple[list[Window], list[Officer], list[Item]]:
    rng = random.Random(seed)
    first = datetime(2026, 12, 1, 7, 0, tzinfo=JAKARTA)
    working_days = [first + timedelta(days=d) for d in range(31) if (first + timedelta(days=d)).weekday() < 5][:22]
    windows = []
    for n in range(events):
        day = rng.choice(working_days)
        starts = day + timedelta(minutes=30 * rng.randrange(0, 20))
        windows.append(
            Window(
                request_id=f"r{n}",
                agenda_number=f"{n + 1:04d}/PROKOPIM/2026",
                title=f"Kegiatan {n + 1}",
                starts_at=starts,
                ends_at=starts + timedelta(minutes=30 * rng.randrange(2, 7)),
            )
        )
    windows.sort(key=lambda w: w.starts_at)
    roster = [
        Officer(officer_id=f"petugas-{i:02d}", name=f"Petugas {i}", skills=SKILL_SETS[i % len(SKILL_SETS)])
        for i in range(officers)
    ]
    kit = [Item(item_id=f"ALAT-{i:02d}", kind=KIT[i % len(KIT)]) for i in range(items)]
    return windows, roster, kit


def run(events: int = 60, officers: int = 12, items: int = 15) -> Result:
    windows, roster, kit = month(events, officers, items)
    by_officer = {o.officer_id: o for o in roster}
    by_item = {i.item_id: i for i in kit}
    bookings: list[Booking] = []
    seconds, complete = [], 0
    for window in windows:
        started = time.perf_counter()
        suggestion = suggest_team(
            window, needs_video=True, officers=roster, items=kit, bookings=bookings, buffer=BUFFER
        )
        seconds.append(time.perf_counter() - started)
        if suggestion.missing:
            continue
        plan = check_assignment(
            window,
            TeamChoice(members=suggestion.members, equipment=suggestion.equipment),
            officers=by_officer,
            items=by_item,
            bookings=bookings,
            buffer=BUFFER,
        )
        bookings.extend(plan.bookings)
        complete += 1
    return Result(seconds=seconds, complete=complete, events=events)


async def run_over_http(work_dir: Path, events: int = 60, officers: int = 12, items: int = 15) -> Result:
    """The same month through the scheduler's API and database: what the team lead waits for."""
    windows, roster, kit = month(events, officers, items)
    servers = provide_servers(work_dir)
    try:
        settings = SchedulerSettings(
            nats_url=servers.nats_url,
            mongodb_url=servers.mongodb_url,
            mongodb_database=f"bench_{uuid.uuid4().hex[:8]}",
            stream_name=f"BENCH{uuid.uuid4().hex[:8].upper()}",
            subject_prefix=f"bench{uuid.uuid4().hex[:8]}",
        )
        app = create_app(settings)
        token = {"Authorization": f"Bearer {issue_dev_token(settings, officer_id='rina', role=Role.TEAM_LEAD)}"}
        seconds, complete = [], 0
        async with running_app(app) as client:
            for officer in roster:
                await client.post(
                    "/officers", json=officer.model_dump(mode="json", exclude={"revision"}), headers=token
                )
            for item in kit:
                await client.post("/equipment", json=item.model_dump(mode="json", exclude={"revision"}), headers=token)
            for window in windows:
                event = LeadershipEvent(
                    title=window.title, starts_at=window.starts_at, ends_at=window.ends_at, location="-", leader="sekda"
                )
                await app.state.handlers.put_on_agenda(
                    DispositionIssued.occurred(
                        data=DispositionIssuedData(
                            request_id=window.request_id,
                            agenda_number=window.agenda_number,
                            event=event,
                            instructions=(DispositionInstruction.COVER_AND_PUBLISH,),
                        ),
                        request_id=window.request_id,
                        time=window.starts_at - timedelta(days=3),
                    )
                )
                started = time.perf_counter()
                response = await client.get(f"/agenda/{window.request_id}/suggestion", headers=token)
                seconds.append(time.perf_counter() - started)
                suggestion = response.json()
                if suggestion["missing"]:
                    continue
                body = {"members": suggestion["members"], "equipment": suggestion["equipment"], "needs_video": True}
                assigned = await client.post(f"/agenda/{window.request_id}/assignment", json=body, headers=token)
                complete += assigned.status_code == 200
        return Result(seconds=seconds, complete=complete, events=events)
    finally:
        servers.close()


def report(what: str, result: Result) -> None:
    ms = sorted(s * 1000 for s in result.seconds)
    print(
        f"{what}: median {statistics.median(ms):.2f} ms, p95 {ms[int(len(ms) * 0.95) - 1]:.2f} ms, "
        f"max {ms[-1]:.2f} ms; {result.complete}/{result.events} events assigned as suggested"
    )


def main() -> None:
    report("suggestion (pure), 60 events / 12 officers / 15 items", run())
    with tempfile.TemporaryDirectory() as work:
        result = asyncio.run(run_over_http(Path(work)))
    report("suggestion over HTTP and the database, same month", result)


if __name__ == "__main__":
    sys.exit(main())
