from warta.contracts import Rejected, TeamAssigned
from warta.runtime import Bus

from .handlers import CoverageHandlers


def subscribe(bus: Bus, handlers: CoverageHandlers) -> None:
    bus.consume(TeamAssigned, handlers.open_workspace)
    bus.consume(Rejected, handlers.return_to_team)
