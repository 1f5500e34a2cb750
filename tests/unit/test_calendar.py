"""Business hours, holidays, time zones, horizon and notice, without any database."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from appointments.scheduling import Unavailability as U
from appointments.scheduling.calendar import BusinessCalendar
from appointments.settings import parse_business_hours

TZ = ZoneInfo("America/Mexico_City")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)  # Wednesday


def at(day, hour, minute=0, tz=TZ):
    return datetime(2026, 11, day, hour, minute, tzinfo=tz)


def test_slot_grid_of_a_weekday_and_a_saturday(calendar):
    weekday = calendar.slot_starts(date(2026, 11, 26))
    assert weekday[0].time() == time(9, 0) and weekday[-1].time() == time(17, 30)
    assert len(weekday) == 18
    saturday = calendar.slot_starts(date(2026, 11, 28))
    assert [s.time() for s in saturday][-1] == time(12, 30)
    assert calendar.slot_starts(date(2026, 11, 29)) == []  # Sunday


@pytest.mark.parametrize(
    "start, reason",
    [
        (at(25, 9), U.PAST),
        (at(25, 10, 30), U.TOO_SOON),
        (at(25, 11), None),
        (at(26, 8, 30), U.OUTSIDE_HOURS),
        (at(26, 17, 45), U.OUTSIDE_HOURS),
        (at(26, 17, 30), None),
        (at(26, 10, 15), U.OFF_GRID),
        (at(29, 10), U.CLOSED_DAY),
        (at(28, 13), U.OUTSIDE_HOURS),
        (datetime(2026, 12, 25, 10, tzinfo=TZ), U.HOLIDAY),
        (datetime(2026, 12, 28, 10, tzinfo=TZ), U.BEYOND_HORIZON),
        (datetime(2026, 12, 24, 10, tzinfo=TZ), None),
    ],
)
def test_check_start(calendar, start, reason):
    assert calendar.check_start(start, NOW) == reason


def test_holidays_are_named_in_spanish(calendar):
    assert calendar.holiday_name(date(2026, 12, 25)) == "Navidad"
    # Revolution Day is observed on the third Monday of November
    assert calendar.holiday_name(date(2026, 11, 16))
    assert calendar.holiday_name(date(2026, 11, 20)) is None
    assert calendar.opening_hours(date(2026, 12, 25)) is None


def test_no_holidays_when_no_country(calendar):
    no_country = BusinessCalendar(tz=TZ, hours=calendar.hours, holidays_country=None)
    assert no_country.check_day(date(2026, 12, 25), NOW) is None


def test_times_from_other_zones_are_converted():
    calendar = BusinessCalendar(tz=TZ, hours=parse_business_hours("mon-fri 09:00-18:00"))
    utc_moment = datetime(2026, 11, 26, 16, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in Mexico City
    assert calendar.localize(utc_moment).hour == 10
    assert calendar.check_start(utc_moment, NOW) is None
    assert calendar.localize(datetime(2026, 11, 26, 10, 0)).tzinfo == TZ


def test_daylight_saving_day_keeps_local_hours():
    madrid = ZoneInfo("Europe/Madrid")
    calendar = BusinessCalendar(tz=madrid, hours=parse_business_hours("mon-sun 09:00-11:00"),
                                horizon_days=400)
    now = datetime(2026, 3, 20, 8, 0, tzinfo=madrid)
    slots = calendar.slot_starts(date(2026, 3, 29))  # clocks go forward that night
    assert [s.time() for s in slots] == [time(9), time(9, 30), time(10), time(10, 30)]
    assert slots[0].utcoffset() == timedelta(hours=2)
    assert calendar.check_start(slots[0], now) is None


def test_horizon_and_notice_are_configurable(calendar):
    strict = BusinessCalendar(tz=TZ, hours=calendar.hours, horizon_days=1,
                              min_notice=timedelta(hours=24))
    assert strict.check_start(at(26, 9), NOW) == U.TOO_SOON
    assert strict.check_start(at(27, 10), NOW) == U.BEYOND_HORIZON
    assert strict.check_start(at(26, 10), NOW) is None


@pytest.mark.parametrize(
    "day, hour, explicit, expected",
    [
        (date(2026, 11, 26), 5, False, time(17)),   # "a las 5" on a weekday is 17:00
        (date(2026, 11, 26), 9, False, time(9)),    # 9 is open: keep it
        (date(2026, 11, 26), 8, False, time(8)),    # 20:00 is closed too: keep 8
        (date(2026, 11, 26), 5, True, time(5)),     # "5 de la mañana" said explicitly
        (date(2026, 11, 28), 5, False, time(5)),    # Saturday closes at 13:00
        (date(2026, 11, 28), 12, False, time(12)),
    ],
)
def test_resolve_hour(calendar, day, hour, explicit, expected):
    assert calendar.resolve_hour(day, hour, 0, explicit) == expected
