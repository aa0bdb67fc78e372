"""Composition root of the publisher service."""

from fastapi import FastAPI

from warta.runtime import ServiceRuntime, ServiceSettings

from . import api, registry_api
from .handlers import PublisherHandlers, RegistryHandlers
from .store import PublisherStore, RegistryStore, create_indexes
from .subscribers import subscribe


class PublisherSettings(ServiceSettings):
    service_name: str = "publisher"
    http_port: int = 8105


def create_app(settings: PublisherSettings | None = None, runtime: ServiceRuntime | None = None) -> FastAPI:
    runtime = runtime or ServiceRuntime(settings or PublisherSettings())
    runtime.on_start(create_indexes)
    handlers = PublisherHandlers(PublisherStore(runtime.db), runtime.uow, runtime.clock, runtime.metrics)
    subscribe(runtime.bus, handlers)
    registry = RegistryHandlers(RegistryStore(runtime.db), runtime.uow, runtime.clock)
    return runtime.http_app(
        title="Warta publisher",
        routers=[api.router, registry_api.router],
        state={"handlers": handlers, "registry": registry},
    )
