"""``warta new-subscriber NAME``: a working subscriber in ``services/NAME/`` that hears every event
once (its own inbox, database and NATS user), keeps what it heard and shows it on its API, with
health, readiness, metrics and a test on the real servers. Outside its folder it adds only its
entry to the registry of services and its package to the workspace's list in ``pyproject.toml``;
``make k8s`` and ``make nats-config`` then derive its manifests and NATS user, and ``uv lock``
its place in the lock file (docs/adding-a-subscriber.md)."""

import re
from pathlib import Path

from warta.runtime.registry import REGISTRY, parse_registry

NAME = re.compile(r"^[a-z][a-z0-9]{1,30}$")
REGISTRY_FILE = Path("runtime/src/warta/runtime/services.toml")
WORKSPACE = Path("pyproject.toml")

FILES = {
    "pyproject.toml": """\
[project]
name = "warta-{name}"
version = "0.1.0"
description = "Warta's {name} subscriber: hears every event of every request"
requires-python = ">=3.11"
dependencies = ["warta-contracts", "warta-runtime"]

[build-system]
requires = ["uv_build>=0.9,<0.14"]
build-backend = "uv_build"

[tool.uv.build-backend]
module-name = "warta.{name}"

[tool.uv.sources]
warta-contracts = {{ workspace = true }}
warta-runtime = {{ workspace = true }}
""",
    "src/warta/{name}/__init__.py": '''\
"""The {name} subscriber: hears every event of every request and adds nothing to the flow."""
''',
    "src/warta/{name}/__main__.py": """\
from warta.runtime.serve import serve

from .app import {Name}Settings, create_app

if __name__ == "__main__":
    settings = {Name}Settings()
    serve(create_app(settings), settings)
""",
    "src/warta/{name}/domain.py": '''\
"""What the {name} subscriber keeps of each event (pure: no I/O)."""

from pydantic import AwareDatetime, BaseModel

from warta.contracts import Event


class Heard(BaseModel):
    """One event as this service heard it."""

    event_id: str
    type: str
    request_id: str
    time: AwareDatetime
    sop: str


def heard(event: Event) -> Heard:
    return Heard(event_id=str(event.id), type=event.type, request_id=event.subject, time=event.time, sop=event.sop)
''',
    "src/warta/{name}/store.py": '''\
"""The {name} subscriber's own database: one document per event heard."""

from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from warta.runtime import Tx
from warta.runtime.documents import from_document, to_document

from .domain import Heard

HEARD = "heard"


async def create_indexes(db: AsyncDatabase[Any]) -> None:
    await db[HEARD].create_index([("request_id", ASCENDING), ("time", ASCENDING)])


class {Name}Store:
    def __init__(self, db: AsyncDatabase[Any]) -> None:
        self._heard = db[HEARD]

    async def add(self, tx: Tx, heard: Heard) -> None:
        await self._heard.insert_one(to_document(heard, _id=heard.event_id), session=tx.session)

    async def of_request(self, request_id: str) -> list[Heard]:
        cursor = self._heard.find({{"request_id": request_id}}).sort([("time", ASCENDING), ("_id", ASCENDING)])
        return [from_document(Heard, doc) async for doc in cursor]
''',
    "src/warta/{name}/handlers.py": '''\
"""Load, decide, save: each event is applied in one transaction with its inbox entry, so a
redelivery changes nothing."""

from warta.contracts import Event
from warta.runtime import Tx, UnitOfWork

from .domain import Heard, heard
from .store import {Name}Store


class {Name}Handlers:
    def __init__(self, store: {Name}Store, uow: UnitOfWork) -> None:
        self._store = store
        self._uow = uow

    async def apply(self, event: Event) -> None:
        async def work(tx: Tx) -> None:
            await self._store.add(tx, heard(event))

        await self._uow.run(work, consumes=event)

    async def heard_of(self, request_id: str) -> list[Heard]:
        return await self._store.of_request(request_id)
''',
    "src/warta/{name}/subscribers.py": """\
from warta.contracts import CATALOGUE
from warta.runtime import Bus

from .handlers import {Name}Handlers


def subscribe(bus: Bus, handlers: {Name}Handlers) -> None:
    # Every event type, each through its own durable consumer with the runtime's ack policy.
    for event in CATALOGUE:
        bus.consume(event, handlers.apply)
""",
    "src/warta/{name}/api.py": '''\
"""What the {name} subscriber shows: the events it heard of one request."""

from typing import Annotated

from fastapi import APIRouter, Depends

from warta.runtime import Officer
from warta.runtime.http import service_handlers

from .domain import Heard
from .handlers import {Name}Handlers

router = APIRouter(tags=["{name}"])
Handlers = Annotated[{Name}Handlers, Depends(service_handlers)]


@router.get("/requests/{{request_id}}/heard")
async def heard_of(request_id: str, officer: Officer, handlers: Handlers) -> list[Heard]:
    return await handlers.heard_of(request_id)
''',
    "src/warta/{name}/app.py": '''\
"""The composition root of the {name} subscriber."""

from fastapi import FastAPI

from warta.runtime import ServiceRuntime, ServiceSettings
from warta.runtime.registry import port

from . import api
from .handlers import {Name}Handlers
from .store import {Name}Store, create_indexes
from .subscribers import subscribe


class {Name}Settings(ServiceSettings):
    service_name: str = "{name}"
    http_port: int = port("{name}")


def create_app(settings: {Name}Settings | None = None, runtime: ServiceRuntime | None = None) -> FastAPI:
    settings = settings or {Name}Settings()
    runtime = runtime or ServiceRuntime(settings)
    runtime.on_start(create_indexes)
    handlers = {Name}Handlers({Name}Store(runtime.db), runtime.uow)
    subscribe(runtime.bus, handlers)
    return runtime.http_app(title="Warta {name}", routers=[api.router], state={{"handlers": handlers}})
''',
    "tests/test_{name}.py": '''\
"""The {name} subscriber hears each event once, on the real servers: a repeat of an event on the
stream changes nothing."""

from warta.contracts import PressRelease, Role, subject_for
from warta.devstack.pytest_plugin import approved_version, eventually, running_app
from warta.{name}.app import {Name}Settings, create_app


async def test_each_event_is_heard_once(namespace):
    submitted, approved = approved_version("req-{name}", PressRelease(title="Judul", body="Isi"))
    async with running_app(create_app(namespace.settings({Name}Settings))) as client:
        head = namespace.token(Role.SECTION_HEAD, "hendra")
        # The approval twice, under two message ids: the stream keeps both, as a republish does.
        for n, event in enumerate((submitted, approved, approved)):
            suffix = subject_for(type(event)).removeprefix("warta.")
            await namespace.publish_raw(suffix, event.model_dump_json().encode(), f"{{event.id}}-{{n}}")

        async def heard():
            r = await client.get("/requests/req-{name}/heard", headers=head)
            return r.json() if r.status_code == 200 and len(r.json()) >= 2 else None

        found = await eventually(heard)
        assert [h["type"] for h in found] == [submitted.type, approved.type]
        assert (await client.get("/metrics")).status_code == 200
''',
}


