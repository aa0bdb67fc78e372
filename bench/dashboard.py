"""The section head's dashboard (``/dasbor``) and the month's exports with a month's work in them.

``bench/system.py`` measures the console's pages with the past moved months back, so its
dashboard holds only the run's own few requests. An office's month holds its month's work: this
script clones ``MONTH`` finished requests into the current month (``add_history``, dated between
the first of the month and now), then asks the console for the dashboard and its CSV, and the
archive for the month's summary and CSV export, as the section head.

Two systems run side by side on the same servers, prepared alike; the pages are asked of both in
turn. On one, the dossiers keep the step runs the archive folds into them; on the other the runs
are removed from every dossier, as an earlier version stored them, so its archive reads each
request's records and times its steps from them, one query per request: what every summary did
before the dossiers carried their runs (ADR 0032).

Writes bench/results/dashboard.md (and .json). ``python bench/dashboard.py [--month N]``.
"""

import argparse
import asyncio
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from console_pages import keep_directory, sign_in  # beside this script
from pymongo import AsyncMongoClient
from system import (  # beside this script
    RESULTS,
    System,
    add_history,
    all_running,
    bench_servers,
    drive,
    percentiles,
    quiet,
    token_for,
)

from warta.devstack.demo import SECTION_HEAD
from warta.runtime.indonesian import JAKARTA

MONTH = 150  # requests finished this month: about seven a working day
ASKED = 40  # answers timed of each page, each way (the first left out)
SIDES = ("with_runs", "from_records")


def this_month() -> tuple[int, int]:
    """Days a clone may be moved back and still fall in this month (Asia/Jakarta), with the
    10 hours ``add_history`` may add: from today back to the 2nd."""
    today = datetime.now(JAKARTA)
    return 0, max(0, today.day - 2)


@dataclass(frozen=True)
class Ask:
    service: str  # whose address
    path: str
    params: dict[str, str] = field(default_factory=dict)


def asks() -> dict[str, Ask]:
    today = datetime.now(JAKARTA).date()  # the office's day, as the clones' month is
    period = {"from": f"{today.replace(day=1)}", "to": f"{today}"}
    return {
        "/dasbor (console: this week and this month)": Ask("console", "/dasbor"),
        "/dasbor.csv (console)": Ask("console", "/dasbor.csv"),
        "archive /sop, this month": Ask("archive", "/sop", period),
        "archive /export.csv, this month": Ask("archive", "/export.csv", period),
    }


async def page_times(sides: dict[str, System]) -> dict[str, dict[str, dict[str, Any]]]:
    """Each page asked ``ASKED`` + 1 times of each side, one answer of every page on every side
    a round, so whatever else loads the machine weighs on both sides alike."""
    taken: dict[str, dict[str, list[float]]] = {side: {label: [] for label in asks()} for side in sides}
    async with httpx.AsyncClient(timeout=120) as client:
        cookies = {side: await sign_in(client, system.urls["console"], SECTION_HEAD) for side, system in sides.items()}
        for _ in range(ASKED + 1):
            for label, ask in asks().items():
                for side, system in sides.items():
                    headers = (
                        {"Cookie": f"warta_token={cookies[side]}"}
                        if ask.service == "console"
                        else {"Authorization": f"Bearer {token_for(*SECTION_HEAD)}"}
                    )
                    started = time.perf_counter()
                    answer = await client.get(system.urls[ask.service] + ask.path, headers=headers, params=ask.params)
                    taken[side][label].append(time.perf_counter() - started)
                    if answer.status_code != 200:
                        raise RuntimeError(f"{ask.path} answered {answer.status_code}: {answer.text[:300]}")
    # The first answer of each may load a template or warm a cache: left out.
    return {side: {label: percentiles(times[1:]) for label, times in pages.items()} for side, pages in taken.items()}


async def a_month_of_work(office: System, month: int, runs: bool) -> int:
    """``month`` requests finished this month (2 walked, the rest cloned); with ``runs`` False,
    the step runs removed from every dossier. The number of dossiers ended this month."""
    await keep_directory(office.urls, token_for)
    walked = await drive(office, 2, first=0, late=True)
    await quiet(office)
    await add_history(office, walked["request_ids"][:1], month - 2, seed=5, days=this_month())
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(office.mongodb_url, tz_aware=True)
    try:
        dossiers = client[office.database("archive")]["dossiers"]
        if not runs:
            await dossiers.update_many({}, {"$unset": {"runs": ""}})
        since = datetime.now(JAKARTA).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        return await dossiers.count_documents({"ended_at": {"$gte": since}})
    finally:
        await client.close()


async def run(month: int) -> dict[str, Any]:
    result: dict[str, Any] = {"started_at": datetime.now(UTC).isoformat(), "month": month}
    with bench_servers(result) as (servers, smtp, work):
        sides = {side: System(servers, work / side, smtp, pages=True) for side in SIDES}
        with all_running(sides):
            result["dossiers_this_month"] = {
                side: await a_month_of_work(system, month, runs=side == "with_runs") for side, system in sides.items()
            }
            await asyncio.sleep(5)  # the services' rounds after a large write are not the pages' time
            result |= await page_times(sides)
    result["finished_at"] = datetime.now(UTC).isoformat()
    return result


def render(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        "# Warta: the dashboard with a month's work",
        "",
        f"Run {result['started_at'][:16]} UTC on {m.get('cpus')} CPUs, servers: {m.get('backend')}. "
        f"On each side {result['month']} requests finished this month (dossiers ended since the 1st, Asia/Jakarta: "
        f"{', '.join(str(n) for n in result['dossiers_this_month'].values())}): 2 walked, the rest cloned from one "
        f"of them into this month. {ASKED} answers of each page on each side, asked in turn, the section head signed "
        "in; server time from this script on loopback.",
        "",
        "| page | p50 / p99, step runs read from each dossier | p50 / p99, each request's records read | p99 ratio |",
        "|---|---|---|---|",
    ]
    for page, kept in result["with_runs"].items():
        read = result["from_records"][page]
        lines.append(
            f"| {page} | {kept['p50'] * 1000:.0f} / {kept['p99'] * 1000:.0f} ms"
            f" | {read['p50'] * 1000:.0f} / {read['p99'] * 1000:.0f} ms | {read['p99'] / kept['p99']:.1f}x |"
        )
    lines += [
        "",
        "The two sides are two systems on the same servers, prepared alike; on the second the runs are "
        "removed from every dossier, so its archive times each request from its records (one query a "
        "request), as every summary did before the dossiers carried their step runs.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", type=int, default=MONTH, help="requests finished this month")
    args = parser.parse_args()
    result = asyncio.run(run(args.month))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "dashboard.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "dashboard.md").write_text(render(result))
    print(render(result))


if __name__ == "__main__":
    main()
