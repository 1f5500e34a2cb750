"""AppointmentService bound to an offering: appointments longer than one slot, a day
with a break, closed dates; on the in-memory repository with the clock at Wednesday
2026-11-25 10:00 (Mon-Fri 9-18, Sat 9-13, 30-minute slots: tests/conftest.py)."""
from datetime import date, time, timedelta

import pytest

from appointments.domain import SlotUnavailable, Unavailability as U
from appointments.domain.business import Offering
from appointments.domain.calendar import BusinessCalendar
from appointments.services.scheduling import AppointmentService

from tests.conftest import TZ
from tests.unit.helpers import THURSDAY, at, hhmm

CLEANING = Offering(key="limpieza", name="Limpieza dental", duration_minutes=60)
WHITENING = Offering(key="blanqueamiento", name="Blanqueamiento", duration_minutes=90)
FRIDAY = date(2026, 11, 27)


@pytest.fixture
def cleaning(service) -> AppointmentService:
    return service.for_offering(CLEANING)


@pytest.fixture
def split(repository, clock) -> AppointmentService:
    """Mon-Fri 9-14 and 16-19; Friday Nov 27 closed for inventory."""
    calendar = BusinessCalendar(
        tz=TZ, hours={d: ((time(9), time(14)), (time(16), time(19))) for d in range(5)},
        closed_dates={FRIDAY: "Inventario"},
    )
    return AppointmentService(calendar, repository, clock, offering=CLEANING)


def test_a_sibling_shares_everything_but_what_it_books(service, cleaning):
    assert (service.duration, service.service_key) == (timedelta(minutes=30), None)
    assert (cleaning.duration, cleaning.service_key) == (timedelta(hours=1), "limpieza")
    shared = ("calendar", "repository", "clock", "code_generator", "max_upcoming_per_phone")
    assert all(getattr(cleaning, name) is getattr(service, name) for name in shared)
    back = cleaning.for_offering(None)
    assert (back.duration, back.service_key) == (service.duration, None)


def test_booking_stores_the_end_and_the_service(service, cleaning):
    booked = cleaning.book("ana", at(26, 10))
    assert (booked.end, booked.service, booked.length) == (at(26, 11), "limpieza", timedelta(hours=1))
    assert service.find("ana", booked.code) == booked
    assert service.book("beto", at(26, 11)).service is None


def test_an_hour_needs_two_free_consecutive_slots(service, cleaning):
    service.book("ana", at(26, 10, 30))
    free = hhmm(cleaning.free_slots(THURSDAY))
    assert free[:3] == ["26 09:00", "26 09:30", "26 11:00"]  # 9:30-10:30 is back to back
    assert free[-1] == "26 17:00" and len(free) == 15
    assert cleaning.check_slot(at(26, 10)) == U.TAKEN
    assert cleaning.check_slot(at(26, 17, 30)) == U.OUTSIDE_HOURS  # ends after 18:00
    assert service.check_slot(at(26, 17, 30)) is None
    with pytest.raises(SlotUnavailable) as refused:
        cleaning.book("beto", at(26, 10))
    assert refused.value.reason == U.TAKEN and service.upcoming("beto") == []


def test_an_hour_long_booking_takes_two_slots_for_everyone(service, cleaning):
    cleaning.book("ana", at(26, 10))
    assert service.check_slot(at(26, 10, 30)) == U.TAKEN
    assert service.check_slot(at(26, 11)) is None
    assert {"26 10:00", "26 10:30"}.isdisjoint(hhmm(service.free_slots(THURSDAY)))
    assert cleaning.check_slot(at(26, 9, 30)) == U.TAKEN  # 9:30-10:30
    assert service.for_offering(WHITENING).check_slot(at(26, 8, 30)) == U.OUTSIDE_HOURS


def test_days_with_space_and_nearest_count_what_fits(service, cleaning):
    assert cleaning.days_with_space(start=THURSDAY, limit=1) == [(THURSDAY, 17)]
    assert service.for_offering(WHITENING).days_with_space(start=date(2026, 11, 28),
                                                           limit=1) == [(date(2026, 11, 28), 6)]
    service.book("ana", at(26, 12, 30))
    assert hhmm(cleaning.nearest_free_slots(at(26, 12), limit=3)) == [
        "26 11:00", "26 11:30", "26 13:00"]


