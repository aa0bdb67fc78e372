"""What every Warta service runs on."""

from .auth import Officer, Principal, acting_as, issue_dev_token, require_role
from .bus import Bus, RetryLater, StreamMessage
from .clock import Clock, SystemClock
from .metrics import ServiceMetrics
from .service import ServiceRuntime
from .settings import ServiceSettings
from .tx import Tx
from .unit_of_work import AlreadyApplied, UnitOfWork

__all__ = [
    "AlreadyApplied",
    "Bus",
    "Clock",
    "Officer",
    "Principal",
    "RetryLater",
    "ServiceMetrics",
    "ServiceRuntime",
    "ServiceSettings",
    "StreamMessage",
    "SystemClock",
    "Tx",
    "UnitOfWork",
    "acting_as",
    "issue_dev_token",
    "require_role",
]
