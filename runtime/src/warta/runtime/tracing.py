"""One request, one trace (ADR 0027): OpenTelemetry through HTTP, the outbox and the bus.

A request's trace id is its id: the intake registers a letter under the id of the trace its
registration call is in, and every later call about the request (a path holding its id) and every
event about it continues that trace. An operator who knows the agenda number finds the request's
id in the register and has the trace id with it, however many officers' calls, days and services
the request went through.

- An HTTP call continues the trace its ``traceparent`` names; without one, a call whose path
  names a request joins that request's trace; any other starts its own. FastAPI makes the server
  spans; the console's calls to the services carry the trace on (the httpx instrumentation).
- An event's outbox entry keeps the ``traceparent`` of the work that committed it; the relay
  publishes it in the NATS message's headers, however much later; its consumers continue it. A
  redelivered event's handling is a new span in the same trace, linked to the publication it
  answers and marked with its delivery count.
- Database commands and outbound HTTP calls are spans (the PyMongo and httpx instrumentations),
  and so is each email handed to the mail relay.

Tracing is on where ``WARTA_OTLP_ENDPOINT`` (or the standard ``OTEL_EXPORTER_OTLP_ENDPOINT``) is
set, exported by OTLP over HTTP; off, nothing is instrumented and a header injection finds no
span to write: it costs nothing.
"""

import os
import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from fastapi.telemetry import TelemetryConfig
from opentelemetry import context, propagate, trace
from opentelemetry.trace import Link, SpanKind

if TYPE_CHECKING:  # settings name the log format: logs, and so this module, come first
    from .settings import ServiceSettings

TRACEPARENT = "traceparent"
_REQUEST_ID = re.compile(r"/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:/|$)")
_on = False


def endpoint(settings: "ServiceSettings") -> str | None:
    """Where spans go (the collector's OTLP/HTTP traces address), or None: tracing off."""
    if settings.otlp_endpoint:
        return settings.otlp_endpoint.rstrip("/") + "/v1/traces"
    general = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    return general.rstrip("/") + "/v1/traces" if general else None


def configure(settings: "ServiceSettings") -> bool:
    """This process's tracing, once: on when an endpoint is set. Whether it is on."""
    global _on
    address = endpoint(settings)
    if address is None or _on:
        return _on
    # Imported only when on: off, the SDK and its instrumentations are never loaded.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": f"warta-{settings.service_name}"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=address)))
    trace.set_tracer_provider(provider)
    HTTPXClientInstrumentor().instrument()
    PymongoInstrumentor().instrument()
    _on = True
    return True


def shutdown() -> None:
    """Send what is still buffered: a process that stops must not lose its last spans."""
    provider = trace.get_tracer_provider()
    if _on and hasattr(provider, "shutdown"):
        provider.shutdown()


def _probe(scope: Any) -> bool:
    return scope.get("path") in QUIET_PATHS


# For every FastAPI app: no span for the kubelet's probes and Prometheus's scrapes, a trace each
# every few seconds that says nothing about any request.
QUIET_PATHS = ("/healthz", "/readyz", "/metrics")
FASTAPI_TELEMETRY: TelemetryConfig = {"exclude": _probe}


def traced(app: Any) -> Any:
    """The ASGI ``app`` joining each call about a request to the request's trace, when tracing is
    on. FastAPI makes the server spans itself once a tracer provider is set; it continues the
    trace a call's ``traceparent`` names, which this gives a call that names a request and
    carries none."""
    return _JoinRequestTrace(app) if _on else app


class _JoinRequestTrace:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            found = _REQUEST_ID.search(scope.get("path", ""))
            headers = list(scope.get("headers", ()))
            if found is not None and not any(name == b"traceparent" for name, _ in headers):
                parent = request_traceparent(found.group(1))
                if parent is not None:
                    scope = {**scope, "headers": [*headers, (b"traceparent", parent.encode())]}
        await self.app(scope, receive, send)


def request_traceparent(request_id: str) -> str | None:
    """The ``traceparent`` of the request's trace (its id as the trace id), for a call about it
    that carries none; None for an id that is not a UUID."""
    try:
        trace_id = uuid.UUID(request_id).int
    except ValueError:
        return None
    return f"00-{trace_id:032x}-{(trace_id & (2**64 - 1)) or 1:016x}-01"


def request_context(request_id: str) -> context.Context:
    """A context whose parent is the request's trace (its id as the trace id); the current one
    for an id that is not a UUID."""
    parent = request_traceparent(request_id)
    return propagate.extract({TRACEPARENT: parent}) if parent is not None else context.get_current()


def trace_id_now() -> str | None:
    """The current trace's id as a UUID: the id a request registered now takes. None when no
    span is recording (tracing off)."""
    span = trace.get_current_span().get_span_context()
    return str(uuid.UUID(int=span.trace_id)) if span.is_valid else None


def traceparent_now() -> str | None:
    """The current span as a ``traceparent`` header value, for an outbox entry; None when off."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get(TRACEPARENT)


def ids_now() -> dict[str, str]:
    """The current trace and span ids, for a log line; empty when off."""
    span = trace.get_current_span().get_span_context()
    if not span.is_valid:
        return {}
    return {"trace_id": format(span.trace_id, "032x"), "span_id": format(span.span_id, "016x")}


@contextmanager
def client_span(name: str, peer: str) -> Iterator[None]:
    """A span for a call to a server no instrumentation covers (the mail relay); nothing when off."""
    if not _on:
        yield
        return
    with trace.get_tracer("warta").start_as_current_span(
        name, kind=SpanKind.CLIENT, attributes={"server.address": peer}
    ):
        yield


def exemplar() -> dict[str, str] | None:
    """The current trace as a metric's exemplar (OpenMetrics), or None when off."""
    ids = ids_now()
    return {"trace_id": ids["trace_id"]} if ids else None


@contextmanager
def consuming(headers: Mapping[str, str] | None, request_id: str | None, name: str, deliveries: int) -> Iterator[None]:
    """The span of handling one delivery of an event: in the trace its headers carry (else its
    request's), linked to that publication when it is delivered again."""
    if not _on:
        yield
        return
    carried = propagate.extract(dict(headers or {})) if headers and TRACEPARENT in headers else None
    parent = carried if carried is not None else (request_context(request_id) if request_id else None)
    published = trace.get_current_span(parent).get_span_context() if parent is not None else None
    links = [Link(published, {"warta.delivery": deliveries})] if deliveries > 1 and published else []
    tracer = trace.get_tracer("warta.bus")
    with tracer.start_as_current_span(
        name, context=parent, kind=SpanKind.CONSUMER, links=links, attributes={"messaging.delivery_count": deliveries}
    ):
        yield
