"""The outbox relay: publishes committed events to JetStream and marks them sent.

It runs right after each commit (``kick``), so a hop costs milliseconds; the periodic sweep only
catches what a crash or an outage left behind. Events go out in commit order. A repeat publish
(after a crash between publish and mark) carries the same ``Nats-Msg-Id`` and JetStream drops it.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from .clock import Clock
from .faults import slow_point
from .metrics import ServiceMetrics

log = logging.getLogger(__name__)

# (event type, payload JSON, event id, the traceparent of the work that committed it)
Publish = Callable[[str, str, str, str | None], Awaitable[None]]

BATCH = 200


class OutboxRelay:
    def __init__(
        self,
        outbox: AsyncCollection[Any],
        publish: Publish,
        clock: Clock,
        metrics: ServiceMetrics,
        sweep_seconds: float,
    ) -> None:
        self._outbox = outbox
        self._publish = publish
        self._clock = clock
        self._metrics = metrics
        self._sweep_seconds = sweep_seconds
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def kick(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        # The flag, not only the cancel: PyMongo turns a cancellation that lands inside a network
        # call into a connection error, which the loop below would take for an outage and retry.
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(Exception):
            await self.drain()

    async def drain(self) -> int:
        """Publish every pending event in commit order; return how many went out."""
        sent = 0
        async with self._lock:
            while True:
                pending = (
                    await self._outbox.find({"sent_at": None})
                    .sort([("created_at", ASCENDING), ("position", ASCENDING)])
                    .to_list(BATCH)
                )
                if pending:
                    await slow_point("outbox.relay")
                for doc in pending:
                    await self._publish(doc["type"], doc["payload"], doc["_id"], doc.get("traceparent"))
                    await self._outbox.update_one({"_id": doc["_id"]}, {"$set": {"sent_at": self._clock.now()}})
                    self._metrics.events_published.labels(doc["type"]).inc()
                    sent += 1
                if len(pending) < BATCH:
                    break
            self._metrics.outbox_pending.set(0)
        return sent

    async def refresh_gauges(self) -> None:
        """How many events wait to be relayed and since when, read when Prometheus scrapes, so a
        relay that hangs or died shows as well as one that failed."""
        waiting = {"sent_at": None}
        oldest = await self._outbox.find_one(waiting, {"created_at": 1}, sort=[("created_at", ASCENDING)])
        self._metrics.outbox_pending.set(await self._outbox.count_documents(waiting))
        age = (self._clock.now() - oldest["created_at"]).total_seconds() if oldest else 0.0
        self._metrics.outbox_oldest_pending.set(max(0.0, age))

    async def _run(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._sweep_seconds)
            self._wake.clear()
            try:
                await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:
                if self._stopping:
                    return
                # NATS or the database is away; the events stay pending and the next sweep retries.
                log.warning("outbox relay could not publish; will retry", exc_info=True)
                with contextlib.suppress(Exception):
                    self._metrics.outbox_pending.set(await self._outbox.count_documents({"sent_at": None}))
