from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """UTC wall clock, to the millisecond; presentation converts to Asia/Jakarta."""

    def now(self) -> datetime:
        # BSON keeps milliseconds: a time answered now reads back the same after it is stored.
        now = datetime.now(UTC)
        return now.replace(microsecond=now.microsecond // 1000 * 1000)
