"""Composition root of the archive service."""

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from pydantic import Field

from warta.contracts import Step
from warta.runtime import ServiceRuntime, ServiceSettings
from warta.runtime.registry import port

from . import api
from .domain import RecordClass
from .handlers import ArchiveHandlers
from .store import ArchiveStore, create_indexes
from .subscribers import subscribe


class ArchiveSettings(ServiceSettings):
    service_name: str = "archive"
    http_port: int = port("archive")
    retention_years: dict[RecordClass, int] = Field(
        default={RecordClass.PUBLISHED: 10, RecordClass.DECLINED: 5, RecordClass.UNREADABLE: 2},
        description="Years each record class is kept after its request ended (jadwal retensi arsip).",
    )


def archive_handlers(
    settings: ArchiveSettings, runtime: ServiceRuntime, database: str | None = None
) -> ArchiveHandlers:
    """The handlers over the service's database, or over ``database`` (a rebuild's target)."""
    clocks = runtime.step_clocks

    def seconds(step: Step, start: datetime, end: datetime) -> float:
        return clocks.calendar_of(step).seconds_between(start, end)

    return ArchiveHandlers(
        ArchiveStore(runtime.mongo[database] if database else runtime.db),
        runtime.clock,
        seconds,
        ZoneInfo(settings.timezone),
        {c.value: years for c, years in settings.retention_years.items()},
    )


def create_app(settings: ArchiveSettings | None = None, runtime: ServiceRuntime | None = None) -> FastAPI:
    settings = settings or ArchiveSettings()
    runtime = runtime or ServiceRuntime(settings)
    runtime.on_start(create_indexes)
    handlers = archive_handlers(settings, runtime)
    subscribe(runtime.bus, handlers)
    return runtime.http_app(title="Warta archive", routers=[api.router], state={"handlers": handlers})
