"""Composition root of the console."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from markupsafe import Markup, escape
from pydantic import Field, SecretStr, model_validator
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from warta.runtime import ServiceSettings, tracing
from warta.runtime.addresses import Reach, reaching
from warta.runtime.auth import TokenVerifier, Unauthenticated
from warta.runtime.http import TimedAnswers
from warta.runtime.indonesian import format_date, format_datetime
from warta.runtime.ratelimit import RateLimit
from warta.runtime.registry import called_by, port

from . import deviations, guide, notices, office, pages, steps, uploads
from .exports import indonesian_number
from .forms import wib_local
from .i18n import (
    LANGUAGES,
    field_message,
    leader_label,
    message_kind_label,
    needed_label,
    review_level_label,
    role_label,
    state_label,
    task_label,
    translate,
    vocabulary_label,
)
from .metrics import ConsoleMetrics, served
from .oidc import OidcClient
from .people import named
from .services import Services

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
# A calendar app polls /kalender/... without a sign-in: each feed is opened by its signed key.
OPEN_PATHS = ("/masuk", "/static/", "/bahasa/", "/healthz", "/readyz", "/kalender/")


def in_wib_words(moment: datetime | str) -> str:
    """An instant from the APIs as the office reads it: ``1 Desember 2026 pukul 09.00 WIB``."""
    return format_datetime(moment if isinstance(moment, datetime) else datetime.fromisoformat(moment))


def day_words(day: date | str) -> str:
    """A date as the office writes it: ``1 Desember 2026``."""
    return format_date(day if isinstance(day, date) else date.fromisoformat(day))


class ConsoleSettings(ServiceSettings):
    service_name: str = "console"
    http_port: int = port("console")
    intake_url: str = reaching(Reach.NEARBY, f"http://127.0.0.1:{port('intake')}")
    scheduler_url: str = reaching(Reach.NEARBY, f"http://127.0.0.1:{port('scheduler')}")
    coverage_url: str = reaching(Reach.NEARBY, f"http://127.0.0.1:{port('coverage')}")
    review_url: str = reaching(Reach.NEARBY, f"http://127.0.0.1:{port('review')}")
    publisher_url: str = reaching(Reach.NEARBY, f"http://127.0.0.1:{port('publisher')}")
    archive_url: str = reaching(Reach.NEARBY, f"http://127.0.0.1:{port('archive')}")
    notifier_url: str = reaching(Reach.NEARBY, f"http://127.0.0.1:{port('notifier')}")
    # The console has no bus and no database of its own: these are never reached.
    nats_url: str = Field(default="", description="Not used: the console has no bus.")
    mongodb_url: str = Field(default="", description="Not used: the console keeps no state.")
    public_url: str = reaching(
        Reach.PUBLIC, "http://127.0.0.1:8108", description="Where officers reach the console; sign-in returns under it."
    )
    oidc_issuer: str | None = reaching(
        Reach.NEARBY,
        None,
        description="The city's identity provider; set, officers sign in through it (auth_mode oidc).",
    )
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Where Prometheus reads the console's metrics without a session, apart from the officers' port "
        "(which the Ingress routes); unset, they are served nowhere.",
    )
    oidc_client_id: str = "warta-console"
    oidc_client_secret: SecretStr = SecretStr("")
    oidc_scope: str = "openid profile warta"
    sign_ins_per_minute: int = Field(
        default=60,
        ge=1,
        description="Sign-ins one address may start or complete in any minute; more get 429. A whole office may "
        "share one address behind its router, so this bounds a flood, not one officer.",
    )
    upload_chunk_bytes: int = Field(
        default=4 * 1024 * 1024,
        ge=64 * 1024,
        description="Bytes a browser sends per request of a photo or video upload (tus): what a dropped "
        "connection can lose at most, and resends.",
    )
    dev_officers: tuple[tuple[str, str, str], ...] = Field(
        default=(
            ("siti.admin", "Siti Rahmawati", "admin"),
            ("hendra.kabag", "Hendra Gunawan", "section_head"),
            ("rina.katim", "Rina Wulandari", "team_lead"),
            ("dewi.penulis", "Dewi Lestari", "coverage_team"),
        ),
        description="(officer id, name, role) offered by the development sign-in.",
    )

    @model_validator(mode="after")
    def _sign_in_is_whole(self) -> "ConsoleSettings":
        if self.oidc_issuer and self.auth_mode != "oidc":
            raise ValueError("oidc_issuer is set: auth_mode must be oidc, so the services' tokens are the provider's")
        if self.auth_mode == "oidc" and not (self.oidc_issuer and self.oidc_client_secret.get_secret_value()):
            raise ValueError("auth_mode oidc: oidc_issuer and oidc_client_secret are needed to sign officers in")
        return self


SERVICES = called_by("console")


def _sign_in_provider(settings: ConsoleSettings) -> OidcClient | None:
    """The city's identity provider, when one is configured (dev sign-in otherwise)."""
    if not settings.oidc_issuer:
        return None
    return OidcClient(
        settings.oidc_issuer,
        settings.oidc_client_id,
        settings.oidc_client_secret.get_secret_value(),
        redirect_uri=f"{settings.public_url.rstrip('/')}/masuk/kembali",
        scope=settings.oidc_scope,
    )


