"""Business hours, holidays, time zones, horizon and notice, without any database."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from appointments.domain import Unavailability as U
from appointments.domain.calendar import BusinessCalendar
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


@pytest.mark.parametrize(
    "start, reason",
    [
        (datetime(2026, 11, 22, 10, 15, tzinfo=TZ), U.PAST),              # past Sunday, off grid
        (datetime(2026, 12, 27, 3, 0, tzinfo=TZ), U.BEYOND_HORIZON),     # far Sunday at night
        (datetime(2026, 12, 25, 7, 10, tzinfo=TZ), U.HOLIDAY),           # holiday, off hours
        (datetime(2026, 11, 29, 7, 10, tzinfo=TZ), U.CLOSED_DAY),        # Sunday, off hours
        (at(26, 7, 10), U.OUTSIDE_HOURS),                                 # off hours and grid
        (at(25, 10, 45), U.OFF_GRID),                                     # off grid, too soon
        (at(26, 10, 0).replace(second=1), U.OFF_GRID),
    ],
)
def test_the_most_fundamental_reason_wins(calendar, start, reason):
    assert calendar.check_start(start, NOW) == reason


def test_check_day(calendar):
    assert calendar.check_day(date(2026, 11, 24), NOW) == U.PAST
    assert calendar.check_day(date(2026, 11, 25), NOW) is None  # today still counts
    assert calendar.check_day(date(2026, 12, 24), NOW) is None  # today + 29
    assert calendar.check_day(date(2026, 12, 25), NOW) == U.HOLIDAY  # today + 30: in horizon
    assert calendar.check_day(date(2026, 12, 26), NOW) == U.BEYOND_HORIZON  # today + 31
    assert calendar.check_day(date(2026, 11, 29), NOW) == U.CLOSED_DAY
    # "today" is the business's today: 01:00 UTC on the 26th is still the 25th in Mexico
    late_evening = datetime(2026, 11, 26, 1, 0, tzinfo=ZoneInfo("UTC"))
    assert calendar.check_day(date(2026, 11, 25), late_evening) is None


def test_naive_times_are_business_local_time(calendar):
    naive_now = NOW.replace(tzinfo=None)
    assert calendar.check_start(datetime(2026, 11, 25, 10, 30), naive_now) == U.TOO_SOON
    assert calendar.check_start(datetime(2026, 11, 25, 11, 0), naive_now) is None
    assert calendar.localize(datetime(2026, 11, 26, 10)) == at(26, 10)


def test_from_settings():
    from appointments.settings import Settings

    settings = Settings.from_env({
        "BUSINESS_TIMEZONE": "Europe/Madrid", "BUSINESS_HOURS": "tue 10:00-12:00",
        "SLOT_MINUTES": "20", "BOOKING_HORIZON_DAYS": "7", "MIN_NOTICE_MINUTES": "0",
        "HOLIDAYS_COUNTRY": "ES",
    })
    calendar = BusinessCalendar.from_settings(settings)
    assert calendar.tz == ZoneInfo("Europe/Madrid") and calendar.min_notice == timedelta(0)
    assert (calendar.horizon_days, calendar.holidays_country) == (7, "ES")
    assert [s.strftime("%H:%M") for s in calendar.slot_starts(date(2026, 12, 1))] == [
        "10:00", "10:20", "10:40", "11:00", "11:20", "11:40"]
    assert calendar.slot_starts(date(2026, 12, 8)) == []  # Inmaculada Concepción, a Tuesday


MADRID = ZoneInfo("Europe/Madrid")


def madrid(month, day, hour, minute=0, fold=0):
    return datetime(2026, month, day, hour, minute, tzinfo=MADRID, fold=fold)


def night_calendar(**overrides):
    """Open through the night so the DST changes (at 02:00/03:00) fall inside the hours."""
    return BusinessCalendar(tz=MADRID, hours=parse_business_hours("mon-sun 01:00-04:00"),
                            horizon_days=400, holidays_country=None, **overrides)


def test_spring_forward_skips_the_wall_times_that_do_not_exist():
    calendar = night_calendar()
    slots = calendar.slot_starts(date(2026, 3, 29))  # 02:00 jumps to 03:00
    assert [s.strftime("%H:%M%z") for s in slots] == [
        "01:00+0100", "01:30+0100", "03:00+0200", "03:30+0200"]
    # a skipped wall time denotes the moment an hour later
    assert calendar.localize(datetime(2026, 3, 29, 2, 30)) == madrid(3, 29, 3, 30)
    assert calendar.slot_end(madrid(3, 29, 1, 30)) == madrid(3, 29, 3, 0)  # 30 real minutes


def test_fall_back_offers_each_wall_time_once():
    calendar = night_calendar()
    slots = calendar.slot_starts(date(2026, 10, 25))  # 03:00 goes back to 02:00
    assert [s.strftime("%H:%M") for s in slots] == [
        "01:00", "01:30", "02:00", "02:30", "03:00", "03:30"]
    assert slots[2].utcoffset() == timedelta(hours=2)  # the first 02:00 (summer time)
    assert calendar.slot_end(madrid(10, 25, 2, 30)) == madrid(10, 25, 2, 0, fold=1)


def test_notice_and_past_count_real_minutes_across_a_clock_change():
    calendar = night_calendar(min_notice=timedelta(minutes=60))
    now = madrid(3, 29, 1, 30)  # 00:30 UTC
    assert calendar.check_start(madrid(3, 29, 3, 0), now) == U.TOO_SOON  # 30 real minutes
    assert calendar.check_start(madrid(3, 29, 3, 30), now) is None       # 60 real minutes
    autumn_now = madrid(10, 25, 2, 45, fold=1)  # the second 02:45, 01:45 UTC
    assert calendar.check_start(madrid(10, 25, 2, 30), autumn_now) == U.PAST  # first 02:30
    assert calendar.check_start(madrid(10, 25, 3, 30), autumn_now) == U.TOO_SOON  # 45 min


def test_utc_input_is_read_in_the_business_zone_across_dst():
    calendar = BusinessCalendar(tz=MADRID, hours=parse_business_hours("mon-fri 09:00-18:00"))
    summer = calendar.localize(datetime(2026, 7, 1, 7, 0, tzinfo=ZoneInfo("UTC")))
    winter = calendar.localize(datetime(2026, 12, 1, 8, 0, tzinfo=ZoneInfo("UTC")))
    assert (summer.hour, summer.utcoffset()) == (9, timedelta(hours=2))
    assert (winter.hour, winter.utcoffset()) == (9, timedelta(hours=1))
    assert summer.tzinfo is MADRID and winter.tzinfo is MADRID


def test_holidays_of_each_year_are_found():
    calendar = BusinessCalendar(tz=TZ, hours=parse_business_hours("mon-fri 09:00-18:00"))
    assert calendar.holiday_name(date(2027, 1, 1))  # a year later than the first lookup
    assert calendar.holiday_name(date(2026, 9, 16))  # Independence Day
    assert calendar.holiday_name(date(2026, 11, 17)) is None


@pytest.mark.parametrize(
    "hour, minute, expected",
    [(5, 30, time(17, 30)), (12, 0, time(12)), (0, 0, time(0)), (11, 0, time(11)),
     (6, 0, time(6))],  # 18:00 is closing time, not open: keep 6
)
def test_resolve_hour_edges(calendar, hour, minute, expected):
    assert calendar.resolve_hour(date(2026, 11, 26), hour, minute, False) == expected


def test_resolve_hour_on_a_holiday_uses_the_weekday_hours(calendar):
    assert calendar.resolve_hour(date(2026, 12, 25), 4, 0, False) == time(16)
    assert calendar.resolve_hour(date(2026, 11, 29), 4, 0, False) == time(4)  # Sunday


# --- when someone can answer (human handoff) ---------------------------------------


def test_open_inside_business_hours_only(calendar):
    assert calendar.is_open(datetime(2026, 11, 25, 9, 0, tzinfo=TZ))
    assert calendar.is_open(datetime(2026, 11, 25, 17, 59, tzinfo=TZ))
    assert not calendar.is_open(datetime(2026, 11, 25, 18, 0, tzinfo=TZ))
    assert not calendar.is_open(datetime(2026, 11, 29, 11, 0, tzinfo=TZ))  # Sunday


def test_next_opening_after_closing_is_next_morning(calendar):
    assert calendar.next_opening(datetime(2026, 11, 25, 19, 30, tzinfo=TZ)) == datetime(
        2026, 11, 26, 9, 0, tzinfo=TZ
    )


def test_next_opening_skips_sunday_and_holidays(calendar):
    # Saturday afternoon -> Monday; Friday 2026-12-25 (Navidad) -> Saturday 26th
    assert calendar.next_opening(datetime(2026, 11, 28, 14, 0, tzinfo=TZ)) == datetime(
        2026, 11, 30, 9, 0, tzinfo=TZ
    )
    assert calendar.next_opening(datetime(2026, 12, 24, 20, 0, tzinfo=TZ)) == datetime(
        2026, 12, 26, 9, 0, tzinfo=TZ
    )


def test_next_opening_before_opening_is_the_same_day(calendar):
    assert calendar.next_opening(datetime(2026, 11, 25, 7, 15, tzinfo=TZ)) == datetime(
        2026, 11, 25, 9, 0, tzinfo=TZ
    )
