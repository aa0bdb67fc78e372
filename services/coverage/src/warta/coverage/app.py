"""Composition root of the coverage service."""

from fastapi import FastAPI

from warta.runtime import ServiceRuntime, ServiceSettings

from . import api
from .handlers import CoverageHandlers
from .store import CoverageStore, create_indexes
from .subscribers import subscribe


class CoverageSettings(ServiceSettings):
    service_name: str = "coverage"
    http_port: int = 8103


def create_app(settings: CoverageSettings | None = None, runtime: ServiceRuntime | None = None) -> FastAPI:
    runtime = runtime or ServiceRuntime(settings or CoverageSettings())
    runtime.on_start(create_indexes)
    handlers = CoverageHandlers(CoverageStore(runtime.db), runtime.uow, runtime.clock, runtime.metrics)
    subscribe(runtime.bus, handlers)
    return runtime.http_app(title="Warta coverage", routers=[api.router], state={"handlers": handlers})
