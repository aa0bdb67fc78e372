"""The scheduler's use cases: the agenda, the roster and inventory, and step 3's assignment."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from prometheus_client import Counter
from pymongo.errors import DuplicateKeyError

from warta.contracts import Conflict, CoverageRole, DispositionIssued, NotFound
from warta.runtime import Clock, Principal, ServiceMetrics, Tx, UnitOfWork
from warta.runtime.documents import AggregateCollection
from warta.runtime.indonesian import JAKARTA
from warta.runtime.turns import Turns

from .domain import AgendaEntry, AgendaState
from .planning import Plan, Suggestion, TeamChoice, check_assignment, item_resource, officer_resource, suggest_team
from .roster import Condition, EquipmentKind, Item, Officer, Unavailability
from .store import SchedulerStore

FEED_PAST = timedelta(days=60)
FEED_AHEAD = timedelta(days=365)


def jakarta_day(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), tzinfo=JAKARTA)
    return start, start + timedelta(days=1)


class SchedulerHandlers:
    def __init__(
        self,
        store: SchedulerStore,
        uow: UnitOfWork,
        clock: Clock,
        metrics: ServiceMetrics,
        *,
        travel_buffer: timedelta,
    ) -> None:
        self._store = store
        self._uow = uow
        self._clock = clock
        self._buffer = travel_buffer
        # Assignments naming one officer or item on one day take turns in this process before
        # their transactions write its lock: many at once would otherwise abort each other (ADR 0006).
        self._turns = Turns()
        self._overrides = Counter(
            "warta_assignment_overrides",
            "Officers or items booked despite a clash, with the team lead's written reason.",
            ["kind"],
            registry=metrics.registry,
        )

    # -- the agenda ----------------------------------------------------------------------------

    async def put_on_agenda(self, disposition: DispositionIssued) -> None:
        """A forwarded request becomes an agenda entry waiting for its team (step 3 starts)."""

        async def work(tx: Tx) -> None:
            await self._store.agenda.insert(tx, AgendaEntry.from_disposition(disposition))

        await self._uow.run(work, consumes=disposition)

    async def get(self, request_id: str, tx: Tx | None = None) -> AgendaEntry:
        entry = await self._store.agenda.get(request_id, tx)
        if entry is None:
            raise NotFound(f"request {request_id} is not on the agenda (not yet disposed?)")
        return entry

    async def list_entries(self, *, state: AgendaState | None, limit: int, offset: int) -> list[AgendaEntry]:
        query = {} if state is None else {"state": state.value}
        return await self._store.agenda.find(query, sort=[("event.starts_at", 1)], limit=limit, skip=offset)

    async def between(self, first_day: date, days: int, *, officer_id: str | None = None) -> list[AgendaEntry]:
        """Entries whose event starts on one of ``days`` Jakarta days from ``first_day``."""
        starts, _ = jakarta_day(first_day)
        return await self._store.entries_between(starts, starts + timedelta(days=days), officer_id=officer_id)

    async def by_day(self, first_day: date, days: int) -> list[tuple[date, list[AgendaEntry]]]:
        entries = await self.between(first_day, days)
        dates = [first_day + timedelta(days=i) for i in range(days)]
        return [(d, [e for e in entries if e.event.starts_at.astimezone(JAKARTA).date() == d]) for d in dates]

    async def feed_entries(self, *, officer_id: str | None = None) -> tuple[datetime, list[AgendaEntry]]:
        """What a calendar feed shows: from two months back to a year ahead."""
        now = self._clock.now()
        first = (now - FEED_PAST).astimezone(JAKARTA).date()
        return now, await self.between(first, (FEED_PAST + FEED_AHEAD).days, officer_id=officer_id)

    # -- step 3 --------------------------------------------------------------------------------

    async def assign_team(self, request_id: str, choice: TeamChoice, *, officer: Principal) -> AgendaEntry:
        """Step 3."""
        entry, _ = await self._staff(
            request_id, choice, lambda e, plan, now: e.assign(choice, plan=plan, now=now, actor=officer.actor)
        )
        return entry

    async def reassign_team(
        self, request_id: str, choice: TeamChoice, *, reason: str, officer: Principal
    ) -> AgendaEntry:
        """Replace members or kit after step 3 (illness, a breakdown)."""
        entry, _ = await self._staff(
            request_id,
            choice,
            lambda e, plan, now: e.reassign(choice, plan=plan, reason=reason, now=now, actor=officer.actor),
        )
        return entry

    async def _staff(
        self, request_id: str, choice: TeamChoice, record: Callable[[AgendaEntry, Plan, datetime], None]
    ) -> tuple[AgendaEntry, datetime]:
        """Lock what the choice names, check it against the roster and the bookings, record it."""
        now = self._clock.now()
        resources = [officer_resource(m.officer_id) for m in choice.members]
        resources += [item_resource(i) for i in choice.equipment]
        # An entry's event never changes on the agenda, so its locks can be named before the
        # transaction, for the turns.
        locks = (await self.get(request_id)).window.locks(resources)

        async def work(tx: Tx) -> AgendaEntry:
            # The locks first: an assignment that conflicts with another one over them is retried
            # before it has read anything.
            await self._store.hold(tx, locks)
            entry = await self.get(request_id, tx)
            event = entry.event
            plan = check_assignment(
                entry.window,
                choice,
                officers=await self._store.officers.get_many((m.officer_id for m in choice.members), tx),
                items=await self._store.items.get_many(choice.equipment, tx),
                bookings=await self._store.bookings_near(tx, resources, event.starts_at, event.ends_at, self._buffer),
                buffer=self._buffer,
            )
            record(entry, plan, now)
            await self._save(tx, entry, plan)
            return entry

        async with self._turns.taking(locks):
            entry = await self._uow.run(work)
        assert entry.assignment is not None
        for override in entry.assignment.overrides:
            self._overrides.labels(override.resource.split(":", 1)[0]).inc()
        return entry, now

    async def _save(self, tx: Tx, entry: AgendaEntry, plan: Plan) -> None:
        await self._store.agenda.save(tx, entry)
        await self._store.replace_bookings(tx, entry.request_id, plan.bookings)
        tx.emit(*entry.events)

    async def suggest(self, request_id: str, *, needs_video: bool) -> Suggestion:
        entry = await self.get(request_id)
        event = entry.event
        return suggest_team(
            entry.window,
            needs_video=needs_video,
            officers=await self._store.officers.find({}, sort=[("_id", 1)], limit=1000),
            items=await self._store.items.find({}, sort=[("_id", 1)], limit=1000),
            bookings=await self._store.bookings_for_suggestion(event.starts_at, event.ends_at, self._buffer),
            buffer=self._buffer,
        )

    # -- roster and inventory -------------------------------------------------------------------

    async def add_officer(self, officer: Officer) -> Officer:
        await self._insert(self._store.officers, officer, f"officer {officer.officer_id} is already on the roster")
        return officer

    async def add_item(self, item: Item) -> Item:
        await self._insert(self._store.items, item, f"item {item.item_id} is already in the inventory")
        return item

    async def _insert(self, collection: AggregateCollection[Any], aggregate: Any, taken: str) -> None:
        async def work(tx: Tx) -> None:
            await collection.insert(tx, aggregate)

        try:
            await self._uow.run(work)
        except DuplicateKeyError:
            raise Conflict(taken) from None

    async def update_officer(
        self, officer_id: str, *, name: str, skills: tuple[CoverageRole, ...], active: bool
    ) -> Officer:
        return await self._change_officer(officer_id, lambda o: o.update(name=name, skills=skills, active=active))

    async def add_unavailability(self, officer_id: str, period: Unavailability) -> tuple[Officer, list[AgendaEntry]]:
        """Record leave; answers with the assignments it now leaves a hole in, for the team lead."""
        officer = await self._change_officer(officer_id, lambda o: o.add_unavailability(period))
        resource = officer_resource(officer_id)
        clashing = await self._store.bookings_near(None, [resource], period.starts_at, period.ends_at, timedelta(0))
        affected = await self._store.agenda.get_many(b.request_id for b in clashing)
        return officer, sorted(affected.values(), key=lambda e: e.event.starts_at)

    async def remove_unavailability(self, officer_id: str, period_id: str) -> Officer:
        return await self._change_officer(officer_id, lambda o: o.remove_unavailability(period_id))

    async def _change_officer(self, officer_id: str, change: Any) -> Officer:
        async def work(tx: Tx) -> Officer:
            officer = await self._store.officers.get(officer_id, tx)
            if officer is None:
                raise NotFound(f"no officer {officer_id} on the roster")
            change(officer)
            await self._store.officers.save(tx, officer)
            return officer

        return await self._uow.run(work)

    async def update_item(self, item_id: str, *, kind: EquipmentKind, description: str, condition: Condition) -> Item:
        async def work(tx: Tx) -> Item:
            item = await self._store.items.get(item_id, tx)
            if item is None:
                raise NotFound(f"no item {item_id} in the inventory")
            item.update(kind=kind, description=description, condition=condition)
            await self._store.items.save(tx, item)
            return item

        return await self._uow.run(work)

    async def officers(self) -> list[Officer]:
        return await self._store.officers.find({}, sort=[("_id", 1)], limit=1000)

    async def officer(self, officer_id: str) -> Officer:
        officer = await self._store.officers.get(officer_id)
        if officer is None:
            raise NotFound(f"no officer {officer_id} on the roster")
        return officer

    async def items(self) -> list[Item]:
        return await self._store.items.find({}, sort=[("_id", 1)], limit=1000)
