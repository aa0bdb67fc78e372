"""Composition root of the scheduler service."""

from datetime import timedelta

from fastapi import FastAPI
from pydantic import Field, SecretStr

from warta.runtime import ServiceRuntime, ServiceSettings
from warta.runtime.registry import port

from . import api
from .handlers import SchedulerHandlers
from .planning import LONGEST_TRAVEL_BUFFER
from .store import SchedulerStore, create_indexes
from .subscribers import subscribe


class SchedulerSettings(ServiceSettings):
    service_name: str = "scheduler"
    http_port: int = port("scheduler")
    travel_buffer_minutes: int = Field(
        default=30,
        ge=0,
        le=LONGEST_TRAVEL_BUFFER // timedelta(minutes=1),
        description="Least gap between two events one officer or item can cover.",
    )
    feed_secret: SecretStr = Field(
        default=SecretStr("warta-dev-feed-secret"), description="Signs calendar feed URLs; rotate to revoke them."
    )


def create_app(settings: SchedulerSettings | None = None, runtime: ServiceRuntime | None = None) -> FastAPI:
    settings = settings or SchedulerSettings()
    runtime = runtime or ServiceRuntime(settings)
    runtime.on_start(create_indexes)
    handlers = SchedulerHandlers(
        SchedulerStore(runtime.db),
        runtime.uow,
        runtime.clock,
        runtime.metrics,
        travel_buffer=timedelta(minutes=settings.travel_buffer_minutes),
    )
    subscribe(runtime.bus, handlers)
    return runtime.http_app(
        title="Warta scheduler",
        routers=[api.router],
        state={"handlers": handlers, "feed_secret": settings.feed_secret.get_secret_value()},
    )
