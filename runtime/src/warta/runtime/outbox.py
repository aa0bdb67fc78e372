"""The outbox relay: publishes committed events to JetStream and marks them sent.

Right after each commit the relay is handed the entries that commit wrote (``committed``) and
publishes them as they are, without reading the outbox again, so a hop costs milliseconds and one
write. Whenever it may be behind (just started, a publish or a mark failed, a commit's outcome
unknown) and at every periodic sweep it drains instead: every pending entry, read in commit order,
which also catches what a crash or an outage left behind. A repeat publish (after a crash between
publish and mark, or an entry both handed over and drained) carries the same ``Nats-Msg-Id`` and
JetStream drops it.
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
# Entries handed over and not yet relayed, at most; past it (a relay slowed by NATS, or not
# running) they are left to the next drain, which finds them in the outbox.
HANDED_MOST = 10_000


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
        self._handed: list[dict[str, Any]] = []  # committed, not yet relayed, in commit order
        self._behind = True  # until a drain has sent everything pending

    def kick(self) -> None:
        self._wake.set()

    def committed(self, entries: list[dict[str, Any]]) -> None:
        """The outbox entries a commit has just written, in their order."""
        running = self._task is not None and not self._task.done() and not self._stopping
        if running and len(self._handed) + len(entries) <= HANDED_MOST:
            self._handed.extend(entries)
        else:
            self._handed.clear()
            self._behind = True
        self._wake.set()

    def doubt(self) -> None:
        """A commit may have landed without its entries being handed over (its outcome unknown, or
        the caller cancelled after it): the next pass drains, so they go out, and in order."""
        self._behind = True
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
            # Handed over before the read below, so it finds them if they are still pending; and
            # caught up from here on, unless a failure or a doubt says otherwise before the next pass.
            self._handed.clear()
            self._behind = False
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

    async def relay_handed(self) -> int:
        """Publish what commits have handed over, then mark it sent in one write."""
        async with self._lock:
            entries, self._handed = self._handed, []
            if not entries:
                return 0
            await slow_point("outbox.relay")
            sent: list[dict[str, Any]] = []
            try:
                for doc in entries:
                    await self._publish(doc["type"], doc["payload"], doc["_id"], doc.get("traceparent"))
                    sent.append(doc)
            finally:
                if sent:
                    ids = [doc["_id"] for doc in sent]
                    await self._outbox.update_many({"_id": {"$in": ids}}, {"$set": {"sent_at": self._clock.now()}})
                    for doc in sent:
                        self._metrics.events_published.labels(doc["type"]).inc()
        return len(sent)

    async def refresh_gauges(self) -> None:
        """How many events wait to be relayed and since when, read when Prometheus scrapes, so a
        relay that hangs or died shows as well as one that failed."""
        waiting = {"sent_at": None}
        oldest = await self._outbox.find_one(waiting, {"created_at": 1}, sort=[("created_at", ASCENDING)])
        self._metrics.outbox_pending.set(await self._outbox.count_documents(waiting))
        age = (self._clock.now() - oldest["created_at"]).total_seconds() if oldest else 0.0
        self._metrics.outbox_oldest_pending.set(max(0.0, age))

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        # The sweep keeps its own time: commits that wake the relay more often than the sweep's
        # period must not put it off.
        sweep_at = loop.time() + self._sweep_seconds
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.0, sweep_at - loop.time()))
            swept = loop.time() >= sweep_at
            if swept:
                sweep_at = loop.time() + self._sweep_seconds
            self._wake.clear()
            try:
                if self._behind or swept:
                    await self.drain()
                else:
                    await self.relay_handed()
            except asyncio.CancelledError:
                raise
            except Exception:
                self._behind = True  # whatever was not marked sent is drained, in order, next time
                if self._stopping:
                    return
                # NATS or the database is away; the events stay pending and the next sweep retries.
                log.warning("outbox relay could not publish; will retry", exc_info=True)
                with contextlib.suppress(Exception):
                    self._metrics.outbox_pending.set(await self._outbox.count_documents({"sent_at": None}))
