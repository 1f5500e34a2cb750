"""AppointmentService: what is free (check_slot, free_slots, next, nearest, days with
space), on the in-memory repository with the clock at Wednesday 2026-11-25 10:00."""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from appointments.domain import Unavailability as U
from appointments.services.scheduling import AppointmentService

from tests.conftest import FIXED_NOW, TZ
from tests.unit.helpers import SATURDAY, THURSDAY, at, fill, hhmm


def test_now_is_in_the_business_zone(calendar, repository):
    utc_clock = lambda: datetime(2026, 11, 25, 16, 0, tzinfo=ZoneInfo("UTC"))  # noqa: E731
    service = AppointmentService(calendar, repository, utc_clock)
    assert service.now() == FIXED_NOW and service.now().tzinfo == TZ


def test_check_slot_combines_rules_and_bookings(service):
    assert service.check_slot(at(26, 10)) is None
    service.book("ana", at(26, 10))
    assert service.check_slot(at(26, 10)) == U.TAKEN
    assert service.check_slot(datetime(2026, 11, 26, 16, tzinfo=ZoneInfo("UTC"))) == U.TAKEN
    assert service.check_slot(at(26, 10, 10)) == U.OFF_GRID  # rules are reported first
    assert service.check_slot(at(25, 10, 30)) == U.TOO_SOON


def test_free_slots_today_respect_the_notice(service):
    today = service.free_slots(date(2026, 11, 25))
    assert hhmm(today[:2]) == ["25 11:00", "25 11:30"] and len(today) == 14


def test_free_slots_skip_taken_ones(service):
    service.book("ana", at(26, 10))
    thursday = service.free_slots(THURSDAY)
    assert at(26, 10) not in thursday and len(thursday) == 17
    assert hhmm(service.free_slots(THURSDAY, window=(time(0), time(10)))) == [
        "26 09:00", "26 09:30"]


def test_free_slots_within_a_window(service):
    service.book("ana", at(26, 12, 30))
    afternoon = service.free_slots(THURSDAY, window=(time(12), time(14)))
    assert hhmm(afternoon) == ["26 12:00", "26 13:00", "26 13:30"]


def test_a_cancelled_appointment_frees_its_slot(service):
    booked = service.book("ana", at(26, 10))
    service.cancel("ana", booked.code)
    assert at(26, 10) in service.free_slots(THURSDAY)
    assert service.check_slot(at(26, 10)) is None


@pytest.mark.parametrize(
    "day", [date(2026, 11, 24), date(2026, 11, 29), date(2026, 12, 25), date(2026, 12, 26)]
)
def test_no_free_slots_on_unbookable_days(service, day):
    assert service.free_slots(day) == []  # past, Sunday, holiday, beyond the horizon


def test_next_free_slots(service):
    service.book("ana", at(25, 11))
    assert hhmm(service.next_free_slots()) == ["25 11:30", "25 12:00", "25 12:30"]
    after = service.next_free_slots(limit=3, after=at(28, 12, 15))
    assert hhmm(after) == ["28 12:30", "30 09:00", "30 09:30"]  # Sunday is closed


def test_next_free_slots_stop_at_the_horizon(service):
    last_days = service.next_free_slots(limit=50, after=datetime(2026, 12, 24, 16, tzinfo=TZ))
    assert hhmm(last_days) == ["24 16:00", "24 16:30", "24 17:00", "24 17:30"]


def test_nearest_free_slots_on_both_sides(service):
    service.book("ana", at(26, 12))
    nearest = service.nearest_free_slots(at(26, 12), limit=4)
    assert hhmm(nearest) == ["26 11:00", "26 11:30", "26 12:30", "26 13:00"]


def test_nearest_free_slots_near_closing_time(service):
    service.book("ana", at(26, 17, 30))
    nearest = service.nearest_free_slots(at(26, 17, 30), limit=3)
    assert hhmm(nearest) == ["26 16:00", "26 16:30", "26 17:00"]


def test_nearest_free_slots_today_skip_what_is_too_soon(service):
    assert hhmm(service.nearest_free_slots(at(25, 9), limit=2)) == ["25 11:00", "25 11:30"]


def test_nearest_free_slots_top_up_from_the_next_days(service):
    fill(service, SATURDAY, keep=(time(9),))
    nearest = service.nearest_free_slots(datetime(2026, 11, 28, 12, tzinfo=TZ), limit=3)
    assert hhmm(nearest) == ["28 09:00", "30 09:00", "30 09:30"]


def test_nearest_free_slots_move_to_the_next_open_day_when_full(service):
    fill(service, SATURDAY)
    nearest = service.nearest_free_slots(datetime(2026, 11, 28, 10, tzinfo=TZ), limit=2)
    assert hhmm(nearest) == ["30 09:00", "30 09:30"]  # Sunday is closed


def test_nearest_free_slots_from_a_closed_day(service):
    nearest = service.nearest_free_slots(datetime(2026, 11, 29, 10, tzinfo=TZ), limit=2)
    assert hhmm(nearest) == ["30 09:00", "30 09:30"]


def test_days_with_space_skip_full_and_closed_days(service):
    fill(service, THURSDAY)
    days = service.days_with_space(limit=3)
    assert days == [(date(2026, 11, 25), 14), (date(2026, 11, 27), 18), (SATURDAY, 8)]
    assert service.days_with_space(start=SATURDAY, limit=2) == [
        (SATURDAY, 8), (date(2026, 11, 30), 18)]


def test_days_with_space_end_at_the_horizon(service):
    # Dec 24 is the last open day within 30 days: Dec 25 is a holiday
    assert service.days_with_space(start=date(2026, 12, 24), limit=3) == [
        (date(2026, 12, 24), 18)]
    assert service.days_with_space(start=date(2027, 1, 4)) == []
