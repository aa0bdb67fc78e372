"""The HTTP face every service shares: error bodies, health and metrics routes.

Every refusal is JSON ``{"error", "message", "fields"}``; a request never gets a 500 for bad input.
"""

import asyncio
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo.errors import ConnectionFailure, DuplicateKeyError, PyMongoError
from starlette.exceptions import HTTPException as StarletteHTTPException

from warta.contracts import DomainError, Forbidden

from .auth import Unauthenticated

log = logging.getLogger(__name__)
audit = logging.getLogger("warta.audit")


def error_body(error: str, message: str, fields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": error, "message": message, "fields": fields or []}


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "body"


# The limits of a validation error worth telling a person (e.g. max_length 300); other context
# (the input, the regex engine's error) stays out of the answer.
_LIMITS = ("min_length", "max_length", "ge", "gt", "le", "lt", "expected", "pattern")


def _field_problem(error: Any) -> dict[str, Any]:
    """A validation error as a field problem: the English message, plus its type and limits so a
    client can say it in the officer's language."""
    context = error.get("ctx") or {}
    field = _field_name(tuple(error["loc"]))
    problem: dict[str, Any] = {"field": field, "message": error["msg"], "type": error["type"]}
    limits = {name: str(context[name]) for name in _LIMITS if name in context}
    if limits:
        problem["limits"] = limits
    return problem


def _audit_denial(request: Request, reason: str, message: str) -> None:
    """Every refused action, with who asked (when known), what and why, in the audit log and
    counted, so an inspector sees attempts and an operator sees a misconfigured client."""
    officer = getattr(request.state, "officer", None)
    who = f"{officer.officer_id} ({officer.role.value})" if officer is not None else "no valid token"
    audit.warning("%s: %s %s by %s: %s", reason, request.method, request.url.path, who, message)
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is not None:
        runtime.metrics.denied.labels(reason).inc()


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [_field_problem(e) for e in exc.errors()]
        return JSONResponse(
            status_code=422,
            content=error_body("validation_failed", "the request has invalid fields", fields),
        )

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        if isinstance(exc, Forbidden):
            _audit_denial(request, "forbidden", exc.message)
        fields = [{"field": f.field, "message": f.message} for f in exc.fields]
        return JSONResponse(status_code=exc.status, content=error_body(exc.code, exc.message, fields))

    @app.exception_handler(Unauthenticated)
    async def _unauthenticated(request: Request, exc: Unauthenticated) -> JSONResponse:
        _audit_denial(request, "unauthenticated", exc.message)
        return JSONResponse(
            status_code=401,
            content=error_body("unauthenticated", exc.message),
            headers={"WWW-Authenticate": "Bearer"},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(status_code=exc.status_code, content=error_body(code, str(exc.detail)))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A bug, not bad input: keep the body JSON and free of internals; the log has the trace.
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(status_code=500, content=error_body("internal_error", "an unexpected error occurred"))

    @app.exception_handler(DuplicateKeyError)
    async def _write_refused(request: Request, exc: DuplicateKeyError) -> JSONResponse:
        # A service turns the duplicates it expects into 409s with their field; one it did not
        # expect is the database's state for a moment (seen on SecantusDB after killed clients'
        # transactions, ADR 0004): refuse this attempt, change nothing, and let the caller retry.
        log.error("unexpected duplicate key on %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse(
            status_code=503,
            content=error_body("unavailable", "the database refused this change for now; try again shortly"),
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(ConnectionFailure)
    async def _database_away(request: Request, exc: ConnectionFailure) -> JSONResponse:
        log.warning("database unavailable: %s", exc)
        return JSONResponse(
            status_code=503,
            content=error_body("unavailable", "the database is not reachable; try again shortly"),
            headers={"Retry-After": "5"},
        )


def install_health_routes(app: FastAPI, runtime: Any) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        checks = await runtime.readiness()
        ready = all(checks.values())
        return JSONResponse(
            status_code=200 if ready else 503,
            content={"status": "ready" if ready else "not_ready", "checks": checks},
        )

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        # Open and overdue steps, consumer lag: read now, so an overdue item shows while it is open.
        # The rest of the metrics are served even when the database cannot be read.
        try:
            await runtime.step_clocks.refresh_gauges(runtime.clock.now())
        except PyMongoError as away:
            log.warning("open steps not counted for this scrape: %s", away)
        await runtime.bus.refresh_gauges()
        return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)


async def database_reachable(ping: Any) -> bool:
    try:
        await asyncio.wait_for(ping(), timeout=2)
    except (TimeoutError, ConnectionFailure):
        return False
    return True


def service_handlers(request: Request) -> Any:
    """FastAPI dependency: the service's handlers, placed on the app by its composition root."""
    return request.app.state.handlers
