"""Composition root of the intake service."""

from fastapi import FastAPI

from warta.runtime import ServiceRuntime, ServiceSettings

from . import api
from .handlers import IntakeHandlers
from .store import RequestStore, ScanStore, create_indexes


class IntakeSettings(ServiceSettings):
    service_name: str = "intake"
    sop_steps: tuple[int, ...] = (1, 2)
    http_port: int = 8101


def create_app(settings: IntakeSettings | None = None, runtime: ServiceRuntime | None = None) -> FastAPI:
    runtime = runtime or ServiceRuntime(settings or IntakeSettings())
    runtime.on_start(create_indexes)
    handlers = IntakeHandlers(RequestStore(runtime.db), ScanStore(runtime.db), runtime.uow, runtime.clock)
    return runtime.http_app(title="Warta intake", routers=[api.router], state={"handlers": handlers})
