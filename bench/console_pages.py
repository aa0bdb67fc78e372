"""The console's pages as the officers open them, for ``bench/system.py``: what a run needs for
them (the notifier's directory, requests left in flight at the steps whose pages show work under
way) and each page's server time, a GET from this script to the console on loopback with an
officer signed in as the console signs one in (its development sign-in, a cookie).

Every GET route of the console is either measured here or named in ``LEFT_OUT`` with why; a
route added to the console and in neither is listed as such in the results."""

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from warta.contracts import Role
from warta.devstack.demo import (
    ADMIN,
    PHOTOGRAPHER,
    SECTION_HEAD,
    SOCIAL_MEDIA,
    TEAM_LEAD,
    VIDEOGRAPHER,
    WRITER,
    walk,
)
from warta.runtime.indonesian import JAKARTA

Officer = tuple[str, Role]
TokenFor = Callable[[str, Role], str]

# The console's development sign-in offers these four (ConsoleSettings.dev_officers): one a role.
SIGNED_IN = {ADMIN: "admin", SECTION_HEAD: "section head", TEAM_LEAD: "team lead", WRITER: "coverage team"}
# In the directory, so the notifier writes each officer's messages: by email only, at any hour
# (quiet hours would hold them), each kind as the notifier's defaults gather them.
DIRECTORY = (ADMIN, SECTION_HEAD, TEAM_LEAD, WRITER, PHOTOGRAPHER, VIDEOGRAPHER, SOCIAL_MEDIA)
# Each request left in flight has its event this far apart from every other walk's: its team is free.
IN_FLIGHT_EVENTS = 500
REPEATS = 200
SECONDS = 5  # per page and history size, as for the queries
# A p99 of fewer than 100 answers is their slowest one: a slow page is asked until it has 100,
# within this many seconds.
MIN_REPEATS = 100
MAX_SECONDS = 30
PATIENCE = 120  # seconds an officer's browser waits for a page, here; longer is "no answer"
SLOW = 1.0  # seconds: an answer this slow may have left work behind it

# GET routes not measured, and why.
LEFT_OUT = {
    "/openapi.json": "FastAPI's description of the console's routes: no page, reads nothing",
    "/healthz": "the health probe: no page, reads nothing",
    "/readyz": "the readiness probe: no page, reads nothing",
    "/static": "the stylesheet and scripts (StaticFiles): files, not a query",
    "/masuk/oidc": "sign-in through the city's identity provider: a redirect to it; the bench signs in as in "
    "development (no provider)",
    "/masuk/kembali": "the provider's return to the console: exchanges a code with the provider; none in the bench",
    "/bahasa/{lang}": "sets the language cookie and redirects back: reads nothing",
    "/permohonan/{request_id}/pindaian": "a letter's scan, streamed from the intake by its request: the walked "
    "letters have none, and a file by its id does not grow with the history",
}


@dataclass(frozen=True)
class Page:
    path: str
    officer: Officer | None  # None: opened without a sign-in
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class Walked:
    """The run's requests the pages show: one walked to publication (the history's template) and
    three left in flight, each held before the action that ends its step."""

    finished: str
    event_day: date  # of the finished request's event, WIB: the week of the run's own events
    disposing: str  # its disposition sheet issued, waiting for the section head (step 2)
    reviewing: str  # version 1 waiting for the team lead (step 5)
    publishing: str  # approved, its publication ready (step 7)
    asset: str  # the finished request's photo
    feeds: dict[str, str]  # the coverage team member's calendar feeds, as the console links them
    held: list[asyncio.Task[Any]] = field(default_factory=list)

    async def release(self) -> None:
        for task in self.held:
            task.cancel()
        await asyncio.gather(*self.held, return_exceptions=True)


async def keep_directory(urls: dict[str, str], token_for: TokenFor) -> None:
    """The officers in the notifier's directory, as the office administrator keeps it."""
    headers = {"Authorization": f"Bearer {token_for(*ADMIN)}"}
    async with httpx.AsyncClient(base_url=urls["notifier"], headers=headers, timeout=30) as notifier:
        for officer_id, role in DIRECTORY:
            entry = {
                "officer_id": officer_id,
                "name": officer_id.split(".")[0].title(),
                "role": role.value,
                "email": f"{officer_id}@tangerangkota.example",
                "channels": ["email"],
                "quiet_from": None,
                "quiet_until": None,
            }
            (await notifier.put(f"/officers/{officer_id}", json=entry)).raise_for_status()


