"""The AppointmentRepository contract for what happens around an appointment's time:
the customer's confirmation, the agent's attended / no-show mark and a day's listing,
on the in-memory fake and on SqlAppointmentRepository over SQLite and PostgreSQL."""
from datetime import datetime, timedelta, timezone

import pytest

from appointments.domain.appointment import ATTENDED, NO_SHOW

from tests.conftest import FIXED_NOW, TZ
from tests.integration.contract import appointment
from tests.integration.contract import backend, database_url, repository  # noqa: F401 - fixtures

START = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)  # 16:00 UTC
LATER = FIXED_NOW + timedelta(minutes=5)


# --- confirmation --------------------------------------------------------------------

def test_a_new_appointment_is_unconfirmed_and_unmarked(repository):
    stored = repository.add(appointment())
    assert repository.get("K7P-3QX") == stored
    assert (stored.confirmed_at, stored.attendance, stored.attendance_at,
            stored.attendance_by) == (None, None, None, None)
    assert not stored.is_confirmed


def test_confirm_records_the_first_time_in_business_time(repository):
    repository.add(appointment())
    assert repository.confirm("K7P-3QX", "ana", FIXED_NOW.astimezone(timezone.utc))
    assert repository.confirm("K7P-3QX", "ana", LATER)  # again: fine, the first time stays
    stored = repository.get("K7P-3QX")
    assert stored.is_confirmed and stored.confirmed_at == FIXED_NOW
    assert stored.confirmed_at.tzinfo == TZ
    assert repository.booked_for_phone("ana", FIXED_NOW) == [stored]


def test_only_the_booking_phone_confirms_a_booked_appointment(repository):
    repository.add(appointment())
    repository.add(appointment(code="M4R-8TW", start=START + timedelta(hours=1)))
    repository.cancel("M4R-8TW", "ana", FIXED_NOW)
    assert not repository.confirm("K7P-3QX", "beto", FIXED_NOW)
    assert not repository.confirm("Z9Z-9ZZ", "ana", FIXED_NOW)
    assert not repository.confirm("M4R-8TW", "ana", FIXED_NOW)
    assert repository.get("K7P-3QX").confirmed_at is None
    assert repository.get("M4R-8TW").confirmed_at is None


def test_moving_an_appointment_forgets_its_confirmation(repository):
    repository.add(appointment())
    repository.confirm("K7P-3QX", "ana", FIXED_NOW)
    assert repository.move("K7P-3QX", "ana", START + timedelta(hours=2),
                           START + timedelta(hours=2, minutes=30))
    assert repository.get("K7P-3QX").confirmed_at is None


# --- attendance ----------------------------------------------------------------------

def test_an_agent_marks_attendance_and_may_correct_it(repository):
    repository.add(appointment())
    assert repository.mark_attendance("K7P-3QX", NO_SHOW, "ana", FIXED_NOW)
    assert repository.mark_attendance("K7P-3QX", ATTENDED, "luis", LATER.astimezone(timezone.utc))
    stored = repository.get("K7P-3QX")
    assert (stored.attendance, stored.attendance_at, stored.attendance_by) == (
        ATTENDED, LATER, "luis")
    assert stored.attendance_at.tzinfo == TZ and stored.status == "booked"


def test_attendance_needs_a_booked_appointment_and_a_known_value(repository):
    repository.add(appointment())
    repository.cancel("K7P-3QX", "ana", FIXED_NOW)
    assert not repository.mark_attendance("K7P-3QX", ATTENDED, "ana", FIXED_NOW)
    assert not repository.mark_attendance("Z9Z-9ZZ", ATTENDED, "ana", FIXED_NOW)
    repository.add(appointment(code="M4R-8TW"))
    for wrong in ("maybe", "", "ATTENDED"):
        with pytest.raises(ValueError):
            repository.mark_attendance("M4R-8TW", wrong, "ana", FIXED_NOW)
    assert repository.get("K7P-3QX").attendance is None
    assert repository.get("M4R-8TW").attendance is None


# --- a day's appointments ------------------------------------------------------------

def test_appointments_on_lists_a_whole_day_booked_and_cancelled_by_start(repository):
    day_start = datetime(2026, 11, 26, 0, 0, tzinfo=TZ)
    day_end = day_start + timedelta(days=1)
    late = repository.add(appointment(code="C3C-3CC", phone="beto",
                                      start=datetime(2026, 11, 26, 17, 0, tzinfo=TZ)))
    first = repository.add(appointment(code="A2A-2AA", start=day_start))  # midnight: in
    repository.add(appointment(code="B2B-2BB", start=START))
    repository.cancel("B2B-2BB", "ana", FIXED_NOW)
    repository.add(appointment(code="D4D-4DD", start=day_end))  # next midnight: out
    repository.add(appointment(code="E5E-5EE", start=day_start - timedelta(minutes=30)))
    listed = repository.appointments_on(day_start.astimezone(timezone.utc), day_end)
    assert [a.code for a in listed] == ["A2A-2AA", "B2B-2BB", "C3C-3CC"]
    assert listed[0] == first and listed[2] == late and listed[1].status == "cancelled"
    assert {a.start.tzinfo for a in listed} == {TZ}
    assert repository.appointments_on(day_end, day_end + timedelta(hours=1))[0].code == "D4D-4DD"
    assert repository.appointments_on(day_start, day_start) == []
