"""The transaction a unit of work's body runs in (its own module: documents and the unit of work
both need it, and neither may import the other)."""

from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from warta.contracts import Event


@dataclass
class Tx:
    """What a unit of work's body gets: the session to pass to every write, and a place to put the
    events the change produces."""

    session: AsyncClientSession
    db: AsyncDatabase[Any]
    events: list[Event] = field(default_factory=list)

    def emit(self, *events: Event) -> None:
        self.events.extend(events)
