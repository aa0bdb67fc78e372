"""The SOP step clocks, kept by the service that performs each step.

Every unit of work shows its events — the one it consumed, then the ones it emits — to
``StepClocks.observe``, which starts and stops the clocks of the service's own steps by the SOP
revision the event's request runs under (``warta.contracts.SOP``): a start event opens a run
unless one is open (a team reassigned mid-step keeps the clock it had), a stop event closes the
open run. A rejection is a start event of the step it returns to, so that step's clock runs again
as a new run. Runs live in the service's ``step_clocks`` collection inside the same transaction as
the state they describe, so a repeated delivery changes nothing and a crash loses nothing.

A run finished over its standard becomes a deviation (``deviations``): the step, the officer whose
action stopped the clock, the overrun, and room for that officer's explanation.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel
from pymongo import ASCENDING, DESCENDING, InsertOne, ReplaceOne
from pymongo.asynchronous.database import AsyncDatabase

from warta.contracts import FIRST_SOP, SOP, Event, Role, Step

from .bulk import Write, write_together
from .calendar import Calendar, CalendarName
from .documents import from_document, to_document
from .metrics import ServiceMetrics
from .newest import newest

CLOCKS = "step_clocks"
DEVIATIONS = "deviations"


class StepRun(BaseModel):
    request_id: str
    sop: str = FIRST_SOP  # the request's SOP revision (runs stored before it was recorded: the first)
    step: int
    run: int
    calendar: CalendarName
    started_at: AwareDatetime
    start_event: str  # the id of the event that started it: seeing that event again starts nothing
    finished_at: AwareDatetime | None = None
    seconds: float | None = None
    standard_seconds: float
    officer_id: str | None = None
    role: Role | None = None

    @property
    def key(self) -> str:
        return f"{self.request_id}:{self.step}:{self.run}"

    @property
    def open(self) -> bool:
        return self.finished_at is None


class Deviation(BaseModel):
    id: str
    request_id: str
    sop: str = FIRST_SOP
    step: int
    officer_id: str | None
    role: Role | None
    calendar: CalendarName
    started_at: AwareDatetime
    finished_at: AwareDatetime
    seconds: float
    standard_seconds: float
    overrun_seconds: float
    month: str  # YYYY-MM in Asia/Jakarta, for the monthly report
    explanation: str | None = None
    explained_at: AwareDatetime | None = None


@dataclass(frozen=True)
class Finished:
    sop: str
    step: int
    seconds: float
    standard_seconds: float


@dataclass
class ClockChanges:
    finished: list[Finished] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)  # runs and deviations, in the order they change


async def ensure_clock_indexes(db: AsyncDatabase[Any]) -> None:
    await db[CLOCKS].create_index([("request_id", ASCENDING), ("step", ASCENDING), ("run", ASCENDING)])
    await db[CLOCKS].create_index([("finished_at", ASCENDING), ("step", ASCENDING)])
    await db[DEVIATIONS].create_index([("month", ASCENDING), ("officer_id", ASCENDING)])
    # An officer's newest, and everyone's for a supervisor, by windows of time (``newest``).
    await db[DEVIATIONS].create_index([("officer_id", ASCENDING), ("finished_at", DESCENDING)])
    await db[DEVIATIONS].create_index([("finished_at", DESCENDING)])


class StepClocks:
    def __init__(
        self,
        db: AsyncDatabase[Any],
        services: Iterable[str],
        calendars: dict[CalendarName, Calendar],
        step_calendars: dict[int, CalendarName],
        metrics: ServiceMetrics,
        zone: Any,
    ) -> None:
        self._runs = db[CLOCKS]
        self._deviations = db[DEVIATIONS]
        self._services = frozenset(services)
        self._calendars = calendars
        self._step_calendars = step_calendars
        self._metrics = metrics
        self._zone = zone
        # Every series of this service's steps exists from the start, at zero: rate() and
        # increase() need the zero to count the first step that finishes.
        for revision in SOP:
            for step in self._own(revision.steps):
                label = str(step.number)
                metrics.step_duration.labels(label, revision.number)
                metrics.step_ratio.labels(label, revision.number)
                for outcome in ("within", "over"):
                    metrics.steps_completed.labels(label, revision.number, outcome)
                metrics.steps_open.labels(label).set(0)
                metrics.steps_overdue.labels(label).set(0)

    def _own(self, steps: Iterable[Step]) -> list[Step]:
        return [s for s in steps if s.service in self._services]

    @property
    def steps(self) -> list[int]:
        """The numbers of this service's steps in any revision."""
        return sorted({s.number for revision in SOP for s in self._own(revision.steps)})

    def calendar_of(self, step: Step) -> Calendar:
        """The step's calendar by its revision, unless the deployment sets one for its number."""
        return self._calendars[self._step_calendars.get(step.number, step.calendar)]

    async def observe(self, session: Any, events: Iterable[Event]) -> list[Finished]:
        """Start and stop this service's step clocks by ``events``, inside the caller's transaction."""
        changes = await self.changes(session, events)
        await write_together(self._runs.database.client, changes.writes, session)
        return changes.finished

    async def changes(self, session: Any, events: Iterable[Event]) -> ClockChanges:
        """What ``events`` do to this service's step clocks: the runs they finish, and the writes
        that record them, for the caller to make in its transaction (the unit of work makes them
        in one command with its body's aggregates and its outbox entries)."""
        changes = ClockChanges()
        # Each request's runs are read once, on its first event that starts or stops one of this
        # service's steps, and kept in step with what is written: one query instead of up to three
        # for every step an event touches.
        known: dict[str, list[StepRun]] = {}
        for event in events:
            for step in self._own(SOP.of(event).steps):
                started_at, stopped_at = step.started_by(event), step.stopped_by(event)
                if started_at is None and stopped_at is None:
                    continue
                request_id = event.subject
                if request_id not in known:
                    known[request_id] = await self._runs_of(session, request_id)
                earlier = [r for r in known[request_id] if r.step == step.number]
                run = next((r for r in earlier if r.open), None)
                stored = run is not None
                if run is None and started_at is not None:
                    if any(r.start_event == str(event.id) for r in earlier):
                        continue
                    run = StepRun(
                        request_id=request_id,
                        sop=event.sop,
                        step=step.number,
                        run=len(earlier) + 1,
                        calendar=self.calendar_of(step).name,
                        started_at=started_at,
                        start_event=str(event.id),
                        standard_seconds=step.standard.total_seconds(),
                    )
                if run is None or (stored and stopped_at is None):
                    # A stop with no clock running (a second TeamAssigned), or a start while one
                    # runs (a reassigned team keeps its clock).
                    continue
                if stopped_at is not None:
                    self._close(changes, run, stopped_at, event)
                document = to_document(run, _id=run.key)
                if stored:
                    changes.writes.append(ReplaceOne({"_id": run.key}, document, namespace=self._runs.full_name))
                else:
                    changes.writes.append(InsertOne(document, namespace=self._runs.full_name))
                    known[request_id].append(run)
        return changes

    def record(self, finished: Iterable[Finished]) -> None:
        """Count finished steps in Prometheus, once their transaction has committed."""
        for f in finished:
            self._metrics.step_finished(f.step, f.sop, f.seconds, f.standard_seconds)

    async def _runs_of(self, session: Any, request_id: str) -> list[StepRun]:
        cursor = self._runs.find({"request_id": request_id}, session=session)
        return [from_document(StepRun, doc) async for doc in cursor]

    def _close(self, changes: ClockChanges, run: StepRun, at: datetime, event: Event) -> None:
        run.finished_at = at
        run.seconds = self._calendars[run.calendar].seconds_between(run.started_at, at)
        if event.actor is not None:
            run.officer_id, run.role = event.actor.officer_id, event.actor.role
        if run.seconds > run.standard_seconds:
            deviation = Deviation(
                id=run.key,
                request_id=run.request_id,
                sop=run.sop,
                step=run.step,
                officer_id=run.officer_id,
                role=run.role,
                calendar=run.calendar,
                started_at=run.started_at,
                finished_at=at,
                seconds=run.seconds,
                standard_seconds=run.standard_seconds,
                overrun_seconds=run.seconds - run.standard_seconds,
                month=at.astimezone(self._zone).strftime("%Y-%m"),
            )
            document = to_document(deviation, _id=deviation.id)
            changes.writes.append(
                ReplaceOne({"_id": deviation.id}, document, upsert=True, namespace=self._deviations.full_name)
            )
        changes.finished.append(
            Finished(sop=run.sop, step=run.step, seconds=run.seconds, standard_seconds=run.standard_seconds)
        )

    async def refresh_gauges(self, now: datetime) -> None:
        """Open runs per step, and those already over their standard now: an overdue item shows
        while it is still open, not only once it finishes."""
        open_now = dict.fromkeys(self.steps, 0)
        overdue = dict(open_now)
        cursor = self._runs.find({"finished_at": None, "step": {"$in": list(open_now)}})
        async for doc in cursor:
            run = from_document(StepRun, doc)
            open_now[run.step] += 1
            if self._calendars[run.calendar].seconds_between(run.started_at, now) > run.standard_seconds:
                overdue[run.step] += 1
        for step, count in open_now.items():
            self._metrics.steps_open.labels(str(step)).set(count)
            self._metrics.steps_overdue.labels(str(step)).set(overdue[step])

    async def latest_deviations(
        self, *, officer_id: str | None, limit: int, now: datetime, before: datetime | None = None
    ) -> list[Deviation]:
        """Newest first: an officer's (or everyone's), a page at a time, however long the history."""
        equal = {"officer_id": officer_id} if officer_id is not None else {}
        found = await newest(self._deviations, equal, "finished_at", limit=limit, now=now, before=before)
        return [from_document(Deviation, doc) for doc in found]

    async def deviations(self, *, month: str | None = None, officer_id: str | None = None) -> list[Deviation]:
        """In the order they finished: a month's, for its report."""
        query: dict[str, Any] = {}
        if month is not None:
            query["month"] = month
        if officer_id is not None:
            query["officer_id"] = officer_id
        cursor = self._deviations.find(query).sort([("finished_at", ASCENDING), ("_id", ASCENDING)])
        return [from_document(Deviation, doc) async for doc in cursor]

    async def deviation(self, deviation_id: str) -> Deviation | None:
        doc = await self._deviations.find_one({"_id": deviation_id})
        return from_document(Deviation, doc) if doc else None

    async def explain(self, deviation: Deviation, text: str, at: datetime) -> Deviation:
        """Record the officer's explanation, once: a filter on its absence keeps a second from
        overwriting the first."""
        written = await self._deviations.update_one(
            {"_id": deviation.id, "explanation": None}, {"$set": {"explanation": text, "explained_at": at}}
        )
        if written.modified_count == 0:
            raise ValueError("already explained")
        return deviation.model_copy(update={"explanation": text, "explained_at": at})
