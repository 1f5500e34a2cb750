"""Opening periods (a day with a break), extra closed dates, and appointments longer
than one slot, in the calendar alone."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from appointments.domain import Unavailability as U
from appointments.domain.business import BusinessProfile
from appointments.domain.calendar import BusinessCalendar

TZ = ZoneInfo("America/Mexico_City")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)  # Wednesday
THURSDAY = date(2026, 11, 26)
HOUR, NINETY = timedelta(hours=1), timedelta(minutes=90)
SPLIT_DAY = ((time(9), time(14)), (time(16), time(19)))


def at(hour, minute=0, day=26):
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def split() -> BusinessCalendar:
    """Mon-Fri 9-14 and 16-19 (a lunch break), Saturday 9-13; Nov 27 closed."""
    return BusinessCalendar(
        tz=TZ, hours={**{d: SPLIT_DAY for d in range(5)}, 5: ((time(9), time(13)),)},
        closed_dates={date(2026, 11, 27): "Inventario"},
    )


def hhmm(starts):
    return [s.strftime("%H:%M") for s in starts]


def test_a_day_with_a_break_has_no_slots_in_the_break(split):
    starts = hhmm(split.slot_starts(THURSDAY))
    assert starts[:2] == ["09:00", "09:30"] and starts[-1] == "18:30" and len(starts) == 16
    assert "13:30" in starts and not {"14:00", "14:30", "15:00", "15:30"} & set(starts)
    assert split.periods(THURSDAY) == SPLIT_DAY
    assert split.opening_hours(THURSDAY) == (time(9), time(19))  # the day's span


def test_longer_appointments_fit_inside_one_period(split):
    assert hhmm(split.slot_starts(THURSDAY, HOUR))[8:10] == ["13:00", "16:00"]
    assert hhmm(split.slot_starts(THURSDAY, HOUR))[-1] == "18:00"
    ninety = hhmm(split.slot_starts(THURSDAY, NINETY))
    assert "12:30" in ninety and "13:00" not in ninety and ninety[-1] == "17:30"
    assert split.slot_starts(THURSDAY, timedelta(hours=6)) == []  # longer than any period


@pytest.mark.parametrize(
    "start, length, reason",
    [
        (at(13, 30), None, None),
        (at(13, 30), HOUR, U.OUTSIDE_HOURS),     # would straddle the break
        (at(14, 30), None, U.OUTSIDE_HOURS),     # in the break
        (at(18), HOUR, None),
        (at(18, 30), HOUR, U.OUTSIDE_HOURS),     # past closing time
        (at(16, 15), None, U.OFF_GRID),
        (at(16, 15), HOUR, U.OFF_GRID),
        (at(12, 45), NINETY, U.OUTSIDE_HOURS),   # off grid too: the hours come first
        (at(10, 30, day=25), HOUR, U.TOO_SOON),
        (at(10, day=27), None, U.HOLIDAY),       # a closed date
    ],
)
def test_check_start_with_a_length(split, start, length, reason):
    assert split.check_start(start, NOW, length) == reason


def test_the_grid_starts_at_each_periods_opening():
    calendar = BusinessCalendar(tz=TZ, hours={3: ((time(9), time(12)), (time(15, 15), time(17)))})
    assert hhmm(calendar.slot_starts(THURSDAY))[-4:] == ["11:30", "15:15", "15:45", "16:15"]
    assert calendar.check_start(at(15, 15), NOW) is None
    assert calendar.check_start(at(15, 30), NOW) == U.OFF_GRID


def test_a_closed_date_says_why(split):
    closed = date(2026, 11, 27)
    assert split.holiday_name(closed) == "Inventario"
    assert split.check_day(closed, NOW) == U.HOLIDAY
    assert split.periods(closed) == () and split.opening_hours(closed) is None
    assert split.slot_starts(closed) == [] and not split.is_open(at(10, day=27))
    assert split.holiday_name(date(2026, 12, 25)) == "Navidad"  # the country's still count


def test_open_hours_and_next_opening_around_the_break(split):
    assert split.is_open(at(13, 59)) and not split.is_open(at(14)) and split.is_open(at(16))
    assert split.next_opening(at(14, 30)) == at(16)
    assert split.next_opening(at(19)) == at(9, day=28)  # the 27th is closed: Saturday


def test_resolve_hour_looks_at_every_period(split):
    assert split.resolve_hour(THURSDAY, 5, 0, False) == time(17)  # afternoon period
    assert split.resolve_hour(THURSDAY, 3, 0, False) == time(3)   # 15:00 is the break
    # on a closed date the weekday's usual periods decide
    assert split.resolve_hour(date(2026, 11, 27), 4, 30, False) == time(16, 30)


def test_both_shapes_of_hours_are_accepted():
    pairs = BusinessCalendar(tz=TZ, hours={0: (time(9), time(18)), 6: ()})
    periods = BusinessCalendar(tz=TZ, hours={0: ((time(9), time(18)),)})
    assert pairs.hours == periods.hours == {0: ((time(9), time(18)),)}
    assert pairs == periods and 6 not in pairs.hours  # no period: closed
    unsorted = BusinessCalendar(tz=TZ, hours={0: [(time(16), time(19)), (time(9), time(14))]})
    assert unsorted.periods(date(2026, 11, 30)) == SPLIT_DAY


def test_slot_end_takes_a_length_in_real_time():
    madrid = ZoneInfo("Europe/Madrid")
    calendar = BusinessCalendar(tz=madrid, hours={6: ((time(1), time(4)),)},
                                holidays_country=None, horizon_days=400)
    start = datetime(2026, 3, 29, 1, 30, tzinfo=madrid)  # clocks jump 02:00 -> 03:00
    assert calendar.slot_end(start, HOUR) == datetime(2026, 3, 29, 3, 30, tzinfo=madrid)
    assert hhmm(calendar.slot_starts(date(2026, 3, 29), HOUR)) == ["01:00", "01:30", "03:00"]


def test_from_profile():
    profile = BusinessProfile(
        timezone="Europe/Madrid", hours={1: ((time(10), time(12)), (time(17), time(18)))},
        closed_dates={date(2026, 12, 1): "Formación"}, holidays_country="ES",
        slot_minutes=20, booking_horizon_days=7, min_notice_minutes=0,
    )
    calendar = BusinessCalendar.from_profile(profile)
    assert calendar.tz == ZoneInfo("Europe/Madrid") and calendar.min_notice == timedelta(0)
    assert (calendar.slot_minutes, calendar.horizon_days, calendar.holidays_country) == (
        20, 7, "ES")
    assert calendar.holiday_name(date(2026, 12, 1)) == "Formación"
    assert hhmm(calendar.slot_starts(date(2026, 12, 15), timedelta(minutes=40))) == [
        "10:00", "10:20", "10:40", "11:00", "11:20", "17:00", "17:20"]
    assert BusinessCalendar.from_settings(type("S", (), {"business": profile})()) == calendar
