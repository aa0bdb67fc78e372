"""Composition root of the intake service."""

from datetime import timedelta

from fastapi import FastAPI
from pydantic import Field

from warta.runtime import ServiceRuntime, ServiceSettings
from warta.runtime.registry import port

from . import api
from .domain import LATE_REGISTRATION
from .handlers import IntakeHandlers
from .store import RequestStore, ScanStore, create_indexes, index_the_register


class IntakeSettings(ServiceSettings):
    service_name: str = "intake"
    http_port: int = port("intake")
    late_registration_hours: float = Field(
        default=LATE_REGISTRATION.total_seconds() / 3600,
        ge=0,
        description="How long after its event ends a letter may still be registered.",
    )


def create_app(settings: IntakeSettings | None = None, runtime: ServiceRuntime | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    runtime = runtime or ServiceRuntime(settings)
    runtime.on_start(create_indexes)
    runtime.on_start(index_the_register)
    handlers = IntakeHandlers(
        RequestStore(runtime.db),
        ScanStore(runtime.db),
        runtime.uow,
        runtime.clock,
        late_grace=timedelta(hours=settings.late_registration_hours),
        max_pixels=settings.image_max_pixels,
    )
    return runtime.http_app(title="Warta intake", routers=[api.router], state={"handlers": handlers})
