"""One atomic write per decision: the state change, the events it produces (outbox) and the id of
the event it consumed (inbox) commit together or not at all. The writes that can wait for the end
(the inbox mark, the body's aggregates, the step clocks', the outbox entries) go in one command
(ADR 0036, ADR 0037)."""

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from pymongo import ASCENDING, AsyncMongoClient, InsertOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError
from pymongo.read_concern import ReadConcern

from warta.contracts import Event

from . import tracing
from .bulk import write_together
from .clock import Clock
from .faults import fault_point
from .tx import Tx

if TYPE_CHECKING:
    from .clocks import Finished, StepClocks

T = TypeVar("T")

log = logging.getLogger(__name__)

OUTBOX = "outbox"
INBOX = "inbox"


class AlreadyApplied(Exception):
    """The consumed event was applied before; the delivery is a repeat and changes nothing."""


class UnitOfWork:
    def __init__(
        self,
        client: AsyncMongoClient[Any],
        db: AsyncDatabase[Any],
        clock: Clock,
        on_commit: Callable[[list[dict[str, Any]]], None],
        step_clocks: "StepClocks | None" = None,
        on_doubt: Callable[[], None] = lambda: None,
    ) -> None:
        self._client = client
        self._db = db
        self._clock = clock
        self._on_commit = on_commit
        self._on_doubt = on_doubt
        self._step_clocks = step_clocks
        self._outbox = db[OUTBOX].full_name
        self._inbox = db[INBOX].full_name

    async def run(self, work: Callable[[Tx], Awaitable[T]], *, consumes: Event | None = None) -> T:
        """Run ``work`` in a transaction; raise ``AlreadyApplied`` if ``consumes`` was applied before.

        ``work`` may run more than once: the driver retries the whole transaction on transient
        errors, so it must only read and write through ``tx``.
        """
        committed: list[dict[str, Any]] = []  # the outbox entries of the last attempt that reached its commit
        finished: list[Finished] = []

        async def attempt(session: AsyncClientSession) -> T:
            tx = Tx(session=session, db=self._db)
            if consumes is not None:
                # First in the combined write, not a command of its own: a repeat delivery is
                # rare, and then the key it finds taken aborts everything the body did (ADR 0037).
                mark = {"_id": str(consumes.id), "type": consumes.type, "applied_at": self._clock.now()}
                tx.write_later(InsertOne(mark, namespace=self._inbox), (self._inbox, mark["_id"]))
            result = await work(tx)
            if self._step_clocks is not None:
                seen = [consumes, *tx.events] if consumes is not None else tx.events
                changes = await self._step_clocks.changes(session, seen)
                finished[:] = changes.finished
                tx.writes += changes.writes
            entries = _outbox_entries(tx.events, self._clock.now()) if tx.events else []
            tx.writes += [InsertOne(entry, namespace=self._outbox) for entry in entries]
            # The body's aggregates, the clocks' runs and the outbox entries in one command: each
            # command costs the database about the same whatever it writes.
            await write_together(self._client, tx.writes, session, tx.must_match)
            committed[:] = entries
            return result

        try:
            # Without causal consistency: its only use here would be a retried attempt reading
            # after the failed one, whose writes were aborted, from the primary it wrote to; and
            # with it SecantusDB refuses an attempt whose first command is the combined write
            # (ADR 0004).
            async with self._client.start_session(causal_consistency=False) as session:
                result = await session.with_transaction(attempt)
        except BaseException as failed:
            if committed:  # an attempt reached its commit, whose outcome is not known here
                self._on_doubt()
            if consumes is not None and isinstance(failed, Exception) and await self._applied(consumes):
                # Whatever stopped this attempt (the inbox key taken, or a body that finds the
                # state already moved on), the event took effect before: a repeat.
                log.debug("%s %s is a repeat (its attempt ended with %r)", consumes.type, consumes.id, failed)
                raise AlreadyApplied(str(consumes.id)) from None
            raise
        if self._step_clocks is not None:
            self._step_clocks.record(finished)
        if committed:
            # Events committed, none published yet: the window the outbox exists for.
            fault_point("outbox.after_commit")
            self._on_commit(committed)
        return result

    async def _applied(self, consumed: Event) -> bool:
        """Whether ``consumed`` is in the inbox; unknown (the database away) counts as not. Read
        at majority: a mark a failover could still roll back must not end a delivery."""
        try:
            inbox = self._db.get_collection(INBOX, read_concern=ReadConcern("majority"))
            return await inbox.find_one({"_id": str(consumed.id)}, {"_id": 1}) is not None
        except PyMongoError:
            return False


def _outbox_entries(events: list[Event], now: datetime) -> list[dict[str, Any]]:
    # The trace of the work that committed them goes out with them (tracing.py).
    traced = {"traceparent": parent} if (parent := tracing.traceparent_now()) else {}
    return [
        {
            "_id": str(event.id),
            "type": event.type,
            "payload": event.model_dump_json(),
            "created_at": now,
            "position": position,
            "sent_at": None,
            **traced,
        }
        for position, event in enumerate(events)
    ]


async def ensure_outbox_index(db: AsyncDatabase[Any]) -> None:
    await db[OUTBOX].create_index([("sent_at", ASCENDING), ("created_at", ASCENDING), ("position", ASCENDING)])
