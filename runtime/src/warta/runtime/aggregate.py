"""The base of every service's aggregates: state that records the events its transitions produce.

Pure (no I/O): domain modules may import it next to the contracts and the standard library.
"""

from pydantic import BaseModel, Field, PrivateAttr

from warta.contracts import Event


class Aggregate(BaseModel):
    revision: int = Field(default=1, description="Bumped on every change; guards concurrent writers.")

    _events: list[Event] = PrivateAttr(default_factory=list)
    _loaded_revision: int = PrivateAttr(default=0)

    def model_post_init(self, context: object, /) -> None:
        self._loaded_revision = self.revision

    @property
    def loaded_revision(self) -> int:
        """The revision this aggregate had when it was loaded (or created)."""
        return self._loaded_revision

    @property
    def events(self) -> list[Event]:
        """Events recorded since this aggregate was loaded."""
        return self._events

    def changed(self, *events: Event) -> None:
        """Mark a transition: bump the revision and record what it produced."""
        self.revision += 1
        self._events.extend(events)
