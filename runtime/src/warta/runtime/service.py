"""The pieces every service is built from, wired once; each service's ``app.py`` adds its own."""

import asyncio
import io
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, FastAPI
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from . import accountability, tracing
from .auth import TokenVerifier
from .bus import Bus
from .calendar import OfficeHours, WallClock
from .clock import Clock, OffsetClock, SystemClock
from .clocks import StepClocks, ensure_clock_indexes
from .http import REFUSALS, BodyLimit, TimedAnswers, database_reachable, install_error_handlers, install_health_routes
from .images import limit_pixels
from .metrics import CountedWrites, ServiceMetrics
from .outbox import OutboxRelay
from .ratelimit import RateLimit
from .settings import ServiceSettings
from .unit_of_work import OUTBOX, UnitOfWork, ensure_outbox_index

log = logging.getLogger(__name__)

Setup = Callable[[AsyncDatabase[Any]], Awaitable[None]]


def log_tasks() -> None:
    """Log the stack of every asyncio task (``kill -USR1 <pid>``)."""
    out = io.StringIO()
    for task in asyncio.all_tasks():
        out.write(f"--- {task.get_name()}\n")
        task.print_stack(limit=30, file=out)
    log.warning("tasks on SIGUSR1:\n%s", out.getvalue())


class ServiceRuntime:
    """Database, bus, outbox relay, unit of work and metrics of one service.

    Constructing it opens nothing; ``running()`` connects, prepares and starts consuming.
    """

    def __init__(self, settings: ServiceSettings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        limit_pixels(settings.image_max_pixels)
        self.clock: Clock = clock or (
            OffsetClock(settings.dev_clock_file) if settings.dev_clock_file else SystemClock()
        )
        self.metrics = ServiceMetrics(settings.service_name)
        self.mongo: AsyncMongoClient[Any] = AsyncMongoClient(
            settings.mongodb_url,
            tz_aware=True,
            serverSelectionTimeoutMS=int(settings.mongodb_wait_seconds * 1000),
            appname=f"warta-{settings.service_name}",
            w=settings.mongodb_write_concern,
            event_listeners=[CountedWrites(self.metrics)],
        )
        self.db: AsyncDatabase[Any] = self.mongo[settings.database_name()]
        self.bus = Bus(settings, self.metrics)
        self.relay = OutboxRelay(
            self.db[OUTBOX], self.bus.publish, self.clock, self.metrics, settings.outbox_sweep_seconds
        )
        office = OfficeHours(
            opens=settings.office_opens,
            closes=settings.office_closes,
            working_days=frozenset(settings.office_days),
            local_days_off=frozenset(settings.local_days_off),
            zone=ZoneInfo(settings.timezone),
        )
        self.step_clocks = StepClocks(
            self.db,
            (settings.service_name,),
            {"wall": WallClock(), "office": office},
            settings.step_calendars,
            self.metrics,
            ZoneInfo(settings.timezone),
        )
        self.uow = UnitOfWork(
            self.mongo, self.db, self.clock, self.relay.committed, self.step_clocks, on_doubt=self.relay.doubt
        )
        self._setup: list[Setup] = [ensure_outbox_index, ensure_clock_indexes]
        self._background: list[Callable[[], Awaitable[None]]] = [self._watch_the_loop]

    def on_start(self, setup: Setup) -> None:
        """Run ``setup`` against the database before serving (indexes, seed data)."""
        self._setup.append(setup)

    def in_background(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run ``work`` (a loop: a dispatcher, a timer sweep) while the service runs; it is
        cancelled on shutdown before the consumers stop, and a crash in it is logged and restarts it."""
        self._background.append(work)

    async def _watch_the_loop(self, every: float = 0.25) -> None:
        """How late a timer fires is how long the loop was held by something else."""
        loop = asyncio.get_running_loop()
        while True:
            asked = loop.time()
            await asyncio.sleep(every)
            self.metrics.loop_lag.observe(max(0.0, loop.time() - asked - every))

    async def _keep_running(self, work: Callable[[], Awaitable[None]]) -> None:
        while True:
            try:
                await work()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background work %s failed; starting it again", getattr(work, "__name__", work))
                await asyncio.sleep(1)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        for setup in self._setup:
            await setup(self.db)
        await self.bus.connect()
        self.relay.start()
        self.relay.kick()  # whatever a previous life committed but did not relay
        await self.bus.broker.start()
        log.info("%s started", self.settings.service_name)
        # What is each task waiting for? The answer to a process that is alive yet does nothing.
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGUSR1, log_tasks)
        background = [asyncio.create_task(self._keep_running(work)) for work in self._background]
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            # SIGTERM: take no new events and let those in hand finish, then relay everything
            # committed (theirs included) while NATS is still connected, then close.
            await self.bus.stop_consuming()
            await self.relay.stop()
            await self.bus.close()
            await self.mongo.close()
            loop.remove_signal_handler(signal.SIGUSR1)

    async def readiness(self) -> dict[str, bool]:
        return {
            "database": await database_reachable(lambda: self.db.command("ping")),
            "nats": self.bus.connected(),
        }

    def http_app(self, *, title: str, routers: Iterable[APIRouter], state: dict[str, Any]) -> FastAPI:
        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            async with self.running():
                yield

        app = FastAPI(title=title, lifespan=lifespan, responses=REFUSALS, telemetry=tracing.FASTAPI_TELEMETRY)
        app.state.runtime = self
        app.state.token_verifier = TokenVerifier(self.settings)
        app.state.upload_limit = RateLimit(self.settings.uploads_per_minute, 60)
        for name, value in state.items():
            setattr(app.state, name, value)
        install_error_handlers(app)
        app.add_middleware(BodyLimit, limit=self.settings.max_body_bytes, openapi=app.openapi)
        app.add_middleware(TimedAnswers, answered=self.metrics.answered)  # outermost: refusals count too
        install_health_routes(app, self)
        for router in [*routers, accountability.router]:
            app.include_router(router)
        return app
