"""Prometheus metrics every service exposes, including the SOP step clocks.

Each service has its own registry so that several can live in one test process.
"""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from pymongo import monitoring
from pymongo.server_description import ServerDescription
from pymongo.server_type import SERVER_TYPE

from warta.contracts import SOP

from . import logs, tracing

# A boundary exactly at every step standard and every total of every SOP revision (20, 30, 60, 180
# and 380 minutes in SOP 58/2025), so "within standard" is a bucket count, not an interpolation.
STEP_BUCKETS_SECONDS = tuple(
    sorted({60, 300, 600, 900, 2700, 5400, 7200, 14400, 43200, 86400, 259200} | {m * 60 for m in SOP.standards_minutes})
)


# Duration ÷ standard: 1.0 is exactly on time.
RATIO_BUCKETS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 5.0, 10.0)

# An officer's page waits on these answers: most take milliseconds, an upload seconds.
ANSWER_BUCKETS_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# How the service's database driver sees each member of the replica set.
MEMBER_STATES = ("primary", "secondary", "unreachable", "other")


def member_state(server: ServerDescription) -> str:
    if server.server_type == SERVER_TYPE.Unknown:
        return "unreachable"  # known to the driver (listed by the others), not answering it
    if server.is_writable:
        return "primary"  # a replica set's primary, or a development machine's lone server
    if server.server_type == SERVER_TYPE.RSSecondary:
        return "secondary"
    return "other"


class ServiceMetrics:
    def __init__(self, service: str) -> None:
        """Every metric the service exposes, declared in one place.

        Long: a table of metric declarations, one per metric; splitting it would scatter them.
        """
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.step_duration = Histogram(
            "warta_sop_step_duration_seconds",
            "Time an SOP step took, from its clock start to its stop event, by step and SOP revision.",
            ["step", "sop"],
            buckets=STEP_BUCKETS_SECONDS,
            registry=r,
        )
        self.step_standard = Gauge(
            "warta_sop_step_standard_seconds",
            "The time standard of each step in each SOP revision.",
            ["step", "sop"],
            registry=r,
        )
        self.step_ratio = Histogram(
            "warta_sop_step_duration_ratio",
            "A finished step's duration divided by its standard in its request's SOP revision (1 is on time).",
            ["step", "sop"],
            buckets=RATIO_BUCKETS,
            registry=r,
        )
        self.steps_open = Gauge(
            "warta_sop_steps_open", "Steps whose clock runs now, per step (read at scrape time).", ["step"], registry=r
        )
        self.steps_overdue = Gauge(
            "warta_sop_steps_overdue",
            "Steps whose clock runs now and is already past the standard, per step (read at scrape time).",
            ["step"],
            registry=r,
        )
        self.steps_completed = Counter(
            "warta_sop_steps_completed",
            "SOP steps finished, by whether they kept their time standard (their request's revision's).",
            ["step", "sop", "outcome"],
            registry=r,
        )
        self.denied = Counter(
            "warta_denied_requests",
            "Requests refused for who made them: unauthenticated (no valid token) or forbidden (the role or "
            "relation to the request does not allow the action); each is in the log as warta.audit.",
            ["reason"],
            registry=r,
        )
        self.events_published = Counter(
            "warta_events_published", "Events relayed from the outbox to JetStream.", ["type"], registry=r
        )
        self.events_consumed = Counter(
            "warta_events_consumed",
            "Deliveries handled by this service's consumers, by result.",
            ["type", "result"],
            registry=r,
        )
        self.consumer_pending = Gauge(
            "warta_consumer_pending_messages",
            "Events in the stream this service's consumer has not received yet (its lag), read at scrape.",
            ["type"],
            registry=r,
        )
        self.consumer_ack_pending = Gauge(
            "warta_consumer_ack_pending_messages",
            "Events delivered to this service's consumer and not yet acknowledged, read at scrape.",
            ["type"],
            registry=r,
        )
        self.consumer_redelivered = Gauge(
            "warta_consumer_redelivered_messages",
            "Events this service's consumer is handling again after a failure or timeout, read at scrape.",
            ["type"],
            registry=r,
        )
        self.dead_letters = Gauge(
            "warta_dead_letters", "Messages this service dead-lettered that are still in the DLQ stream.", registry=r
        )
        self.outbox_pending = Gauge("warta_outbox_pending", "Events committed but not yet relayed.", registry=r)
        self.outbox_oldest_pending = Gauge(
            "warta_outbox_oldest_pending_seconds",
            "How long ago the oldest event not yet relayed was committed (0 when none waits), read at scrape.",
            registry=r,
        )
        self.database_members = Gauge(
            "warta_mongodb_members",
            "Members of the replica set as this service's database driver sees them now, by state "
            "(primary: takes writes; unreachable: listed by the others, not answering), read at scrape.",
            ["state"],
            registry=r,
        )
        self.lead_time = Histogram(
            "warta_request_lead_time_seconds",
            "From the letter's arrival to publication: the whole SOP, against its revision's total standard.",
            buckets=STEP_BUCKETS_SECONDS,
            registry=r,
        )
        self.requests_completed = Counter(
            "warta_requests_completed",
            "Requests published, by whether the whole SOP kept its revision's total standard.",
            ["sop", "outcome"],
            registry=r,
        )
        self.answer_seconds = Histogram(
            "warta_http_answer_seconds",
            "How long the service took to answer an HTTP call, by route (its template), method and status "
            "class; the probes and scrapes are not counted.",
            ["route", "method", "status"],
            buckets=ANSWER_BUCKETS_SECONDS,
            registry=r,
        )
        self.database_writes = Counter(
            "warta_database_writes",
            "Writes this service asked its database for (each document inserted, each update or delete "
            "statement; a retried write again), by collection and by cause: the type of the event being "
            "handled, an HTTP call, or the service's own work (the outbox relay, timers).",
            ["collection", "cause"],
            registry=r,
        )
        self.database_combined_writes = Counter(
            "warta_database_combined_writes",
            "Commands that wrote several documents, of one or more collections, at once (bulkWrite: a "
            "unit of work's inbox mark, aggregates, other documents it does not read back, step clocks "
            "and outbox entries, ADR 0036); their documents are counted in warta_database_writes_total.",
            registry=r,
        )
        self.loop_lag = Histogram(
            "warta_event_loop_lag_seconds",
            "How late the event loop ran a timer it was given: work that holds the loop (a long "
            "computation on it) makes every request of the service wait this long.",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=r,
        )
        for revision in SOP:
            for step in revision.steps:
                self.step_standard.labels(str(step.number), revision.number).set(step.standard_minutes * 60)

    def request_finished(self, sop: str, received_at: datetime, published_at: datetime) -> float:
        """Record one request's whole lead time against its revision's total and return it in seconds."""
        seconds = max(0.0, (published_at - received_at).total_seconds())
        self.lead_time.observe(seconds)
        total = SOP.revision(sop).total_standard_minutes * 60
        self.requests_completed.labels(sop, "within" if seconds <= total else "over").inc()
        return seconds

    def database_seen(self, servers: Iterable[ServerDescription]) -> None:
        """Count the replica set's members by state; a state with none is 0, so that an alert
        on 'no primary' sees a zero rather than nothing."""
        counts = dict.fromkeys(MEMBER_STATES, 0)
        for server in servers:
            counts[member_state(server)] += 1
        for state, count in counts.items():
            self.database_members.labels(state).set(count)

    def answered(self, route: str, method: str, status: int, seconds: float) -> None:
        status_class = f"{status // 100}xx" if 100 <= status < 600 else "5xx"
        # Under the call's server span, when tracing is on: a slow answer leads to its trace.
        self.answer_seconds.labels(route, method, status_class).observe(seconds, tracing.exemplar())

    def step_finished(self, number: int, sop: str, seconds: float, standard_seconds: float) -> None:
        """Record one finished step, its duration already counted in the step's calendar."""
        step, exemplar = str(number), tracing.exemplar()  # the trace of the work that finished it
        self.step_duration.labels(step, sop).observe(seconds, exemplar)
        self.step_ratio.labels(step, sop).observe(seconds / standard_seconds, exemplar)
        self.steps_completed.labels(step, sop, "within" if seconds <= standard_seconds else "over").inc()


