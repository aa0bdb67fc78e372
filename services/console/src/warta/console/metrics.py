"""The console's metrics, for Prometheus alone: served on a port of their own
(``WARTA_METRICS_PORT``) that answers without a session and that the Ingress never routes. On the
officers' port ``/metrics`` is a page like any other: the sign-in first.

The console keeps no state, so what it can tell is how it answers: how many requests, of which
status class (a 5xx is a page that failed), how long they took (a page waits on the services it
calls), and its process's own memory, CPU and open files."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    start_wsgi_server,
)

from warta.runtime import tracing

STATUS_CLASSES = ("2xx", "3xx", "4xx", "5xx")


class ConsoleMetrics:
    def __init__(self) -> None:
        # Its own registry, so that several consoles can live in one test process.
        self.registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self.answers = Counter(
            "warta_console_answers",
            "Requests the console answered, by status class: 3xx are mostly sign-ins and forms sent, "
            "5xx pages that failed (the log says why).",
            ["status"],
            registry=self.registry,
        )
        self.seconds = Histogram(
            "warta_console_answer_seconds",
            "How long the console took to answer a request; a page waits on the services it calls.",
            buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
            registry=self.registry,
        )
        for status in STATUS_CLASSES:  # every series from the first scrape, so a rate has a start
            self.answers.labels(status)

    def answered(self, route: str, method: str, status: int, seconds: float) -> None:
        """One answer, timed by ``warta.runtime.http.TimedAnswers`` (which leaves out probes and scrapes)."""
        self.answers.labels(f"{status // 100}xx" if 200 <= status < 600 else "5xx").inc()
        self.seconds.observe(seconds, tracing.exemplar())  # the answer's trace, when tracing is on


@asynccontextmanager
async def served(metrics: ConsoleMetrics, host: str, port: int | None) -> AsyncIterator[None]:
    """The metrics on ``host:port`` while the console runs (nowhere when ``port`` is None), by
    prometheus_client's own server on a thread: a scrape needs no session and waits behind no page."""
    if port is None:
        yield
        return
    server, thread = await asyncio.to_thread(start_wsgi_server, port, host, metrics.registry)
    try:
        yield
    finally:
        await asyncio.to_thread(server.shutdown)  # returns once its loop has stopped
        server.server_close()
        thread.join()
