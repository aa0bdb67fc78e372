"""Composition root of the coverage service."""

from datetime import timedelta

from fastapi import FastAPI
from pydantic import Field

from warta.runtime import ServiceRuntime, ServiceSettings
from warta.runtime.addresses import Reach, reaching
from warta.runtime.registry import port

from . import api, tus
from .handlers import CoverageHandlers
from .media import SizeLimits
from .store import CoverageStore, create_indexes
from .subscribers import subscribe


class CoverageSettings(ServiceSettings):
    service_name: str = "coverage"
    http_port: int = port("coverage")
    photo_max_bytes: int = Field(default=50 * 1024**2, ge=1, description="Largest photo accepted.")
    video_max_bytes: int = Field(default=4 * 1024**3, ge=1, description="Largest video accepted.")
    public_url: str | None = reaching(
        Reach.NEARBY,
        None,
        description="Where other services reach this one (asset URIs); default: its own host and port.",
    )
    upload_lease_seconds: float = Field(
        default=60, gt=0, description="How long a transfer that stopped without a word holds its upload."
    )
    asset_readers: tuple[str, ...] = Field(
        default=("publisher",),
        description="Identities (token subjects) of the services that read any request's media: the publisher.",
    )


def create_app(settings: CoverageSettings | None = None, runtime: ServiceRuntime | None = None) -> FastAPI:
    settings = settings or CoverageSettings()
    runtime = runtime or ServiceRuntime(settings)
    runtime.on_start(create_indexes)
    handlers = CoverageHandlers(
        CoverageStore(runtime.db),
        runtime.uow,
        runtime.clock,
        limits=SizeLimits(photo_bytes=settings.photo_max_bytes, video_bytes=settings.video_max_bytes),
        public_url=settings.public_url or f"http://{settings.http_host}:{settings.http_port}",
        upload_lease=timedelta(seconds=settings.upload_lease_seconds),
        max_pixels=settings.image_max_pixels,
        asset_readers=frozenset(settings.asset_readers),
    )
    subscribe(runtime.bus, handlers)
    return runtime.http_app(title="Warta coverage", routers=[api.router, tus.router], state={"handlers": handlers})