async def leave_in_flight(urls: dict[str, str], token_for: TokenFor, step: int, number: int) -> tuple[str, Any]:
    """A request walked as every other, held before the action that ends ``step``: its id and the
    held walk (cancelled when the run is done)."""
    reached, never = asyncio.Event(), asyncio.Event()

    async def before(at: int) -> None:
        if at == step:
            reached.set()
            await never.wait()

    walking = asyncio.create_task(
        walk(urls, token_for, before=before, straight=True, event_starts_in=timedelta(days=1, hours=3 * number))
    )
    there = asyncio.create_task(reached.wait())
    await asyncio.wait({walking, there}, return_when=asyncio.FIRST_COMPLETED)
    if walking.done():  # it failed, or never came to the step
        there.cancel()
        walking.result()
        raise RuntimeError(f"the walk never reached step {step}")
    # Walked one at a time: the newest registration is this walk's.
    headers = {"Authorization": f"Bearer {token_for(*ADMIN)}"}
    async with httpx.AsyncClient(base_url=urls["intake"], headers=headers, timeout=30) as intake:
        newest = (await intake.get("/requests", params={"limit": 1})).raise_for_status().json()
    return str(newest["items"][0]["id"]), walking


async def prepare(urls: dict[str, str], token_for: TokenFor, finished: str) -> Walked:
    """Three requests left in flight, and what the finished one's pages link to."""
    held, left = [], {}
    for n, step in enumerate((2, 5, 7)):
        left[step], task = await leave_in_flight(urls, token_for, step, IN_FLIGHT_EVENTS + n)
        held.append(task)

    def as_(officer: Officer) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_for(*officer)}"}

    async with httpx.AsyncClient(timeout=30) as client:
        request = (await client.get(f"{urls['intake']}/requests/{finished}", headers=as_(ADMIN))).json()
        view = (await client.get(f"{urls['coverage']}/coverage/{finished}", headers=as_(WRITER))).json()
        feeds = (await client.get(f"{urls['scheduler']}/feeds", headers=as_(WRITER))).json()
    starts = datetime.fromisoformat(request["event"]["starts_at"]).astimezone(JAKARTA)
    return Walked(
        finished=finished,
        event_day=starts.date(),
        disposing=left[2],
        reviewing=left[5],
        publishing=left[7],
        asset=view["assets"][0]["asset_id"],
        feeds=feeds,
        held=held,
    )


