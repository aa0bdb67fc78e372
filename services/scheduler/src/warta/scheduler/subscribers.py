from warta.contracts import DispositionIssued
from warta.runtime import Bus

from .handlers import SchedulerHandlers


def subscribe(bus: Bus, handlers: SchedulerHandlers) -> None:
    bus.consume(DispositionIssued, handlers.put_on_agenda)
