"""The envelope every Warta event travels in (CloudEvents-style attributes)."""

from datetime import datetime
from typing import Self
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from .roles import Role

# The SOP revision of every event written before events named theirs.
FIRST_SOP = "58/2025"


class Model(BaseModel):
    """Base of every contract model: immutable, and tolerant of fields added by newer producers."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class Actor(Model):
    """The officer whose action caused an event; absent when a service reacted on its own."""

    officer_id: str = Field(min_length=1, max_length=100)
    role: Role
    name: str | None = Field(
        default=None, max_length=200, description="The officer's name as their sign-in gave it, for people to read."
    )


class Event(Model):
    """Attributes shared by all events.

    ``id`` is unique per event and doubles as the JetStream ``Nats-Msg-Id``, so a repeat of the
    same event is recognised by the stream and by every consumer. ``subject`` is the request id:
    every event belongs to exactly one request. ``correlation_id`` is the same for all events of
    one request's journey; ``causation_id`` is the id of the event (or command) that caused this one.
    """

    specversion: str = "1.0"
    id: UUID = Field(default_factory=uuid4)
    type: str
    source: str
    subject: str = Field(min_length=1, max_length=100, description="The request id.")
    time: AwareDatetime
    correlation_id: str = Field(min_length=1, max_length=100)
    causation_id: str | None = Field(default=None, max_length=100)
    actor: Actor | None = None
    sop: str = Field(
        default=FIRST_SOP,
        min_length=1,
        max_length=20,
        description="The SOP revision the request runs under: the one in force when its letter arrived.",
    )

    @classmethod
    def occurred(
        cls,
        *,
        data: BaseModel,
        request_id: str,
        time: datetime,
        correlation_id: str | None = None,
        causation: "Event | None" = None,
        actor: Actor | None = None,
        sop: str | None = None,
    ) -> Self:
        """Build an event of this type; correlation and the SOP revision follow its cause unless given."""
        if correlation_id is None:
            correlation_id = causation.correlation_id if causation else request_id
        if sop is None:
            sop = causation.sop if causation else FIRST_SOP
        return cls(
            type=cls.event_type(),
            source=cls.event_source(),
            subject=request_id,
            time=time,
            correlation_id=correlation_id,
            causation_id=str(causation.id) if causation else None,
            actor=actor,
            sop=sop,
            data=data,
        )

    @classmethod
    def event_type(cls) -> str:
        """The versioned type name, e.g. ``warta.request.received.v1``."""
        return str(cls.model_fields["type"].default)

    @classmethod
    def event_source(cls) -> str:
        """The service that owns (and alone may publish) this event."""
        return str(cls.model_fields["source"].default)
