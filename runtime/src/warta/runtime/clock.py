from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """UTC wall clock, to the millisecond; presentation converts to Asia/Jakarta."""

    def now(self) -> datetime:
        # BSON keeps milliseconds: a time answered now reads back the same after it is stored.
        now = datetime.now(UTC)
        return now.replace(microsecond=now.microsecond // 1000 * 1000)


class OffsetClock(SystemClock):
    """The wall clock moved forward by the number of seconds written in a file, so that a test can
    let hours pass between two steps across several service processes. Development only: the
    settings refuse it with production authentication."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def offset(self) -> timedelta:
        try:
            return timedelta(seconds=float(self.path.read_text().strip() or 0))
        except FileNotFoundError:
            return timedelta(0)

    def now(self) -> datetime:
        return super().now() + self.offset()

    def advance(self, delta: timedelta) -> None:
        self.path.write_text(str((self.offset() + delta).total_seconds()))
