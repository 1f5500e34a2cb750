"""AppointmentService after booking: find, upcoming, cancel and reschedule, on the
in-memory repository with the clock at Wednesday 2026-11-25 10:00."""
from datetime import datetime, timedelta

import pytest

from appointments.domain import (
    AppointmentNotActive,
    AppointmentNotFound,
    SlotUnavailable,
    Unavailability as U,
)

from tests.conftest import FIXED_NOW, TZ
from tests.unit.helpers import at

# --- finding and listing -------------------------------------------------------------


def test_find_normalizes_the_code_and_hides_other_peoples_appointments(service):
    booked = service.book("ana", at(26, 10))
    assert service.find("ana", f" {booked.code.lower().replace('-', ' ')} ") == booked
    assert service.find("ana", booked.code.lower().replace("-", "")) == booked
    for phone, code in [("beto", booked.code), ("ana", "Z9Z-9ZZ"), ("ana", "no sé"), ("ana", "")]:
        with pytest.raises(AppointmentNotFound):
            service.find(phone, code)


def test_phones_are_compared_exactly(service):
    service.book("whatsapp:+5215512345678", at(26, 10))
    assert service.upcoming("+5215512345678") == []
    assert service.upcoming("whatsapp:+521551234567") == []


def test_upcoming_lists_future_booked_appointments_in_order(service, clock):
    later = service.book("ana", at(27, 9))
    sooner = service.book("ana", at(26, 15))
    service.cancel("ana", service.book("ana", at(26, 16)).code)
    service.book("beto", at(26, 17))
    assert service.upcoming("ana") == [sooner, later]
    clock.now = at(26, 15)  # it is starting now: no longer upcoming
    assert service.upcoming("ana") == [later]


# --- cancelling ----------------------------------------------------------------------

def test_cancel(service, clock):
    booked = service.book("ana", at(26, 10))
    clock.now = FIXED_NOW + timedelta(minutes=7)
    cancelled = service.cancel("ana", booked.code.lower().replace("-", ""))
    assert cancelled.status == "cancelled" and cancelled.start == booked.start
    assert cancelled.code == booked.code and service.upcoming("ana") == []
    assert service.book("beto", at(26, 10)).start == at(26, 10)  # free again
    with pytest.raises(AppointmentNotActive):
        service.cancel("ana", booked.code)


def test_cancel_by_someone_else_or_of_no_appointment_changes_nothing(service):
    booked = service.book("ana", at(26, 10))
    for phone, code in [("beto", booked.code), ("ana", "Z9Z-9ZZ"), ("ana", "not a code")]:
        with pytest.raises(AppointmentNotFound):
            service.cancel(phone, code)
    assert service.find("ana", booked.code).status == "booked"


def test_started_appointments_can_neither_be_cancelled_nor_moved(service, clock):
    booked = service.book("ana", at(26, 10))
    clock.now = at(26, 10)
    with pytest.raises(AppointmentNotActive):
        service.cancel("ana", booked.code)
    with pytest.raises(AppointmentNotActive):
        service.reschedule("ana", booked.code, at(27, 10))
    assert service.find("ana", booked.code) == booked


def test_cancelled_meanwhile(service, monkeypatch):
    """Found booked, then cancelled (from another device) before the write: not active."""
    booked = service.book("ana", at(26, 10))
    service.repository.cancel(booked.code, "ana", FIXED_NOW)
    monkeypatch.setattr(service, "_active", lambda phone, code: booked)  # the stale read
    with pytest.raises(AppointmentNotActive):
        service.cancel("ana", booked.code)
    with pytest.raises(AppointmentNotActive):
        service.reschedule("ana", booked.code, at(27, 10))
    assert service.find("ana", booked.code).status == "cancelled"
    assert service.check_slot(at(27, 10)) is None


# --- rescheduling --------------------------------------------------------------------

def test_reschedule_keeps_the_code_and_frees_the_old_slot(service):
    booked = service.book("ana", at(26, 10), customer_name="Ana")
    moved = service.reschedule("ana", booked.code.lower(), at(27, 16, 30))
    assert (moved.code, moved.start, moved.end) == (booked.code, at(27, 16, 30), at(27, 17))
    assert (moved.status, moved.customer_name, moved.created_at) == ("booked", "Ana", FIXED_NOW)
    assert service.upcoming("ana") == [moved]
    assert service.check_slot(at(26, 10)) is None
    assert service.check_slot(at(27, 16, 30)) == U.TAKEN


@pytest.mark.parametrize(
    "new_start, reason",
    [(at(26, 11), U.TAKEN), (at(29, 10), U.CLOSED_DAY), (at(26, 10, 15), U.OFF_GRID),
     (datetime(2026, 12, 25, 10, tzinfo=TZ), U.HOLIDAY), (at(25, 10, 30), U.TOO_SOON)],
)
def test_a_refused_reschedule_changes_nothing(service, new_start, reason):
    booked = service.book("ana", at(26, 10))
    other = service.book("beto", at(26, 11))
    with pytest.raises(SlotUnavailable) as refused:
        service.reschedule("ana", booked.code, new_start)
    assert refused.value.reason == reason and refused.value.start == new_start
    assert service.upcoming("ana") == [booked] and service.upcoming("beto") == [other]


def test_rescheduling_onto_its_own_start_is_no_clash(service):
    """Its own old interval does not stand in its way (nothing changes)."""
    booked = service.book("ana", at(26, 10))
    assert service.reschedule("ana", booked.code, at(26, 10)) == booked


def test_a_slot_taken_meanwhile_is_refused_by_the_write(service, monkeypatch):
    booked = service.book("ana", at(26, 10))
    other = service.book("beto", at(26, 11))
    monkeypatch.setattr(service, "_unavailability", lambda *args, **kwargs: None)
    with pytest.raises(SlotUnavailable) as refused:
        service.reschedule("ana", booked.code, at(26, 11))
    assert refused.value.reason == U.TAKEN
    assert service.upcoming("ana") == [booked] and service.upcoming("beto") == [other]


def test_reschedule_of_a_cancelled_or_foreign_appointment(service):
    booked = service.book("ana", at(26, 10))
    with pytest.raises(AppointmentNotFound):
        service.reschedule("beto", booked.code, at(26, 11))
    service.cancel("ana", booked.code)
    with pytest.raises(AppointmentNotActive):
        service.reschedule("ana", booked.code, at(26, 11))
    assert service.check_slot(at(26, 11)) is None