# Set while an HTTP call is answered (``answering``): a write in it is the call's.
_answering: ContextVar[bool] = ContextVar("warta_answering", default=False)


@contextmanager
def answering() -> Iterator[None]:
    token = _answering.set(True)
    try:
        yield
    finally:
        _answering.reset(token)


# Each write command and the field holding its statements (findAndModify: one).
_WRITES = {"insert": "documents", "update": "updates", "delete": "deletes", "findAndModify": None}


def _bulk_written(command: Mapping[str, Any]) -> dict[str, int]:
    """Documents a ``bulkWrite`` writes, by collection: each op names its namespace by its index
    in ``nsInfo``, under the key of its kind."""
    collections = [str(ns["ns"]).partition(".")[2] for ns in command.get("nsInfo") or ()]
    written: dict[str, int] = {}
    for op in command.get("ops") or ():
        index = next((op[kind] for kind in ("insert", "update", "delete") if kind in op), None)
        if index is not None and index < len(collections):
            written[collections[index]] = written.get(collections[index], 0) + 1
    return written


class CountedWrites(monitoring.CommandListener):
    """Each write command counted as it starts, by collection and cause: what a request costs the
    database, and which work spends it. PyMongo calls this in the task that made the command, so
    the cause is read from that task's context: the event it handles, or the call it answers."""

    def __init__(self, metrics: ServiceMetrics) -> None:
        self._writes = metrics.database_writes
        self._combined = metrics.database_combined_writes

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "bulkWrite":
            self._combined.inc()
            written = _bulk_written(event.command)
        elif event.command_name in _WRITES:
            field = _WRITES[event.command_name]
            documents = len(event.command.get(field) or ()) if field else 1
            written = {str(event.command.get(event.command_name)): documents}
        else:
            return
        cause = logs.current("event_type") or ("call" if _answering.get() else "own work")
        for collection, documents in written.items():
            self._writes.labels(collection, cause).inc(documents)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass
