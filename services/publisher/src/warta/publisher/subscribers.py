from warta.contracts import Approved, CoverageSubmitted, RequestReceived
from warta.runtime import Bus

from .handlers import PublisherHandlers


def subscribe(bus: Bus, handlers: PublisherHandlers) -> None:
    bus.consume(RequestReceived, handlers.note_arrival)
    bus.consume(CoverageSubmitted, handlers.keep_submission)
    bus.consume(Approved, handlers.order_publication)