def new_subscriber(root: Path, name: str) -> list[Path]:
    """Write the subscriber ``name`` under ``root`` and register it; the paths written."""
    if not NAME.match(name):
        raise ValueError("a subscriber's name is 2 to 31 lower-case letters or digits, starting with a letter")
    if name in REGISTRY or (root / "services" / name).exists():
        raise ValueError(f"{name} already exists")
    folder = root / "services" / name
    written = []
    for path, template in FILES.items():
        target = folder / path.format(name=name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(template.format(name=name, Name=name.capitalize()), encoding="utf-8")
        written.append(target)
    written.append(_register(root, name))
    written.append(_join_workspace(root, name))
    return written


def _register(root: Path, name: str) -> Path:
    """Its entry in the registry: the next free port, called by nobody, reaching nothing outside."""
    path = root / REGISTRY_FILE
    text = path.read_text(encoding="utf-8")
    port = max(s.port for s in parse_registry(text).values()) + 1
    text = text.rstrip("\n") + f'\n\n[{name}]\nport = {port}\nkind = "subscriber"\ncalled_by = []\n'
    parse_registry(text)  # still a registry that can be followed
    path.write_text(text, encoding="utf-8")
    return path


def _join_workspace(root: Path, name: str) -> Path:
    """Its package in the workspace's dependencies and sources, and its source in mypy's path."""
    path = root / WORKSPACE
    text = path.read_text(encoding="utf-8")
    text = text.replace('    "warta-devstack",\n]', f'    "warta-devstack",\n    "warta-{name}",\n]', 1)
    text = text.replace(
        "warta-devstack = { workspace = true }\n",
        f"warta-devstack = {{ workspace = true }}\nwarta-{name} = {{ workspace = true }}\n",
        1,
    )
    text = text.replace('"tools/devstack/src"]', f'"tools/devstack/src", "services/{name}/src"]', 1)
    if f'"warta-{name}"' not in text or f"services/{name}/src" not in text:
        raise ValueError("pyproject.toml is not laid out as expected: add the package by hand")
    path.write_text(text, encoding="utf-8")
    return path
