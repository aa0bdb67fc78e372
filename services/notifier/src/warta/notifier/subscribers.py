from warta.contracts import (
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
from warta.runtime import Bus

from .handlers import NotifierHandlers

# Every event that tells someone their work waits, or starts or stops a step's clock.
HEARD = (
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


def subscribe(bus: Bus, handlers: NotifierHandlers) -> None:
    for event in HEARD:
        bus.consume(event, handlers.apply)