def pages_of(walked: Walked) -> dict[str, Page]:
    """Every page measured, by what it shows and to whom."""
    done, disposing, reviewing, publishing = walked.finished, walked.disposing, walked.reviewing, walked.publishing
    today = datetime.now(JAKARTA).date()
    week = {"dari": f"{today - timedelta(days=7)}", "sampai": f"{today}"}
    pages = {f"/ home ({role})": Page("/", officer) for officer, role in SIGNED_IN.items()}
    return pages | {
        # htmx reloads the home list every half minute: the section head's has two services' lists.
        "/menunggu home list (section head)": Page("/menunggu", SECTION_HEAD),
        "/masuk sign-in page": Page("/masuk", None),
        "/bantuan help": Page("/bantuan", WRITER),
        "/surat register": Page("/surat", ADMIN),
        "/surat register, page 2": Page("/surat", ADMIN, {"halaman": "2"}),
        "/surat sender search": Page("/surat", ADMIN, {"pengirim": "Dinas Pendidikan"}),
        # Every past request is from this sender: a page of the newest, the count at its bound.
        "/surat sender search, all matching": Page("/surat", ADMIN, {"pengirim": "Dinas Komunikasi"}),
        "/surat subject words search": Page("/surat", ADMIN, {"perihal": "peliputan peresmian"}),
        "/surat state search": Page("/surat", ADMIN, {"status": "awaiting_disposition"}),
        "/surat.csv week received": Page("/surat.csv", ADMIN, week),
        "/surat/baru letter form": Page("/surat/baru", ADMIN),
        "/agenda this week": Page("/agenda", TEAM_LEAD),
        "/agenda week of the run's events": Page("/agenda", TEAM_LEAD, {"hari": f"{walked.event_day}"}),
        "/agenda day of the run's events": Page(
            "/agenda", TEAM_LEAD, {"hari": f"{walked.event_day}", "tampilan": "hari"}
        ),
        "/dasbor dashboard (this week, this month)": Page("/dasbor", SECTION_HEAD),
        "/dasbor.csv dashboard export": Page("/dasbor.csv", SECTION_HEAD),
        "/tim roster and kit": Page("/tim", TEAM_LEAD),
        "/direktori directory": Page("/direktori", ADMIN),
        "/media media registry": Page("/media", ADMIN),
        "/penyimpangan deviations (admin)": Page("/penyimpangan", ADMIN),
        "/penyimpangan deviations (coverage team)": Page("/penyimpangan", WRITER),
        "/pemberitahuan messages (admin)": Page("/pemberitahuan", ADMIN),
        "/pemberitahuan messages (coverage team)": Page("/pemberitahuan", WRITER),
        "/kalender calendar links": Page("/kalender", WRITER),
        "/kalender agenda feed (.ics)": _feed(walked.feeds["agenda"]),
        "/kalender own assignments feed (.ics)": _feed(walked.feeds["mine"]),
        "finished: /permohonan request (admin)": Page(f"/permohonan/{done}", ADMIN),
        "finished: /permohonan request (coverage team)": Page(f"/permohonan/{done}", WRITER),
        "finished: /agenda/{id} assignment": Page(f"/agenda/{done}", TEAM_LEAD),
        "finished: /liputan workspace": Page(f"/liputan/{done}", WRITER),
        "finished: /tinjauan review": Page(f"/tinjauan/{done}", SECTION_HEAD),
        "finished: /publikasi publication": Page(f"/publikasi/{done}", WRITER),
        "finished: /berkas photo thumbnail": Page(f"/berkas/{walked.asset}", WRITER, {"kecil": "true"}),
        "step 2: /permohonan letter and disposition (section head)": Page(f"/permohonan/{disposing}", SECTION_HEAD),
        "step 2: /permohonan/{id}/lembar-disposisi.pdf": Page(
            f"/permohonan/{disposing}/lembar-disposisi.pdf", SECTION_HEAD
        ),
        "step 5: /permohonan request (team lead)": Page(f"/permohonan/{reviewing}", TEAM_LEAD),
        "step 5: /agenda/{id} assignment": Page(f"/agenda/{reviewing}", TEAM_LEAD),
        "step 5: /liputan workspace": Page(f"/liputan/{reviewing}", WRITER),
        "step 5: /tinjauan review (team lead)": Page(f"/tinjauan/{reviewing}", TEAM_LEAD),
        "step 7: /publikasi publication (ready)": Page(f"/publikasi/{publishing}", WRITER),
        "step 7: /permohonan request (admin)": Page(f"/permohonan/{publishing}", ADMIN),
    }


def _feed(link: str) -> Page:
    """A calendar app's poll: the scheduler's feed path through the console, opened by its key."""
    path, _, query = link.partition("?key=")
    return Page(f"/kalender{path}", None, {"key": query})


async def sign_in(client: httpx.AsyncClient, console: str, officer: Officer) -> str:
    """The console's development sign-in, as the page's form sends it: its cookie."""
    answer = await client.post(f"{console}/masuk", data={"officer_id": officer[0]})
    if answer.status_code != 303 or "warta_token" not in answer.cookies:
        raise RuntimeError(f"the console did not sign {officer[0]} in: {answer.status_code} {answer.text[:200]}")
    return str(answer.cookies["warta_token"])


