"""Configuration from the environment (``WARTA_`` prefix); nothing connects at import time."""

from datetime import date, time
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from warta.contracts import DEFAULT_SUBJECT_PREFIX

from .addresses import Reach, problems, reaching
from .images import DEFAULT_MAX_PIXELS
from .logs import LogFormat

DEV_SECRET = "warta-dev-secret-not-for-production-use"


class ServiceSettings(BaseSettings):
    """Settings every service has; each service subclasses it to set its own defaults."""

    model_config = SettingsConfigDict(env_prefix="WARTA_", extra="ignore")

    service_name: str = Field(description="Short name of the service, e.g. intake.")

    nats_url: str = reaching(
        Reach.NEARBY,
        "nats://127.0.0.1:4222",
        description="The NATS server, or several separated by commas (a cluster's): any one lets the service in.",
    )
    nats_user: str | None = Field(default=None, description="This service's NATS user (warta-<service>).")
    nats_password: SecretStr | None = None
    stream_name: str = "WARTA"
    subject_prefix: str = DEFAULT_SUBJECT_PREFIX
    stream_duplicate_window_seconds: float = Field(
        default=600.0, gt=0, description="How long JetStream remembers Nats-Msg-Id for dedupe."
    )
    stream_replicas: int = Field(default=1, ge=1, le=5)
    max_deliver: int = Field(default=7, ge=2, description="Deliveries before dead-lettering.")
    # The first retry is soon: most failures are an event that overtook the one it depends on
    # (an approval before its version's content), which lands milliseconds later.
    redelivery_backoff_seconds: tuple[float, ...] = (0.25, 1.0, 5.0, 15.0, 30.0, 60.0)
    ack_wait_seconds: float = Field(default=30.0, gt=0)
    consumer_workers: int = Field(
        default=4,
        ge=1,
        le=64,
        description="Events one consumer handles at once: one slow or blocked event does not hold up the rest.",
    )
    # nats-py's fetch, once a message of a batch has come, waits for the rest until the pull
    # expires: a second event landing then sat up to the pull's second (ADR 0031, bench/loops.py).
    consumer_fetch_batch: int = Field(
        default=1,
        ge=1,
        le=256,
        description="Events one consumer asks JetStream for at a time (the workers take them in turn).",
    )
    shutdown_grace_seconds: float = Field(
        default=20.0, gt=0, description="On SIGTERM, how long in-flight events may take to finish."
    )

    # Chosen by measurement (ADR 0029, bench/loops.py); the loop runs uvicorn and FastStream alike.
    event_loop: Literal["asyncio", "uvloop"] = Field(default="uvloop", description="The process's event loop.")
    http_parser: Literal["h11", "httptools"] = Field(default="httptools", description="How uvicorn reads HTTP.")

    log_format: LogFormat = Field(
        default="text",
        description="json: one JSON object per line, for the cluster's log collector; text: for a terminal.",
    )
    log_levels: dict[str, Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]] = Field(
        default_factory=dict,
        description='Levels by logger beyond the defaults (Warta INFO, libraries WARNING): {"faststream": "INFO"}.',
    )

    otlp_endpoint: str | None = reaching(
        Reach.NEARBY,
        None,
        optional=True,
        description="The OpenTelemetry collector's OTLP/HTTP address (http://collector:4318): traces on. "
        "Unset, OTEL_EXPORTER_OTLP_ENDPOINT is read; neither set, tracing is off.",
    )

    max_body_bytes: int = Field(
        default=1024**2,
        ge=1024,
        description="Largest request body a route takes unless it sets its own (uploads do); larger ones get 413.",
    )
    uploads_per_minute: int = Field(
        default=120, ge=1, description="Files one officer may start uploading in any minute; more get 429."
    )
    image_max_pixels: int = Field(
        default=DEFAULT_MAX_PIXELS,
        ge=1_000_000,
        description="Largest image (width times height) a scan or photo may be; a larger one is refused undecoded.",
    )
    mongodb_url: str = reaching(Reach.NEARBY, "mongodb://127.0.0.1:27017/?directConnection=true")
    mongodb_write_concern: str = Field(
        default="majority",
        description="Write concern of every write: majority, so an acknowledged write survives a failover.",
    )
    mongodb_database: str = ""
    mongodb_wait_seconds: float = Field(
        default=2.0, gt=0, description="How long a request waits for an unreachable database before a 503."
    )

    outbox_sweep_seconds: float = Field(
        default=5.0, gt=0, description="Backstop interval; the relay normally runs right after commit."
    )

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=0, le=65535)

    auth_mode: Literal["dev", "oidc"] = "dev"
    auth_dev_secret: SecretStr = SecretStr(DEV_SECRET)
    auth_issuer: str = "warta-dev"
    auth_audience: str = "warta"
    auth_jwks_url: str | None = reaching(Reach.NEARBY, None)
    auth_role_claim: str = "warta_role"
    auth_leeway_seconds: int = Field(default=30, ge=0, le=300)

    timezone: str = "Asia/Jakarta"

    step_calendars: dict[int, Literal["wall", "office"]] = Field(
        default_factory=dict,
        description='Per step number, e.g. {"1": "office"}, overriding the calendar its SOP revision names.',
    )
    office_opens: time = time(7, 30)
    office_closes: time = time(16, 0)
    office_days: tuple[int, ...] = Field(default=(0, 1, 2, 3, 4), description="Working weekdays, Monday = 0.")
    local_days_off: tuple[date, ...] = Field(
        default=(), description="The city's own days off, beyond national holidays and cuti bersama."
    )

    dev_clock_file: str | None = Field(
        default=None, description="Tests only: the clock runs ahead by the seconds written in this file."
    )

    loopback_peers: bool = Field(
        default=False,
        description="Tests only: with auth_mode=oidc, let the addresses this service reaches be this machine's.",
    )

    @property
    def nats_servers(self) -> list[str]:
        """``nats_url`` as the client takes it: every server of the cluster, in the order given."""
        return [url.strip() for url in self.nats_url.split(",") if url.strip()]

    def nats_login(self) -> dict[str, str]:
        """This service's NATS user and password as ``nats.connect`` takes them, when it has them."""
        if self.nats_user is None:
            return {}
        password = self.nats_password.get_secret_value() if self.nats_password else ""
        return {"user": self.nats_user, "password": password}

    @model_validator(mode="after")
    def _production_reaches_production(self) -> Self:
        """With the city's sign-in, every address the service reaches or gives people is set, and
        none is this machine's (the development defaults)."""
        if self.auth_mode == "oidc" and not self.loopback_peers:
            found = problems(self)
            if found:
                raise ValueError("with WARTA_AUTH_MODE=oidc (production): " + "; ".join(found))
        return self

    @model_validator(mode="after")
    def _no_test_clock_in_production(self) -> Self:
        if self.dev_clock_file is not None and self.auth_mode != "dev":
            raise ValueError("dev_clock_file is for tests; it is refused with auth_mode=oidc")
        return self

    def database_name(self) -> str:
        return self.mongodb_database or f"warta_{self.service_name}"
