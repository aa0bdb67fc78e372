"""An OpenTelemetry collector's OTLP/HTTP traces endpoint on this machine, keeping every span it
is sent: what the tests read traces from, and what stands in for the city's collector when the
rendered manifests run here."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from .stub_http import QuietHandler, serving

SERVER, CLIENT, CONSUMER = 2, 3, 5  # OTLP's span kinds


@dataclass
class Span:
    service: str
    trace_id: str
    span_id: str
    parent_id: str
    name: str
    kind: int
    attributes: dict[str, Any]
    links: list[str]


@dataclass
class Receiver:
    """An OTLP/HTTP traces endpoint keeping every span it is sent."""

    url: str
    spans: list[Span] = field(default_factory=list)


@contextmanager
def otlp_receiver() -> Iterator[Receiver]:
    """A receiver listening on a free port of this machine while the block runs."""
    receiver = Receiver("")

    class Handler(_Handler):
        kept = receiver

    with serving(Handler) as port:
        receiver.url = f"http://127.0.0.1:{port}"
        yield receiver


class _Handler(QuietHandler):
    kept: ClassVar[Receiver]

    def do_POST(self) -> None:
        export = ExportTraceServiceRequest.FromString(self.rfile.read(int(self.headers["Content-Length"])))
        for resource in export.resource_spans:
            service = next(a.value.string_value for a in resource.resource.attributes if a.key == "service.name")
            for scope in resource.scope_spans:
                self.kept.spans += [_span(service, s) for s in scope.spans]
        self.answer(b"", "application/x-protobuf")


def _span(service: str, s: Any) -> Span:
    return Span(
        service=service.removeprefix("warta-"),
        trace_id=s.trace_id.hex(),
        span_id=s.span_id.hex(),
        parent_id=s.parent_span_id.hex(),
        name=s.name,
        kind=s.kind,
        attributes={a.key: a.value.string_value or a.value.int_value for a in s.attributes},
        links=[link.trace_id.hex() for link in s.links],
    )
