"""How long a step took, by the calendar its standard is counted in.

``wall``: every second counts (the default: leadership events happen on weekends too).
``office``: only working hours in Asia/Jakarta count — working days (Monday to Friday unless
settings say otherwise) between the start and end of the working day, minus Indonesia's public
holidays and collective leave (*cuti bersama*, from the ``holidays`` package) and the section's
own additions from settings.

Pure: no I/O, no clock; the holiday table is built once per calendar and year.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

import holidays

JAKARTA = ZoneInfo("Asia/Jakarta")
CalendarName = Literal["wall", "office"]


class Calendar(Protocol):
    @property
    def name(self) -> CalendarName: ...

    def seconds_between(self, start: datetime, end: datetime) -> float: ...


class WallClock:
    name: CalendarName = "wall"

    def seconds_between(self, start: datetime, end: datetime) -> float:
        return max(0.0, (end - start).total_seconds())


@dataclass(frozen=True)
class OfficeHours:
    name: CalendarName = field(default="office", init=False)
    opens: time = time(7, 30)
    closes: time = time(16, 0)
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    local_days_off: frozenset[date] = frozenset()
    zone: ZoneInfo = JAKARTA

    def __post_init__(self) -> None:
        if self.closes <= self.opens:
            raise ValueError(f"office hours close ({self.closes}) before they open ({self.opens})")

    @cached_property
    def _national(self) -> holidays.HolidayBase:
        # Public holidays and cuti bersama; the package fills in each year as it is asked for.
        return holidays.country_holidays("ID", categories=("public", "government"), language="id")

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_days and day not in self.local_days_off and day not in self._national

    def day_off_name(self, day: date) -> str | None:
        if day in self.local_days_off:
            return "libur setempat"
        name = self._national.get(day)
        return str(name) if name else None

    def seconds_between(self, start: datetime, end: datetime) -> float:
        if end <= start:
            return 0.0
        start, end = start.astimezone(self.zone), end.astimezone(self.zone)
        total = 0.0
        for day in _days(start.date(), end.date()):
            if not self.is_working_day(day):
                continue
            opens = datetime.combine(day, self.opens, self.zone)
            closes = datetime.combine(day, self.closes, self.zone)
            overlap = (min(end, closes) - max(start, opens)).total_seconds()
            total += max(0.0, overlap)
        return total


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
