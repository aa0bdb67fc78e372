"""Every page of the console, as every role, rendered from answers shaped exactly as the services'
OpenAPI documents say (the typed models in ``console.clients``, every field filled): a template
that reads a field no service returns fails here (Jinja's StrictUndefined), instead of showing
an officer a blank. The services are stood in for by those answers, so this proves the pages
against the documents; the browser walks prove them against the running services."""

import enum
import re
import types
import typing
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from jinja2 import ChoiceLoader, DictLoader
from pydantic import AnyUrl, AwareDatetime, BaseModel

from warta.console import clients
from warta.console.app import ConsoleSettings, create_app
from warta.console.pages import TOKEN_COOKIE
from warta.contracts import FIRST_SOP, Role
from warta.devstack.clients import openapi_of
from warta.runtime import issue_dev_token
from warta.runtime.registry import called_by

SERVICES = called_by("console")
URL = {name: f"http://{name}.test" for name in SERVICES}
# Values a pattern admits, for the patterns the documents use; a new pattern fails the test
# until it is given one here.
PATTERNS = {
    "^([01][0-9]|2[0-3]):[0-5][0-9]$": "21:00",
    "^[0-9a-f]{64}$": "a" * 64,
    "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$": "KAMERA-01",
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": "sari@radiokota.example",
    "^[a-z0-9][a-z0-9._-]{1,63}$": "dewi.penulis",
    r"^\+?[0-9][0-9 ()-]{5,24}$": "+6281234567890",
}
# Fields whose text means something to the pages beyond being text.
MEANINGFUL = {"sop": FIRST_SOP, "uri": "http://coverage.test/assets/a1", "url": "https://kota.example/berita/1"}


def sample(annotation: Any, name: str, turn: int, field: Any = None) -> Any:
    """A value of ``annotation`` as JSON would carry it; enums take their ``turn``-th member, so
    several turns reach the pages' branches on state."""
    if hasattr(annotation, "__value__"):  # a named alias of a type
        return sample(annotation.__value__, name, turn, field)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return sample(args[0], name, turn, field)
    if origin in (typing.Union, types.UnionType):
        return sample(next(a for a in args if a is not type(None)), name, turn, field)
    if origin is list or origin is tuple:
        return [sample(args[0], name, turn)]
    if origin is dict:
        key = sample(args[0], name, turn)
        return {key if isinstance(key, str) else str(key): sample(args[1], name, turn)}
    if origin is typing.Literal:
        return args[turn % len(args)]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        members = list(annotation)
        return members[turn % len(members)].value
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return answer_of(annotation, turn)
    return plain(annotation, name, field)


def plain(annotation: Any, name: str, field: Any) -> Any:
    known = ("pattern", "max_length", "min_length", "ge", "gt", "le", "lt")
    metadata = field.metadata if field else []
    limits = {k: getattr(m, k) for m in metadata for k in known if getattr(m, k, None) is not None}
    if annotation is bool:
        return True
    if annotation in (int, float):
        return annotation(limits.get("ge", limits.get("gt", 0) + 1))
    if annotation in (datetime, AwareDatetime):
        return datetime(2026, 12, 7, 2, 0, tzinfo=UTC).isoformat()
    if annotation is date:
        return "2026-12-07"
    if annotation is AnyUrl:
        return MEANINGFUL["url"]
    if annotation is Any or annotation is object:
        return "contoh"
    assert annotation is str, f"no sample for {annotation} ({name})"
    if "pattern" in limits:
        assert limits["pattern"] in PATTERNS, f"give a value for the pattern {limits['pattern']} ({name})"
        return PATTERNS[limits["pattern"]]
    text = MEANINGFUL.get(name, f"contoh {name}")
    return text[: limits.get("max_length", len(text))].ljust(limits.get("min_length", 0), "x")


def answer_of(model: type[BaseModel], turn: int) -> dict[str, Any]:
    """Every field of ``model`` filled, optional ones too: a template may read any of them."""
    return {
        field.alias or name: sample(field.annotation, name, turn, field) for name, field in model.model_fields.items()
    }