def agenda_no(number: str | None) -> Markup:
    """An agenda number as a page shows it: read as one, so a narrow screen moves it to the next
    line at one of its slashes if at all, never between two of its digits."""
    parts = [escape(part) for part in (number or "").split("/")]
    return Markup('<span class="agenda-no">{}</span>').format(Markup("/<wbr>").join(parts))


def _templates() -> Jinja2Templates:
    """The pages' templates with the words and labels of the console's Indonesian."""
    # A field a template reads that its page does not give fails the page (and its tests) instead
    # of showing a blank.
    environment = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined)
    templates = Jinja2Templates(env=environment)
    templates.env.globals["t"] = translate
    # An officer's name, or a plain word in the page's own language for one nobody has named.
    templates.env.globals["named"] = pass_context(
        lambda page, names, officer_id, name=None: named(names, officer_id, name, page["lang"])
    )
    templates.env.filters["wib"] = in_wib_words
    templates.env.filters["agenda_no"] = agenda_no
    templates.env.filters["wib_local"] = wib_local
    templates.env.filters["state"] = state_label
    templates.env.filters["role"] = role_label
    templates.env.filters["leader"] = leader_label
    templates.env.filters["task"] = task_label
    templates.env.filters["message_kind"] = message_kind_label
    templates.env.filters["vocabulary"] = lambda code, kind, lang="id": vocabulary_label(code, kind, lang)
    templates.env.filters["needed"] = needed_label
    templates.env.filters["problem"] = lambda problem, lang: field_message(problem.model_dump(mode="json"), lang)
    templates.env.filters["review_level"] = review_level_label
    templates.env.filters["decimal"] = lambda x: f"{x:g}".replace(".", ",")
    templates.env.filters["percent"] = lambda x: f"{indonesian_number(x)} %"
    templates.env.filters["thousands"] = lambda n: f"{n:,}".replace(",", ".")
    templates.env.filters["day"] = day_words
    templates.env.filters["weekday"] = lambda day: format_date(day, weekday=True)
    return templates


# Every router the console serves its officers from.
ROUTERS = tuple(m.router for m in (pages, steps, notices, office, uploads, deviations, guide))


def create_app(
    settings: ConsoleSettings | None = None, mounts: dict[str, httpx.AsyncBaseTransport] | None = None
) -> FastAPI:
    """``mounts``: how to reach services that run in the same process (tests), by URL prefix."""
    settings = settings or ConsoleSettings()
    metrics = ConsoleMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with served(metrics, settings.http_host, settings.metrics_port):
            yield
        await app.state.services.close()
        if app.state.oidc is not None:
            await app.state.oidc.close()

    app = FastAPI(
        title="Warta console", docs_url=None, redoc_url=None, lifespan=lifespan, telemetry=tracing.FASTAPI_TELEMETRY
    )
    app.state.settings = settings
    app.state.services = Services({name: getattr(settings, f"{name}_url") for name in SERVICES}, mounts=mounts)
    app.state.sign_in_limit = RateLimit(settings.sign_ins_per_minute, 60)
    app.state.oidc = _sign_in_provider(settings)
    app.state.templates = _templates()
    verifier = app.state.token_verifier = TokenVerifier(settings)

    async def signed_in(request: Request, call_next: RequestResponseEndpoint) -> Response:
        lang = request.cookies.get(pages.LANG_COOKIE, "id")
        request.state.lang = lang if lang in LANGUAGES else "id"
        if request.url.path.startswith(OPEN_PATHS):
            return await call_next(request)
        try:
            request.state.officer = await verifier.verify(request.cookies.get(pages.TOKEN_COOKIE, ""))
        except Unauthenticated:
            return RedirectResponse("/masuk", status_code=303)
        return await call_next(request)

    app.add_middleware(BaseHTTPMiddleware, dispatch=signed_in)
    # Outermost: sign-in redirects count too; /metrics on the officers' port is a page like any other.
    app.add_middleware(TimedAnswers, answered=metrics.answered, quiet=("/healthz", "/readyz"))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> HTMLResponse:
        # The officer sees a plain page; the operator finds the cause in the log.
        log.exception("page %s failed", request.url.path)
        if not hasattr(request.state, "lang"):
            request.state.lang = "id"
        return pages.render(request, "error.html", status=500)

    @app.get("/healthz")
    @app.get("/readyz")
    async def healthz() -> dict[str, str]:
        # The console holds no state: it is ready when it answers; each page says which service is away.
        return {"status": "ok", "service": "console"}

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)
    return app
