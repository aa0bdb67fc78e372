"""The HTTP face every service shares: error bodies, health and metrics routes.

Every refusal is JSON ``{"error", "message", "fields"}``; a request never gets a 500 for bad input.
"""

import asyncio
import logging
import re
import ssl
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client.exposition import choose_encoder
from pydantic import BaseModel, Field
from pymongo.errors import ConnectionFailure, DuplicateKeyError, PyMongoError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warta.contracts import DomainError, FieldProblem, Forbidden, IllegalTransition, TooManyRequests

from . import spreadsheet, tracing
from .auth import Unauthenticated
from .metrics import answering

log = logging.getLogger(__name__)
audit = logging.getLogger("warta.audit")


def error_body(error: str, message: str, fields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": error, "message": message, "fields": fields or []}


class FieldProblemBody(BaseModel):
    field: str
    message: str
    type: str | None = None
    limits: dict[str, str] | None = None


class Problem(BaseModel):
    """The body of every refusal, as the OpenAPI documents say it."""

    error: str
    message: str
    fields: list[FieldProblemBody]
    state: str | None = Field(
        default=None,
        description="For an illegal transition: the state the record is in, so a face can say why in its own words.",
    )


def _domain_problem(problem: FieldProblem) -> dict[str, Any]:
    body: dict[str, Any] = {"field": problem.field, "message": problem.message}
    if problem.type:
        body["type"] = problem.type
    if problem.limits:
        body["limits"] = problem.limits
    return body


def refusal(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


# Refusals any route can give, documented on every route of every service: an unreadable or
# oversized body, the token and role checks, validation, an unknown identifier, an action the
# request's state does not allow, and the database being away. Routes taking files add their own
# limits, 415 and 429 (FILE_REFUSALS).
REFUSALS: dict[int | str, dict[str, Any]] = {
    400: refusal("The body cannot be read at all (e.g. not UTF-8)"),
    401: refusal("No token, or one that cannot be trusted"),
    403: refusal("The officer's role or relation to the request does not allow this"),
    404: refusal("No such request, item or page"),
    409: refusal("Not allowed in the request's present state"),
    413: refusal("The body is larger than this endpoint takes"),
    422: refusal("Invalid fields, each named"),
    503: refusal("The database is not reachable; try again shortly"),
}
FILE_REFUSALS: dict[int | str, dict[str, Any]] = {
    413: refusal("Bigger than the limit for its kind"),
    415: refusal("Not one of the types accepted for its kind, judged by its bytes"),
    429: refusal("Too many files started by this officer in the last minute; see Retry-After"),
}
# An operation whose handler streams its body and holds it to its own limit (a scan, a piece of a
# video, a CSV file): the service's limit (``max_body_bytes``) does not apply to it.
STREAMED = "x-warta-streamed-body"


class BodyTooLarge(HTTPException):
    # FastAPI's HTTPException: raised while FastAPI reads a body, it reaches the handlers unchanged.
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body is larger than this endpoint takes ({limit} bytes)")
        self.limit = limit


def _too_large(exc: BodyTooLarge) -> JSONResponse:
    problem = {"field": "body", "message": exc.detail, "type": "too_large", "limits": {"max_bytes": str(exc.limit)}}
    return JSONResponse(status_code=413, content=error_body("payload_too_large", exc.detail, [problem]))


METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class TimedAnswers:
    """Times each HTTP answer for ``answered(route, method, status, seconds)``: the route as its
    template, so a request's id does not make a series of its own; a path no route matched is
    ``unmatched``. The ``quiet`` paths (probes and scrapes) are not timed."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        answered: Callable[[str, str, int, float], None],
        quiet: tuple[str, ...] = tracing.QUIET_PATHS,
    ) -> None:
        self.app, self.answered, self.quiet = app, answered, quiet

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.quiet:
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500  # an exception that escapes becomes a 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            with answering():
                await self.app(scope, receive, send_status)
        finally:
            # The router wrote the matched route into the scope it was handed, this one.
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"] if scope["method"] in METHODS else "other"  # a client's word, bounded
            self.answered(route, method, status, time.perf_counter() - started)


class BodyLimit:
    """Refuses a body over the service's limit: at once when Content-Length says so, otherwise as
    soon as the bytes received pass it, so no route holds more than the limit in memory. The
    operations documented as streamed (``raw_body``) hold their files to their own limits.
    (FastAPI's own limit answers in plain text; Warta answers every refusal in JSON.)"""

    def __init__(self, app: ASGIApp, *, limit: int, openapi: Callable[[], dict[str, Any]]) -> None:
        self.app, self.limit, self._openapi = app, limit, openapi
        self._streamed: list[tuple[str, re.Pattern[str]]] | None = None

    def _limit(self, scope: Scope) -> int | None:
        if self._streamed is None:  # the routes are all there by the first request
            self._streamed = [
                (method.upper(), compile_path(path)[0])
                for path, operations in self._openapi().get("paths", {}).items()
                for method, operation in operations.items()
                if isinstance(operation, dict) and operation.get(STREAMED)
            ]
        for method, pattern in self._streamed:
            if scope["method"] == method and pattern.match(scope["path"]):
                return None
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            await _too_large(BodyTooLarge(limit))(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited, send)


def raw_body(*media_types: str, description: str) -> dict[str, Any]:
    """The OpenAPI of a route that reads its body as bytes (a scan, a piece of a video, a CSV),
    so its document says what to send and fuzzers send it."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    body = {"required": True, "description": description, "content": dict.fromkeys(media_types, binary)}
    return {"requestBody": body, STREAMED: True}


_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def download_as(filename: str, *, inline: bool = False) -> dict[str, str]:
    """The Content-Disposition header for a file named partly by what an officer typed (an officer
    id, a period): a plain-ASCII name with nothing that could end the header or the quoted string,
    and the exact name for browsers that read RFC 6266's ``filename*``."""
    plain = _UNSAFE_IN_NAME.sub("_", filename).strip("._") or "berkas"
    kind = "inline" if inline else "attachment"
    return {"Content-Disposition": f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"}


def csv_download(table: str, filename: str) -> Response:
    """A table written by ``spreadsheet.Writer`` as the ``.csv`` file a spreadsheet opens."""
    return Response(spreadsheet.document(table), media_type="text/csv; charset=utf-8", headers=download_as(filename))


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


async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    fields = [_field_problem(e) for e in exc.errors()]
    return JSONResponse(
        status_code=422,
        content=error_body("validation_failed", "the request has invalid fields", fields),
    )


async def _domain(request: Request, exc: DomainError) -> JSONResponse:
    if isinstance(exc, Forbidden):
        _audit_denial(request, "forbidden", exc.message)
    fields = [_domain_problem(f) for f in exc.fields]
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
    body = error_body(exc.code, exc.message, fields)
    if isinstance(exc, IllegalTransition):
        body["state"] = exc.current
    return JSONResponse(status_code=exc.status, content=body, headers=headers)


async def _unauthenticated(request: Request, exc: Unauthenticated) -> JSONResponse:
    _audit_denial(request, "unauthenticated", exc.message)
    return JSONResponse(
        status_code=401,
        content=error_body("unauthenticated", exc.message),
        headers={"WWW-Authenticate": "Bearer"},
    )


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 400:
        # FastAPI's answer to a body it could not even decode: name the field like any other.
        problem = {"field": "body", "message": str(exc.detail), "type": "unreadable"}
        return JSONResponse(status_code=400, content=error_body("unreadable_body", str(exc.detail), [problem]))
    if isinstance(exc, BodyTooLarge):
        return _too_large(exc)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return JSONResponse(status_code=exc.status_code, content=error_body(code, str(exc.detail)))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # A bug, not bad input: keep the body JSON and free of internals; the log has the trace.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(status_code=500, content=error_body("internal_error", "an unexpected error occurred"))


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


async def _database_away(request: Request, exc: ConnectionFailure) -> JSONResponse:
    log.warning("database unavailable: %s", exc)
    return JSONResponse(
        status_code=503,
        content=error_body("unavailable", "the database is not reachable; try again shortly"),
        headers={"Retry-After": "5"},
    )


# Every refusal in the errors' one shape (``error_body``), whatever raised it.
ERROR_HANDLERS: tuple[tuple[type[Exception], Callable[..., Awaitable[JSONResponse]]], ...] = (
    (RequestValidationError, _invalid),
    (DomainError, _domain),
    (Unauthenticated, _unauthenticated),
    (StarletteHTTPException, _http),
    (Exception, _unexpected),
    (DuplicateKeyError, _write_refused),
    (ConnectionFailure, _database_away),
)


def install_error_handlers(app: FastAPI) -> None:
    for kind, handler in ERROR_HANDLERS:
        app.add_exception_handler(kind, handler)


def install_health_routes(app: FastAPI, runtime: Any) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        # Named, so whoever checks a port knows which service answers there.
        return {"status": "ok", "service": runtime.settings.service_name}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        checks = await runtime.readiness()
        ready = all(checks.values())
        return JSONResponse(
            status_code=200 if ready else 503,
            content={"status": "ready" if ready else "not_ready", "checks": checks},
        )

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        # Open and overdue steps, the outbox, the replica set, consumer lag: read now, so an overdue
        # item shows while it is open and a stuck relay while it is stuck. The rest of the metrics
        # are served even when the database cannot be read.
        try:
            await runtime.step_clocks.refresh_gauges(runtime.clock.now())
            await runtime.relay.refresh_gauges()
        except PyMongoError as away:
            log.warning("open steps and the outbox not counted for this scrape: %s", away)
        runtime.metrics.database_seen(runtime.mongo.topology_description.server_descriptions().values())
        await runtime.bus.refresh_gauges()
        # Prometheus asks for OpenMetrics, which carries the exemplars (a step's trace id).
        encode, media_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encode(runtime.metrics.registry), media_type=media_type)


async def database_reachable(ping: Any) -> bool:
    try:
        await asyncio.wait_for(ping(), timeout=2)
    except (TimeoutError, ConnectionFailure):
        return False
    return True


def client_tls() -> ssl.SSLContext:
    """The TLS context for an outbound HTTP channel's clients, made once per channel and given to
    each client it opens (``verify=``): loading the CA bundle was most of opening a client, a third
    of the publisher's CPU while it published. The CA settings of the environment
    (``SSL_CERT_FILE``, ``SSL_CERT_DIR``) are read when the channel is made."""
    return httpx.create_ssl_context()


class PeerGoneAsNetworkError(httpx.AsyncBaseTransport):
    """httpx's transport, with a connection its peer closed as it opened reported as the network
    error it is. On uvloop a transport closed that soon has no socket, and anyio, asked for the
    connection's address, fails on it with ``AttributeError`` (the kind of case uvloop issue 560
    describes): a service restarting while another fetched from it answered the fetch's caller
    500 instead of trying again later. It comes as the connection is opened or taken from the
    pool, before the request is sent."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except AttributeError as gone:
            raise httpx.ConnectError(f"the connection closed as it opened ({gone})", request=request) from gone

    async def aclose(self) -> None:
        await self._inner.aclose()


def client_transport(tls: ssl.SSLContext) -> httpx.AsyncBaseTransport:
    """The transport of every client a service opens to another party (``transport=``, with
    ``client_tls``): the publisher's channels, the notifier's gateway, the console's calls to the
    services and to the identity provider."""
    return PeerGoneAsNetworkError(httpx.AsyncHTTPTransport(verify=tls))


async def service_handlers(request: Request) -> Any:
    """FastAPI dependency: the service's handlers, placed on the app by its composition root.
    A coroutine, as every dependency here: FastAPI hands a plain function to a worker thread,
    and that hand-off on every request showed in the services' profiles."""
    return request.app.state.handlers
