"""Pytest fixtures shared by every test suite of the repository: real servers and isolated namespaces.

Servers start once per test session, each pytest-xdist worker its own (see ``servers.provide_servers``
for the order of choice); every test gets its own stream, subject prefix and databases, so tests never
see each other's data.
"""

import asyncio
import contextlib
import copy
import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import nats
import pytest
from fastapi import FastAPI
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.database import AsyncDatabase

from warta.contracts import (
    Approved,
    ApprovedData,
    AssetRef,
    CoverageSubmitted,
    CoverageSubmittedData,
    Event,
    PressRelease,
    ReviewLevel,
    Role,
    SocialPost,
    parse_event,
    subject_for,
)
from warta.runtime import ServiceSettings, issue_dev_token

from .demo import SERVICES, SUBSCRIBERS, settings_class
from .servers import Servers, free_port, provide_servers

S = TypeVar("S", bound=ServiceSettings)

_started: list[Servers] = []
_running: "list[ServiceProcess]" = []  # the service processes of the test under way

# Retries and sweeps come quickly in tests; production uses the settings' defaults.
FAST = {"redelivery_backoff_seconds": (0.2, 0.5, 1.0), "max_deliver": 4, "outbox_sweep_seconds": 0.5}


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    work_dir = Path(tempfile.mkdtemp(prefix="warta-test-servers-"))
    provided = provide_servers(work_dir)
    _started.append(provided)
    sys.stderr.write(f"\nWarta test servers: {provided.backend}\n")
    try:
        yield provided
    finally:
        provided.close()
        # Data of embedded servers; a long suite leaves hundreds of megabytes.
        shutil.rmtree(work_dir, ignore_errors=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A test that fails while service processes run reports what each was doing then, and what
    the database server logged lately: a hang that does not come back leaves only this."""
    report = yield
    if report.when == "call" and report.failed:
        for proc in list(_running):
            report.sections.append((f"warta.{proc.name} when the test failed: its tasks and threads", proc.stacks()))
        for server in (server for provided in _started for server in (provided.mongo, provided.nats)):
            if server is not None and server.log_path.exists():
                tail = server.log_path.read_text(errors="replace").splitlines()[-40:]
                report.sections.append((f"{server.name}'s last log lines", "\n".join(tail)))
    return report


_workers_servers: list[str] = []  # under pytest-xdist: what each worker's servers were, as it reported them


def _servers_lines() -> list[str]:
    return [
        f"Warta test servers: {provided.backend} (nats {provided.nats_url}, mongodb {provided.mongodb_url})"
        for provided in _started
    ]


def pytest_sessionfinish(session: pytest.Session) -> None:
    # A pytest-xdist worker's terminal is not shown: it hands its servers' line to the controller.
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["warta_servers"] = _servers_lines()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    if error is None:  # a worker stopped by Ctrl-C is reported down twice, the second time with an error
        _workers_servers.extend(getattr(node, "workeroutput", {}).get("warta_servers", ()))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in [*_servers_lines(), *_workers_servers]:
        terminalreporter.write_line(line)


@dataclass
class Namespace:
    """One test's private slice of the servers."""

    key: str
    servers: Servers

    @property
    def stream_name(self) -> str:
        return f"T{self.key.upper()}"

    @property
    def subject_prefix(self) -> str:
        return f"t{self.key}"

    def values(self, service: str) -> dict[str, Any]:
        """Settings of a service in this namespace."""
        return {
            "nats_url": self.servers.nats_url,
            "mongodb_url": self.servers.mongodb_url,
            "mongodb_database": self.database(service),
            "stream_name": self.stream_name,
            "subject_prefix": self.subject_prefix,
            **FAST,
        }

    def database(self, service: str) -> str:
        return f"t{self.key}_{service}"

    def env(self, service: str) -> dict[str, str]:
        """The same settings as environment variables, for a service process."""
        return {
            f"WARTA_{name.upper()}": json.dumps(value) if isinstance(value, tuple) else str(value)
            for name, value in self.values(service).items()
        }

    def settings(self, cls: type[S], **overrides: Any) -> S:
        service = cls.model_fields["service_name"].default
        return cls(**{**self.values(service), **overrides})

    def token(self, role: Role, officer_id: str) -> dict[str, str]:
        settings = ServiceSettings(service_name="test")
        return {"Authorization": f"Bearer {issue_dev_token(settings, officer_id=officer_id, role=role)}"}

    async def events(self, subject_filter: str = ">") -> list[Event]:
        """Every event in this namespace's stream, in stream order."""
        return [parse_event(data) for data in await self.raw_messages(subject_filter)]

    async def raw_messages(self, subject_filter: str = ">", stream: str | None = None) -> list[bytes]:
        return [
            data
            for subject, data, _ in await self.stored(stream)
            if subject_filter == ">" or subject.endswith(subject_filter)
        ]

    async def dead_letters(self) -> list[tuple[str, dict[str, str]]]:
        """(subject, headers) of every message in this namespace's dead-letter stream."""
        return [(subject, headers) for subject, _, headers in await self.stored(f"{self.stream_name}_DLQ")]

    async def stored(self, stream: str | None = None) -> list[tuple[str, bytes, dict[str, str]]]:
        """(subject, data, headers) of every message in a stream (default: the event stream)."""
        nc = await nats.connect(self.servers.nats_url)
        try:
            js = nc.jetstream()
            name = stream or self.stream_name
            try:
                info = await js.stream_info(name)
            except nats.js.errors.NotFoundError:
                return []
            if not info.state.messages:
                return []
            found = []
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                try:
                    msg = await js.get_msg(name, seq)
                except nats.js.errors.NotFoundError:
                    continue
                found.append((msg.subject or "", msg.data or b"", dict(msg.headers or {})))
            return found
        finally:
            await nc.close()

    async def publish_raw(self, subject_suffix: str, payload: bytes, msg_id: str) -> Any:
        nc = await nats.connect(self.servers.nats_url)
        try:
            js = nc.jetstream()
            return await js.publish(f"{self.subject_prefix}.{subject_suffix}", payload, headers={"Nats-Msg-Id": msg_id})
        finally:
            await nc.close()


def approved_version(
    request_id: str,
    release: PressRelease,
    assets: tuple[AssetRef, ...] = (),
    social_posts: tuple[SocialPost, ...] = (),
    level: ReviewLevel = ReviewLevel.SECTION_HEAD,
) -> tuple[CoverageSubmitted, Approved]:
    """Version 1 of ``release``, submitted half an hour ago and approved now at ``level``, as the
    coverage and review services would publish them."""
    now = datetime.now(UTC)
    submitted = CoverageSubmitted.occurred(
        data=CoverageSubmittedData(
            request_id=request_id,
            version=1,
            press_release=release,
            assets=assets,
            submitted_by="dewi",
            contributors=("dewi",),
            social_posts=social_posts,
        ),
        request_id=request_id,
        time=now - timedelta(minutes=30),
    )
    approved = Approved.occurred(
        data=ApprovedData(request_id=request_id, version=1, level=level), request_id=request_id, time=now
    )
    return submitted, approved


async def publish_approved(
    namespace: Namespace, request_id: str, release: PressRelease, assets: tuple[AssetRef, ...]
) -> None:
    """An approved version of ``release`` published to this namespace's stream."""
    for event in approved_version(request_id, release, assets):
        suffix = subject_for(type(event)).removeprefix("warta.")
        await namespace.publish_raw(suffix, event.model_dump_json().encode(), str(event.id))


@pytest.fixture
def namespace(servers: Servers) -> Namespace:
    return Namespace(key=uuid.uuid4().hex[:10], servers=servers)


@pytest.fixture
async def mongo(servers: Servers) -> AsyncIterator[AsyncMongoClient[Any]]:
    client: AsyncMongoClient[Any] = AsyncMongoClient(servers.mongodb_url, tz_aware=True)
    yield client
    await client.close()


class Finds(monitoring.CommandListener):
    """The collection of every ``find`` the client sent, and the name of every command, in order:
    for the tests that hold the code to a number of queries."""

    def __init__(self) -> None:
        self.collections: list[str] = []
        self.commands: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.commands.append(event.command_name)
        if event.command_name == "find":
            self.collections.append(event.command["find"])

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
async def watched(servers: Servers) -> AsyncIterator[tuple[AsyncMongoClient[Any], Finds]]:
    """A database client that notes what it sends (``Finds``)."""
    finds = Finds()
    client: AsyncMongoClient[Any] = AsyncMongoClient(servers.mongodb_url, tz_aware=True, event_listeners=[finds])
    try:
        yield client, finds
    finally:
        await client.close()


def with_field(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of a request body with one dotted path replaced, or removed when value is ``...``."""
    doc = copy.deepcopy(base)
    *parents, last = path.split(".")
    target = doc
    for part in parents:
        target = target[part]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return doc


async def snapshot(db: AsyncDatabase[Any], *, without: tuple[str, ...] = ()) -> dict[str, list[dict[str, Any]]]:
    """Every document of every collection, for before/after comparisons."""
    names = sorted(n for n in await db.list_collection_names() if n not in without)
    return {name: await db[name].find().sort("_id").to_list(None) for name in names}


async def settled(db: AsyncDatabase[Any]) -> dict[str, list[dict[str, Any]]]:
    """A snapshot once the outbox relay has sent what was committed (it marks events sent), so
    before/after comparisons see only what a call itself changed."""

    async def nothing_pending() -> bool:
        return await db.outbox.count_documents({"sent_at": None}) == 0

    await eventually(nothing_pending)
    return await snapshot(db)


class ServiceCaller:
    """One service running in this process and the officers calling it, for API tests:
    ``call`` as an officer, ``ok`` expecting a status, ``refused`` expecting a refusal that names
    its field and leaves the service's database as it was."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient, namespace: Namespace, db: AsyncDatabase[Any]) -> None:
        self.app, self.client, self.ns, self.db = app, client, namespace, db

    async def call(self, officer: tuple[Role, str], method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.ns.token(*officer), **kwargs.pop("headers", {})}
        return await self.client.request(method, path, headers=headers, **kwargs)

    async def ok(self, officer: tuple[Role, str], method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = await self.call(officer, method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json()

    async def settled(self) -> dict[str, list[dict[str, Any]]]:
        return await settled(self.db)

    async def refused(
        self, status: int, officer: tuple[Role, str], method: str, path: str, *, field: str | None = None, **kwargs: Any
    ) -> Any:
        before = await self.settled()
        response = await self.call(officer, method, path, **kwargs)
        assert response.status_code == status, response.text
        body = response.json()
        assert_a_refusal(body)
        if field is not None:
            assert field in [f["field"] for f in body["fields"]], body
        assert await self.settled() == before, f"{method} {path} changed the database although refused"
        return body


def assert_a_refusal(body: Any) -> None:
    """The body every refusal has (``runtime.http.Problem``): an illegal transition also names the
    state it met, so a face can say why in its own words."""
    out_of_turn = {"state"} if body.get("error") == "illegal_transition" else set()
    assert set(body) == {"error", "message", "fields"} | out_of_turn, body
    assert body["message"], body
    assert not out_of_turn or isinstance(body["state"], str), body


@pytest.fixture
async def apps(namespace: Namespace) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """All five services running in this process, in this test's namespace."""
    async with apps_of(namespace, SERVICES) as clients:
        yield clients


@pytest.fixture
async def every_app(namespace: Namespace) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """Every service and subscriber of the registry, running in this process."""
    async with apps_of(namespace, SERVICES + SUBSCRIBERS) as clients:
        yield clients


@asynccontextmanager
async def apps_of(namespace: Namespace, names: tuple[str, ...]) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    async with AsyncExitStack() as stack:
        clients = {}
        for name in names:
            app_module = importlib.import_module(f"warta.{name}.app")
            app = app_module.create_app(namespace.settings(settings_class(name)))
            clients[name] = await stack.enter_async_context(running_app(app))
        yield clients


@asynccontextmanager
async def routed_apps(
    namespace: Namespace, names: tuple[str, ...], settings: dict[str, dict[str, Any]] | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """The services running in this process behind one client: ``http://<name>/...`` reaches
    service ``name``, as the walk and the console reach them over the network; the console, if
    named, reaches the others so too. ``settings``: a service's own, by its name (its mail relay,
    say)."""
    async with AsyncExitStack() as stack:
        mounts: dict[str, httpx.AsyncBaseTransport] = {}
        for name in names:
            own = namespace.settings(settings_class(name), **(settings or {}).get(name, {}))
            module = importlib.import_module(f"warta.{name}.app")
            if name == "console":
                # Created after the services it calls: its clients take the mounts as they are now.
                urls = {f"{n}_url": f"http://{n}" for n in names if n != "console" and hasattr(own, f"{n}_url")}
                app = module.create_app(own.model_copy(update=urls), mounts=mounts)
            else:
                app = module.create_app(own)
            await stack.enter_async_context(app.router.lifespan_context(app))
            mounts[f"http://{name}"] = httpx.ASGITransport(app=app)
        yield await stack.enter_async_context(httpx.AsyncClient(mounts=mounts, timeout=30))


@asynccontextmanager
async def running_app(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run an app's lifespan (database, bus, relay, consumers) and give an HTTP client to it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client


async def eventually(check: Callable[[], Any], timeout: float = 15.0, interval: float = 0.05) -> Any:
    """Poll ``check`` (sync or async) until it returns a truthy value; fail with its last answer."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s; last result: {last!r}")


@dataclass
class ServiceProcess:
    """A service run as its own OS process, as in production: ``python -m warta.<name>``."""

    name: str
    env: dict[str, str]
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, **extra_env: str) -> None:
        """Start the process and wait until this service, not whatever else holds the port,
        answers its health check. A first start whose port another process took after
        ``free_port`` chose it moves to a new port; a restart keeps its port, as its callers do."""
        first_start = self.process is None
        for attempt in range(3):
            env = {**os.environ, **self.env, **extra_env, "WARTA_HTTP_PORT": str(self.port)}
            with self.log_path.open("ab") as log_file:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", f"warta.{self.name}"],
                    env=env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                )
            try:
                wait_for_service(self.url, self.name, self.process)
                return
            except RuntimeError:
                taken = "address already in use" in self.log()[-4000:]
                if not (first_start and taken and attempt < 2):
                    raise
                self.port = free_port()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def exit_code(self) -> int | None:
        return self.process.poll() if self.process else None

    def stacks(self) -> str:
        """Where the process is: every thread's Python stack, read from outside by py-spy, then
        each asyncio task's, as the service logs it on SIGUSR1 (once it handles that signal)."""
        if self.process is None or self.process.poll() is not None:
            return "not running"
        return f"{self._threads()}\n{self._tasks()}"

    def _threads(self) -> str:
        assert self.process is not None
        beside = Path(sys.executable).with_name("py-spy")  # the project's own, then any on the path
        spy = str(beside) if beside.exists() else shutil.which("py-spy") or "py-spy"
        try:
            dump = subprocess.run(
                [spy, "dump", "--pid", str(self.process.pid)], capture_output=True, text=True, timeout=30
            )
        except (OSError, subprocess.TimeoutExpired) as failure:
            return f"py-spy could not read it: {failure}"
        return dump.stdout + dump.stderr

    def _tasks(self) -> str:
        assert self.process is not None
        # Unhandled, SIGUSR1 would end the process: a service sets its handler once it runs, and
        # removes it as it stops.
        if not _catches(self.process.pid, signal.SIGUSR1):
            return "no asyncio tasks: the process does not handle SIGUSR1 (starting, stopping, or not a service)"
        before = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.process.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if "tasks on SIGUSR1" in self._logged_since(before):
                time.sleep(0.5)  # the rest of the stacks
                return self._logged_since(before)
            time.sleep(0.1)
        return "no tasks logged within 5 s of SIGUSR1: the event loop is not turning"

    def _logged_since(self, offset: int) -> str:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def _catches(pid: int, signum: int) -> bool:
    """Whether the process has a handler for the signal (its caught mask in /proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next((line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), "0")
    return bool(int(caught, 16) >> (signum - 1) & 1)


def wait_for_service(url: str, name: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Until ``url``'s health check names ``name``; fail as soon as ``process`` has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"warta.{name} exited with {process.returncode} before answering")
        with contextlib.suppress(httpx.HTTPError, ValueError):
            answer = httpx.get(f"{url}/healthz", timeout=2)
            if answer.status_code == 200 and answer.json().get("service") == name:
                return
        time.sleep(0.05)
    raise TimeoutError(f"warta.{name} did not answer on {url} within {timeout}s")


@pytest.fixture
def service_processes(namespace: Namespace, tmp_path: Path) -> Iterator[Callable[[str], ServiceProcess]]:
    started: list[ServiceProcess] = []

    def make(name: str) -> ServiceProcess:
        proc = ServiceProcess(name, namespace.env(name), free_port(), tmp_path / f"{name}.log")
        started.append(proc)
        _running.append(proc)
        return proc

    yield make
    for proc in started:
        try:
            proc.stop()
        finally:
            _running.remove(proc)
