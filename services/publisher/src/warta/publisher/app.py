"""Composition root of the publisher service."""

from fastapi import FastAPI

from warta.runtime import ServiceRuntime, ServiceSettings

from . import api
from .handlers import PublisherHandlers
from .store import PublisherStore, create_indexes
from .subscribers import subscribe


class PublisherSettings(ServiceSettings):
    service_name: str = "publisher"
    http_port: int = 8105


def create_app(settings: PublisherSettings | None = None, runtime: ServiceRuntime | None = None) -> FastAPI:
    runtime = runtime or ServiceRuntime(settings or PublisherSettings())
    runtime.on_start(create_indexes)
    handlers = PublisherHandlers(PublisherStore(runtime.db), runtime.uow, runtime.clock, runtime.metrics)
    subscribe(runtime.bus, handlers)
    return runtime.http_app(title="Warta publisher", routers=[api.router], state={"handlers": handlers})
