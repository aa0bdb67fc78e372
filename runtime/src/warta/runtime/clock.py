from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """UTC wall clock; presentation converts to Asia/Jakarta."""

    def now(self) -> datetime:
        return datetime.now(UTC)
