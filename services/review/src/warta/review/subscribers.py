from warta.contracts import CoverageSubmitted
from warta.runtime import Bus

from .handlers import ReviewHandlers


def subscribe(bus: Bus, handlers: ReviewHandlers) -> None:
    bus.consume(CoverageSubmitted, handlers.receive_submission)
