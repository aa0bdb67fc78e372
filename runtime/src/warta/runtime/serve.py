"""Run a service's ASGI app as a process (``python -m warta.<service>``)."""

import logging

import uvicorn
from fastapi import FastAPI

from .settings import ServiceSettings


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    logging.basicConfig(
        level=logging.INFO, format=f"%(asctime)s {settings.service_name} %(levelname)s %(name)s: %(message)s"
    )
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_level="warning",
        timeout_graceful_shutdown=20,
    )