def route(service: str) -> list[tuple[re.Pattern[str], str, Any]]:
    """Each GET path of the service's document, as a pattern, with the model of its answer."""
    module = getattr(clients, service)
    routes = []
    for path, operations in openapi_of(service)["paths"].items():
        if "get" not in operations:
            continue
        schema = operations["get"]["responses"].get("200", {}).get("content", {}).get("application/json", {})
        schema = schema.get("schema", {})
        ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
        shape: Any = getattr(module, ref.rsplit("/", 1)[-1]) if ref else None
        if shape is not None and schema.get("type") == "array":
            shape = list[shape]
        routes.append((re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path, shape))
    return routes


def services_answering(turn: int) -> dict[str, httpx.AsyncBaseTransport]:
    routes = {service: route(service) for service in SERVICES}

    def answer(request: httpx.Request) -> httpx.Response:
        service = request.url.host.removesuffix(".test")
        if request.method != "GET":
            # Every change refused, as a service would refuse it: the form pages render their problems.
            problem = {"field": "body.x", "message": "bad", "type": "missing"}
            return httpx.Response(422, json={"error": "validation_failed", "message": "bad", "fields": [problem]})
        for pattern, _, shape in routes[service]:
            if pattern.match(request.url.path):
                if shape is None:
                    return httpx.Response(200, content=b"%PDF-1.4 contoh", headers={"content-type": "application/pdf"})
                if typing.get_origin(shape) is list:
                    return httpx.Response(200, json=[answer_of(typing.get_args(shape)[0], turn)])
                return httpx.Response(200, json=answer_of(shape, turn))
        return httpx.Response(404, json={"error": "not_found", "message": "no such path", "fields": []})

    return {f"{URL[s]}": httpx.MockTransport(answer) for s in SERVICES}


def console(turn: int) -> Any:
    settings = ConsoleSettings(**{f"{name}_url": url for name, url in URL.items()})
    return create_app(settings, mounts=services_answering(turn))


def console_paths(app: Any, method: str) -> list[str]:
    """The console's own routes for ``method``, as its app lists them, its ids filled in."""
    paths = [p for p, operations in app.openapi()["paths"].items() if method in operations]
    skipped = ("/kalender/", "/bahasa/", "/masuk", "/keluar", "/healthz", "/readyz")
    return [
        re.sub(r"\{channel\}", "instagram", re.sub(r"\{(?!channel)[^}]+\}", "a1", p))
        for p in paths
        if not p.startswith(skipped)
    ]


def pages(app: Any) -> list[str]:
    """Every page an officer opens."""
    return console_paths(app, "get")


def forms(app: Any) -> list[str]:
    """Every form an officer sends."""
    return console_paths(app, "post")


def signed_in(app: Any, role: Role) -> httpx.AsyncClient:
    token = issue_dev_token(app.state.settings, officer_id="dewi.penulis", role=role, name="Dewi Lestari")
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # a failed page answers 500
    client = httpx.AsyncClient(transport=transport, base_url="http://console")
    client.cookies.set(TOKEN_COOKIE, token)
    return client


@pytest.mark.parametrize("turn", range(4))
async def test_every_page_renders_every_field_the_documents_give_for_every_role(turn):
    app = console(turn)
    failed = []
    for role in Role:
        async with signed_in(app, role) as officer:
            for path in pages(app):
                answer = await officer.get(path)
                if answer.status_code >= 500:
                    failed.append(f"GET {path} as {role.value}: {answer.status_code}")
            for path in forms(app):
                answer = await officer.post(path, data={"version": "1", "text": "x", "reason": "x"})
                if answer.status_code >= 500:
                    failed.append(f"POST {path} as {role.value}: {answer.status_code}")
    assert failed == []
    assert len(pages(app)) >= 20  # the console's pages are all reached, not just a few


async def test_a_template_reading_a_field_no_service_returns_fails():
    app = console(0)
    # The request page as it would read were a field misspelt: the page fails, it does not go blank.
    misspelt = "{% extends 'base.html' %}{% block main %}{{ item.agenda_numbr }}{% endblock %}"
    environment = app.state.templates.env
    environment.loader = ChoiceLoader([DictLoader({"request.html": misspelt}), environment.loader])
    async with signed_in(app, Role.ADMIN) as officer:
        assert (await officer.get("/permohonan/a1")).status_code == 500
    environment.loader = environment.loader.loaders[1]
    async with signed_in(app, Role.ADMIN) as officer:
        assert (await officer.get("/permohonan/a1")).status_code == 200
