"""Composition root of the review service."""

from fastapi import FastAPI

from warta.runtime import ServiceRuntime, ServiceSettings
from warta.runtime.registry import port

from . import api
from .handlers import ReviewHandlers
from .store import ReviewStore, create_indexes
from .subscribers import subscribe


class ReviewSettings(ServiceSettings):
    service_name: str = "review"
    http_port: int = port("review")


def create_app(settings: ReviewSettings | None = None, runtime: ServiceRuntime | None = None) -> FastAPI:
    runtime = runtime or ServiceRuntime(settings or ReviewSettings())
    runtime.on_start(create_indexes)
    handlers = ReviewHandlers(ReviewStore(runtime.db), runtime.uow, runtime.clock, runtime.metrics)
    subscribe(runtime.bus, handlers)
    return runtime.http_app(title="Warta review", routers=[api.router], state={"handlers": handlers})
