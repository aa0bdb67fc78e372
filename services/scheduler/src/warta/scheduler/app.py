"""Composition root of the scheduler service."""

from fastapi import FastAPI

from warta.runtime import ServiceRuntime, ServiceSettings

from . import api
from .handlers import SchedulerHandlers
from .store import agenda, create_indexes
from .subscribers import subscribe


class SchedulerSettings(ServiceSettings):
    service_name: str = "scheduler"
    http_port: int = 8102


def create_app(settings: SchedulerSettings | None = None, runtime: ServiceRuntime | None = None) -> FastAPI:
    runtime = runtime or ServiceRuntime(settings or SchedulerSettings())
    runtime.on_start(create_indexes)
    handlers = SchedulerHandlers(agenda(runtime.db), runtime.uow, runtime.clock, runtime.metrics)
    subscribe(runtime.bus, handlers)
    return runtime.http_app(title="Warta scheduler", routers=[api.router], state={"handlers": handlers})
