"""The transaction a unit of work's body runs in (its own module: documents and the unit of work
both need it, and neither may import the other)."""

from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from warta.contracts import Event

from .bulk import Write


@dataclass
class Tx:
    """What a unit of work's body gets: the session to pass to every write, a place to put the
    events the change produces, and one for the writes that can wait for the unit of work's own."""

    session: AsyncClientSession
    db: AsyncDatabase[Any]
    events: list[Event] = field(default_factory=list)
    # Written after the body, in this order, in one command with the step clocks and the outbox
    # (ADR 0036): a body reads nothing these write.
    writes: list[Write] = field(default_factory=list)
    # Of those, each that must find its document (by its place in ``writes``), with the message of
    # the ``Conflict`` it fails with if it does not.
    must_match: dict[int, str] = field(default_factory=dict)
    # The documents those write, by collection and key: reading one back in the body would find
    # it as it was before them.
    pending: set[tuple[str, Any]] = field(default_factory=set)

    def emit(self, *events: Event) -> None:
        self.events.extend(events)

    def write_later(self, write: Write, document: tuple[str, Any], *, conflict: str | None = None) -> None:
        """Add ``write`` of ``document`` (collection, key) to those made at the end; with
        ``conflict``, one that finds no document fails the transaction with a ``Conflict`` saying
        that."""
        if conflict is not None:
            self.must_match[len(self.writes)] = conflict
        self.writes.append(write)
        self.pending.add(document)

    def require_written(self, collection: str, key: Any) -> None:
        """Refuse to read back a document whose write waits for the end of the transaction."""
        if (collection, key) in self.pending:
            raise RuntimeError(f"{collection} {key} is read back after a write that waits for the end (ADR 0036)")
