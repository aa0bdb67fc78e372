"""Every event type Warta knows, with its NATS subject and owning service."""

from .envelope import Event, Model
from .events import (
    Approved,
    CoverageSubmitted,
    DispositionIssued,
    Published,
    Rejected,
    RequestCorrected,
    RequestDeclined,
    RequestReceived,
    TeamAssigned,
)

CATALOGUE: tuple[type[Event], ...] = (
    RequestReceived,
    RequestCorrected,
    DispositionIssued,
    RequestDeclined,
    TeamAssigned,
    CoverageSubmitted,
    Approved,
    Rejected,
    Published,
)

DEFAULT_SUBJECT_PREFIX = "warta"

_BY_TYPE: dict[str, type[Event]] = {cls.event_type(): cls for cls in CATALOGUE}


class UnknownEventType(LookupError):
    pass


def event_class(event_type: str) -> type[Event]:
    try:
        return _BY_TYPE[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def subject_for(event: type[Event] | str, prefix: str = DEFAULT_SUBJECT_PREFIX) -> str:
    """The NATS subject of an event type: ``warta.request.received.v1`` under the default prefix.

    A different prefix lets several Warta installations (or test runs) share one NATS server.
    """
    event_type = event if isinstance(event, str) else event.event_type()
    return f"{prefix}.{event_type.removeprefix('warta.')}"


def owner_of(event: type[Event]) -> str:
    """The service that publishes this event, e.g. ``intake``."""
    return event.event_source().removeprefix("warta/")


class _TypeOnly(Model):
    type: str


def parse_event(raw: bytes | str) -> Event:
    """Parse any catalogued event from its JSON form.

    Raises ``UnknownEventType`` for a type this version of the contracts does not know and
    pydantic's ``ValidationError`` for a payload that breaks its contract.
    """
    event_type = _TypeOnly.model_validate_json(raw).type
    return event_class(event_type).model_validate_json(raw)
