"""Run a service's ASGI app as a process (``python -m warta.<service>``)."""

from collections.abc import Callable
from typing import TypeVar

import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError

from . import logs, tracing
from .settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


def run(settings_class: type[S], create_app: Callable[[S], FastAPI]) -> None:
    """Read the service's settings from the environment and serve it; settings it cannot run with
    stop it here, with a non-zero exit and a line naming each setting, before anything starts."""
    try:
        settings = settings_class()
    except ValidationError as error:
        raise SystemExit(f"{settings_class.__name__}: cannot start: {said(error)}") from None
    # Before the app makes its database client: the PyMongo instrumentation listens to clients
    # made after it.
    tracing.configure(settings)
    serve(create_app(settings), settings)


def said(error: ValidationError) -> str:
    """A settings error as an operator reads it: each problem with its environment variable."""
    lines = []
    for problem in error.errors():
        where = "_".join(str(part) for part in problem["loc"]).upper()
        message = str(problem["msg"]).removeprefix("Value error, ")
        lines.append(f"WARTA_{where}: {message}" if where else message)
    return "; ".join(lines)


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    logs.configure(settings.service_name, settings.log_format, dict(settings.log_levels))
    tracing.configure(settings)
    try:
        _serve(tracing.traced(app), settings)
    finally:
        tracing.shutdown()


def _serve(app: object, settings: ServiceSettings) -> None:
    uvicorn.run(
        app,  # type: ignore[arg-type]
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,  # its lines go through the handler above, in the same format
        log_level="warning",
        loop=settings.event_loop,
        http=settings.http_parser,
        timeout_graceful_shutdown=20,
    )