def test_a_day_with_a_break(split):
    free = hhmm(split.free_slots(THURSDAY))
    assert free[8:10] == ["26 13:00", "26 16:00"] and free[-1] == "26 18:00"  # not 13:30
    assert split.check_slot(at(26, 13, 30)) == U.OUTSIDE_HOURS  # would straddle the break
    assert split.check_slot(at(26, 18, 30)) == U.OUTSIDE_HOURS  # would pass closing time
    assert split.check_slot(at(26, 14, 30)) == U.OUTSIDE_HOURS  # in the break
    one_slot = hhmm(split.for_offering(None).free_slots(THURSDAY))
    assert "26 13:30" in one_slot and not {"26 14:00", "26 15:30"} & set(one_slot)


def test_a_closed_date_has_no_space_and_says_why(split):
    assert split.free_slots(FRIDAY) == [] and split.check_slot(at(27, 10)) == U.HOLIDAY
    assert split.calendar.holiday_name(FRIDAY) == "Inventario"
    assert [day for day, _ in split.days_with_space(start=THURSDAY, limit=2)] == [
        THURSDAY, date(2026, 11, 30)]  # Friday closed, weekend closed


def test_reschedule_keeps_the_length_and_may_overlap_its_old_self(service, cleaning):
    booked = cleaning.book("ana", at(26, 10), customer_name="Ana")
    moved = service.reschedule("ana", booked.code, at(26, 10, 30))  # the default service
    assert (moved.start, moved.end, moved.service) == (at(26, 10, 30), at(26, 11, 30), "limpieza")
    assert service.check_slot(at(26, 10)) is None and service.check_slot(at(26, 11)) == U.TAKEN
    with pytest.raises(SlotUnavailable) as refused:  # 60 minutes do not fit before 18:00
        service.reschedule("ana", booked.code, at(26, 17, 30))
    assert refused.value.reason == U.OUTSIDE_HOURS
    service.book("beto", at(26, 13))
    with pytest.raises(SlotUnavailable) as refused:
        service.reschedule("ana", booked.code, at(26, 12, 30))
    assert refused.value.reason == U.TAKEN and service.find("ana", booked.code) == moved


def test_looking_for_a_new_time_for_an_appointment(service, cleaning):
    booked = cleaning.book("ana", at(26, 10))
    service.book("beto", at(26, 11, 30))
    moving = service.for_appointment(booked)
    assert (moving.duration, moving.service_key) == (timedelta(hours=1), "limpieza")
    assert moving.check_slot(at(26, 10, 30)) is None  # overlaps only its own old interval
    assert moving.check_slot(at(26, 11)) == U.TAKEN  # 11:00-12:00 overlaps beto's
    assert hhmm(moving.free_slots(THURSDAY))[:5] == [
        "26 09:00", "26 09:30", "26 10:00", "26 10:30", "26 12:00"]
    assert cleaning.check_slot(at(26, 10, 30)) == U.TAKEN  # for anyone else it is


def test_upcoming_carries_the_service(service, cleaning):
    first = cleaning.book("ana", at(26, 10))
    second = service.for_offering(WHITENING).book("ana", at(27, 9))
    third = service.book("ana", at(27, 15))
    assert [(a.code, a.service) for a in service.upcoming("ana")] == [
        (first.code, "limpieza"), (second.code, "blanqueamiento"), (third.code, None)]


class CountingRepository:
    def __init__(self, inner) -> None:
        self.inner, self.queries = inner, 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def booked_intervals(self, start, end):
        self.queries += 1
        return self.inner.booked_intervals(start, end)


def test_booked_intervals_are_read_once_per_day(calendar, repository, clock):
    counting = CountingRepository(repository)
    service = AppointmentService(calendar, counting, clock, offering=CLEANING)
    service.book("ana", at(26, 10))
    counting.queries = 0
    assert len(service.free_slots(THURSDAY)) == 17 - 3 and counting.queries == 1  # 9:30-10:30
    counting.queries = 0
    service.days_with_space(start=THURSDAY, limit=3)  # Thu, Fri, Sat
    assert counting.queries == 3
