"""The office-hours calendar counts exactly the working seconds in Asia/Jakarta."""

from datetime import date, datetime, time

import pytest

from warta.runtime.calendar import JAKARTA, OfficeHours, WallClock

OFFICE = OfficeHours()  # Monday to Friday, 07.30 to 16.00 WIB


def wib(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=JAKARTA)


def test_within_one_working_day_it_is_the_wall_time():
    assert OFFICE.seconds_between(wib("2026-11-30", "09:00"), wib("2026-11-30", "09:45")) == 45 * 60


def test_a_weekend_counts_nothing():
    # Friday 15.00 to Monday 08.00: one hour on Friday, half an hour on Monday.
    assert OFFICE.seconds_between(wib("2026-11-27", "15:00"), wib("2026-11-30", "08:00")) == 90 * 60
    assert OFFICE.seconds_between(wib("2026-11-28", "09:00"), wib("2026-11-29", "17:00")) == 0


def test_the_night_and_the_hours_before_opening_count_nothing():
    assert OFFICE.seconds_between(wib("2026-12-01", "15:30"), wib("2026-12-02", "07:45")) == 45 * 60
    assert OFFICE.seconds_between(wib("2026-12-01", "05:00"), wib("2026-12-01", "07:30")) == 0


def test_public_holidays_and_collective_leave_count_nothing():
    # Wednesday 23 December 15.00 to Monday 28 December 08.00: 24 December is cuti bersama and
    # 25 December is Christmas, so only Wednesday's last hour and Monday's first half hour count.
    assert OFFICE.is_working_day(date(2026, 12, 23))
    assert OFFICE.day_off_name(date(2026, 12, 24)) == "Cuti Bersama Hari Raya Natal"
    assert OFFICE.day_off_name(date(2026, 12, 25)) == "Hari Raya Natal"
    assert OFFICE.seconds_between(wib("2026-12-23", "15:00"), wib("2026-12-28", "08:00")) == 90 * 60


def test_a_local_day_off_from_settings_counts_nothing():
    anniversary = OfficeHours(local_days_off=frozenset({date(2026, 12, 1)}))  # a city holiday, say
    assert anniversary.seconds_between(wib("2026-11-30", "15:00"), wib("2026-12-02", "08:00")) == 90 * 60
    assert anniversary.day_off_name(date(2026, 12, 1)) == "libur setempat"


def test_an_event_on_saturday_assigned_on_tuesday():
    # Disposed Tuesday 10.00 and assigned Tuesday 10.20: the assignment (step 3) took 20 minutes
    # whatever the calendar; the coverage (step 4) of the Saturday event runs from the event's start
    # at 08.00 to the submission at 13.00. On the wall clock that is five hours; in office hours
    # nothing, because nobody's office hours are on a Saturday.
    assert OFFICE.seconds_between(wib("2026-12-01", "10:00"), wib("2026-12-01", "10:20")) == 20 * 60
    assert WallClock().seconds_between(wib("2026-12-05", "08:00"), wib("2026-12-05", "13:00")) == 5 * 3600
    assert OFFICE.seconds_between(wib("2026-12-05", "08:00"), wib("2026-12-05", "13:00")) == 0


def test_utc_instants_are_read_in_jakarta_time():
    # 01.00 UTC is 08.00 WIB: half an hour after opening.
    start = datetime.fromisoformat("2026-11-30T00:30:00+00:00")
    end = datetime.fromisoformat("2026-11-30T01:00:00+00:00")
    assert OFFICE.seconds_between(start, end) == 30 * 60


def test_an_end_before_its_start_is_zero_and_closing_before_opening_is_refused():
    assert OFFICE.seconds_between(wib("2026-11-30", "10:00"), wib("2026-11-30", "09:00")) == 0
    assert WallClock().seconds_between(wib("2026-11-30", "10:00"), wib("2026-11-30", "09:00")) == 0
    with pytest.raises(ValueError, match="close"):
        OfficeHours(opens=time(16), closes=time(8))
