"""After booking: the customer confirms (AppointmentService.confirm) and, on the day, an
agent records attended or no-show (Agenda), on the in-memory repository with the clock
at Wednesday 2026-11-25 10:00."""
from datetime import date, datetime, timedelta, timezone

import pytest

from appointments.domain import AppointmentNotActive, AppointmentNotFound
from appointments.domain.appointment import ATTENDED, NO_SHOW
from appointments.services.agenda import Agenda

from tests.conftest import FIXED_NOW, TZ
from tests.unit.helpers import at


@pytest.fixture
def agenda(service, clock):
    return Agenda(service.calendar, service.repository, clock)


# --- confirming ----------------------------------------------------------------------

def test_confirm_marks_the_appointment_and_twice_is_fine(service, clock):
    booked = service.book("ana", at(26, 10))
    confirmed = service.confirm("ana", booked.code.lower().replace("-", ""))
    assert confirmed.confirmed_at == FIXED_NOW and confirmed.is_confirmed
    assert (confirmed.code, confirmed.start, confirmed.status) == (booked.code, booked.start,
                                                                   "booked")
    clock.now = FIXED_NOW + timedelta(hours=1)
    again = service.confirm("ana", booked.code)
    assert again.confirmed_at == FIXED_NOW  # the first confirmation's time stays
    assert service.upcoming("ana") == [again]


def test_confirm_refuses_as_cancel_does(service, clock):
    booked = service.book("ana", at(26, 10))
    for phone, code in [("beto", booked.code), ("ana", "Z9Z-9ZZ"), ("ana", "no sé")]:
        with pytest.raises(AppointmentNotFound):
            service.confirm(phone, code)
    cancelled = service.book("ana", at(26, 11))
    service.cancel("ana", cancelled.code)
    with pytest.raises(AppointmentNotActive):
        service.confirm("ana", cancelled.code)
    clock.now = at(26, 10)  # it is starting: too late to confirm
    with pytest.raises(AppointmentNotActive):
        service.confirm("ana", booked.code)
    assert service.find("ana", booked.code).confirmed_at is None


def test_confirm_of_one_cancelled_meanwhile(service, monkeypatch):
    booked = service.book("ana", at(26, 10))
    service.repository.cancel(booked.code, "ana", FIXED_NOW)
    monkeypatch.setattr(service, "_active", lambda phone, code: booked)  # the stale read
    with pytest.raises(AppointmentNotActive):
        service.confirm("ana", booked.code)


def test_a_moved_appointment_needs_a_new_confirmation(service):
    booked = service.book("ana", at(26, 10))
    service.confirm("ana", booked.code)
    moved = service.reschedule("ana", booked.code, at(27, 10))
    assert moved.confirmed_at is None


# --- the day's agenda ----------------------------------------------------------------

def test_the_day_lists_booked_and_cancelled_in_business_time(service, agenda, clock):
    tomorrow = [service.book("beto", at(26, 12)), service.book("ana", at(26, 9))]
    gone = service.book("carla", at(26, 10))
    service.cancel("carla", gone.code)
    service.book("ana", at(27, 9))
    listed = agenda.day(date(2026, 11, 26))
    assert [a.start for a in listed] == [at(26, 9), at(26, 10), at(26, 12)]
    assert [a.status for a in listed] == ["booked", "cancelled", "booked"]
    assert {a.code for a in listed} == {tomorrow[0].code, tomorrow[1].code, gone.code}
    assert agenda.today() == date(2026, 11, 25) and agenda.day(agenda.today()) == []
    clock.now = datetime(2026, 11, 26, 5, 30, tzinfo=timezone.utc)  # 23:30 of the 25th there
    assert agenda.today() == date(2026, 11, 25)
    assert agenda.bounds(date(2026, 11, 26)) == (at(26, 0), at(27, 0))


def test_an_agent_marks_attendance_and_may_correct_it(service, agenda, clock):
    booked = service.book("ana", at(26, 10))
    clock.now = at(26, 10, 20)
    marked = agenda.mark(booked.code.lower(), NO_SHOW, "luis")
    assert (marked.attendance, marked.attendance_by, marked.attendance_at) == (
        NO_SHOW, "luis", at(26, 10, 20))
    clock.now = at(26, 10, 25)
    corrected = agenda.mark(booked.code, ATTENDED, "ana")
    assert (corrected.attendance, corrected.attendance_by) == (ATTENDED, "ana")


def test_attendance_is_refused_for_the_future_cancelled_or_unknown(service, agenda, clock):
    tomorrow = service.book("ana", at(26, 10))
    with pytest.raises(AppointmentNotActive):  # a day still to come
        agenda.mark(tomorrow.code, ATTENDED, "luis")
    later_today = service.book("beto", at(25, 17))
    assert agenda.mark(later_today.code, ATTENDED, "luis").attendance == ATTENDED  # today
    service.cancel("ana", tomorrow.code)
    clock.now = at(26, 11)
    with pytest.raises(AppointmentNotActive):
        agenda.mark(tomorrow.code, NO_SHOW, "luis")
    for code in ("Z9Z-9ZZ", "nada", ""):
        with pytest.raises(AppointmentNotFound):
            agenda.mark(code, NO_SHOW, "luis")
    with pytest.raises(ValueError):
        agenda.mark(later_today.code, "tal vez", "luis")
    assert service.find("ana", tomorrow.code).attendance is None


# --- when the day's agenda is due (the worker's DAILY_AGENDA task) -------------------

@pytest.mark.parametrize("now, due", [
    (at(25, 8, 59), None), (at(25, 9), date(2026, 11, 25)), (at(25, 17, 59), date(2026, 11, 25)),
    (at(25, 18), None), (at(28, 12), date(2026, 11, 28)), (at(29, 10), None),  # Sunday
    (datetime(2026, 12, 25, 10, tzinfo=TZ), None),  # Christmas
])
def test_the_agenda_is_due_between_the_days_opening_and_closing(agenda, clock, now, due):
    clock.now = now
    assert agenda.open_today() == due