async def page_latencies(
    sides: dict[str, tuple[str, Walked]], settle: Callable[[], Awaitable[float]] | None = None
) -> dict[str, dict[str, dict[str, Any]]]:
    """Each page's server time as the officer's browser waits for it (the HTML, not what it then
    loads), on each side: a console (its URL) and the requests its pages show, by the size of its
    system's history. Pages are asked in rounds, one answer of each page on each side per round,
    until each has ``REPEATS`` answers or has taken ``SECONDS`` with at least ``MIN_REPEATS`` (or
    ``MAX_SECONDS`` without): a burst of load from whatever else
    runs on the machine falls on every page and every side alike, not wholly on one. A page that
    does not answer 200 is timed all the same, and its answers are counted by status. After an
    answer slower than ``SLOW`` or other than 200, ``settle`` waits (untimed) until the systems are
    at rest: the console does not stop work given up on, nor a service the query the console gave
    up on, and the next page must not be timed behind it."""
    pages = {side: pages_of(walked) for side, (_, walked) in sides.items()}
    labels = list(next(iter(pages.values())))
    timings: dict[str, dict[str, list[float]]] = {side: {label: [] for label in labels} for side in sides}
    statuses: dict[str, dict[str, Counter[str]]] = {side: {label: Counter() for label in labels} for side in sides}
    sizes: dict[str, dict[str, int]] = {side: dict.fromkeys(labels, 0) for side in sides}
    async with httpx.AsyncClient(timeout=PATIENCE) as client:
        cookies = {
            side: {officer: await sign_in(client, console, officer) for officer in SIGNED_IN}
            for side, (console, _) in sides.items()
        }
        asked = True
        while asked:
            asked = False
            for label in labels:
                for side, (console, _) in sides.items():
                    taken = timings[side][label]
                    spent = sum(taken)
                    if (
                        len(taken) >= REPEATS
                        or spent >= MAX_SECONDS
                        or (spent >= SECONDS and len(taken) >= MIN_REPEATS)
                    ):
                        continue
                    page = pages[side][label]
                    headers = {"Cookie": f"warta_token={cookies[side][page.officer]}"} if page.officer else {}
                    started = time.perf_counter()
                    try:
                        answer = await client.get(console + page.path, params=page.params, headers=headers)
                        status, sizes[side][label] = str(answer.status_code), len(answer.content)
                    except httpx.TimeoutException:
                        status = "no answer"  # within the client's timeout: timed as that long
                    taken.append(time.perf_counter() - started)
                    statuses[side][label][status] += 1
                    asked = True
                    if settle is not None and (status != "200" or taken[-1] > SLOW):
                        waited = await settle()
                        print(f"  {side} past, {label}: {taken[-1]:.1f} s, {status}; at rest {waited:.0f} s later")
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for side in sides:
        found[side] = {}
        for label in labels:
            page, taken = pages[side][label], timings[side][label]
            found[side][label] = {
                **percentiles(taken[1:] or taken),  # the first may load a template or an index
                "path": page.path,
                "officer": page.officer[0] if page.officer else None,
                "statuses": dict(statuses[side][label]),
                "bytes": sizes[side][label],
            }
            said = found[side][label]
            print(f"  {side} past, {label}: p99 {said['p99'] * 1000:.1f} ms {said['statuses']}", flush=True)
    return found


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {"n": len(ordered), "p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "mean": sum(ordered) / len(ordered)}


def console_routes() -> list[str]:
    """Every GET route the console answers, as its app declares them."""
    from warta.console.app import ConsoleSettings, create_app  # the console's own, as it runs

    app = create_app(ConsoleSettings())
    # The routers' routes as the app's OpenAPI document lists them; beside them, the app's own
    # (the document itself, a mount: the static files has no methods).
    paths = [path for path, methods in app.openapi()["paths"].items() if "get" in methods]
    for route in app.routes:
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if path is not None and (methods is None or "GET" in methods):
            paths.append(str(path))
    return sorted(set(paths))


def coverage_of_routes(measured: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Each GET route of the console: measured (by which labels) or left out (why)."""
    used: dict[str, list[str]] = {}
    for label, timing in measured.items():
        used.setdefault(_route_of(timing["path"]), []).append(label)
    try:
        routes = console_routes()
    except Exception as failed:  # the console's code as it is now on disk; say so rather than lose the run
        return {"(routes)": f"the console's routes could not be listed: {type(failed).__name__}: {failed}"}
    said = {}
    for route in routes:
        if route in used:
            said[route] = "measured: " + "; ".join(used[route])
        elif route in LEFT_OUT:
            said[route] = "left out: " + LEFT_OUT[route]
        else:
            said[route] = "NOT MEASURED, no reason given (a route added since this bench was written)"
    return said


def _route_of(path: str) -> str:
    """The console's route a measured path is an instance of."""
    parts = path.split("/")
    known = {
        ("permohonan", 3): "/permohonan/{request_id}",
        ("agenda", 3): "/agenda/{request_id}",
        ("liputan", 3): "/liputan/{request_id}",
        ("tinjauan", 3): "/tinjauan/{request_id}",
        ("publikasi", 3): "/publikasi/{request_id}",
        ("berkas", 3): "/berkas/{asset_id}",
    }
    if len(parts) > 1 and parts[1] == "kalender" and len(parts) > 2:
        return "/kalender/{path}"
    if path.endswith("/lembar-disposisi.pdf"):
        return "/permohonan/{request_id}/lembar-disposisi.pdf"
    return known.get((parts[1], len(parts)), path) if len(parts) > 1 else path
