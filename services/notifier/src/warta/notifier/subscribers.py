from warta.contracts import CATALOGUE
from warta.runtime import Bus

from .handlers import NotifierHandlers


def subscribe(bus: Bus, handlers: NotifierHandlers) -> None:
    # Every event: each tells someone their work waits, or starts or stops a step's clock, and
    # one the notifier has no notice for changes nothing.
    for event in CATALOGUE:
        bus.consume(event, handlers.apply)
