"""Dates and times as the section writes them: ``Senin, 30 November 2026 pukul 09.00 WIB``.

Pure (no I/O): domain modules and renderers may import it.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def format_date(day: date, *, weekday: bool = False) -> str:
    """``30 November 2026``, or ``Senin, 30 November 2026``."""
    if isinstance(day, datetime):
        day = day.astimezone(JAKARTA).date()
    text = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{WEEKDAYS[day.weekday()]}, {text}" if weekday else text


def format_time(moment: datetime) -> str:
    """``09.00 WIB``: Indonesian writes hours and minutes with a dot."""
    return f"{moment.astimezone(JAKARTA):%H.%M} WIB"


def format_datetime(moment: datetime, *, weekday: bool = False) -> str:
    return f"{format_date(moment, weekday=weekday)} pukul {format_time(moment)}"


def format_period(starts_at: datetime, ends_at: datetime) -> str:
    """``Senin, 30 November 2026, 09.00 s.d. 11.00 WIB`` (sampai dengan: until, as official letters
    write it); the end's date is written when it differs."""
    start, end = starts_at.astimezone(JAKARTA), ends_at.astimezone(JAKARTA)
    if start.date() == end.date():
        return f"{format_date(start, weekday=True)}, {start:%H.%M} s.d. {end:%H.%M} WIB"
    return f"{format_datetime(start, weekday=True)} s.d. {format_datetime(end, weekday=True)}"


def format_number(value: int) -> str:
    """``100.000.000``: Indonesian groups thousands with a dot."""
    return f"{value:,}".replace(",", ".")


def format_size(size: int) -> str:
    """``12,5 MB``: a file's size as people read it, with a decimal comma."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".rstrip("0").rstrip(".").replace(".", ",") + f" {unit}"
    return f"{size} byte"
