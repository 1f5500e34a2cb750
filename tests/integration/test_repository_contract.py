"""The AppointmentRepository contract: every scenario runs on the in-memory fake
(tests/fakes/ports.py, what the unit tests use) and on SqlAppointmentRepository over
SQLite and PostgreSQL, so the fake cannot drift from the real thing.

What only SQL has (UTC columns, the unique index refusing raw inserts, cancelled_at,
the schema) is in test_repository.py; races in test_concurrency.py.
"""
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError

from appointments.domain import SlotUnavailable, TooManyAppointments, Unavailability
from appointments.domain.errors import CodeCollision

from tests.conftest import FIXED_NOW, TZ
from tests.integration.contract import appointment
from tests.integration.contract import backend, database_url, repository  # noqa: F401 - fixtures

START = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)  # 16:00 UTC
HOUR = timedelta(hours=1)
HALF = timedelta(minutes=30)


# --- add and get ---------------------------------------------------------------------

def test_add_stores_a_booked_appointment_in_business_time(repository):
    given = appointment(start=START.astimezone(timezone.utc), end=START + timedelta(minutes=30),
                        status="cancelled", customer_name="Ana",
                        created_at=FIXED_NOW.astimezone(timezone.utc))
    added = repository.add(given)
    assert added == repository.get("K7P-3QX") == appointment(customer_name="Ana")
    assert {added.start.tzinfo, added.end.tzinfo, added.created_at.tzinfo} == {TZ}
    assert repository.get("M4R-8TW") is None and repository.get("k7p-3qx") is None


def test_the_language_booked_in_is_kept_for_the_reminders(repository):
    repository.add(appointment(language="en"))
    repository.add(appointment(code="B2B-2BB", start=START + timedelta(hours=1)))
    assert repository.get("K7P-3QX").language == "en"
    assert repository.get("B2B-2BB").language is None


def test_a_taken_start_is_refused_and_nothing_is_written(repository):
    repository.add(appointment())
    same_instant = START.astimezone(timezone.utc)
    with pytest.raises(SlotUnavailable) as taken:
        repository.add(appointment(code="M4R-8TW", phone="beto", start=same_instant))
    assert taken.value.reason == Unavailability.TAKEN and taken.value.start == START
    assert repository.get("M4R-8TW") is None
    assert repository.booked_for_phone("beto", FIXED_NOW) == []


def test_a_cancelled_appointment_does_not_hold_its_start(repository):
    repository.add(appointment())
    assert repository.cancel("K7P-3QX", "ana", FIXED_NOW)
    again = repository.add(appointment(code="M4R-8TW", phone="beto"))
    assert repository.booked_intervals(START, START + HOUR) == [(START, START + HALF)]
    assert repository.get("M4R-8TW") == again


def test_an_existing_code_is_a_collision_even_when_cancelled(repository):
    repository.add(appointment())
    with pytest.raises(CodeCollision):
        repository.add(appointment(phone="beto"))  # same code and same start: the code wins
    repository.cancel("K7P-3QX", "ana", FIXED_NOW)
    with pytest.raises(CodeCollision):
        repository.add(appointment(phone="beto", start=START + HOUR))
    assert repository.get("K7P-3QX").phone == "ana"
    assert repository.booked_for_phone("beto", FIXED_NOW) == []


def test_naive_times_are_refused(repository):
    with pytest.raises((ValueError, StatementError)):
        repository.add(appointment(start=START.replace(tzinfo=None)))
    with pytest.raises((ValueError, StatementError)):
        repository.booked_intervals(START.replace(tzinfo=None), START + HOUR)
    assert repository.get("K7P-3QX") is None


# --- the cap on upcoming appointments ------------------------------------------------

def test_the_cap_counts_booked_appointments_of_the_phone_after_created_at(repository):
    booked_yesterday = FIXED_NOW - timedelta(days=1)
    first = repository.add(appointment("A2B-3CD", created_at=booked_yesterday), max_upcoming=2)
    repository.add(appointment("A2B-3CF", start=START + HOUR, created_at=booked_yesterday),
                   max_upcoming=2)
    with pytest.raises(TooManyAppointments) as refused:
        repository.add(appointment("A2B-3CG", start=START + 2 * HOUR,
                                   created_at=booked_yesterday), max_upcoming=2)
    assert refused.value.limit == 2 and repository.get("A2B-3CG") is None
    with pytest.raises(TooManyAppointments):  # at the cap the cap is the answer, not "taken"
        repository.add(replace(first, code="A2B-3CH", created_at=booked_yesterday),
                       max_upcoming=2)
    # created at the start of the first one: it no longer counts (strictly after)
    at_first_start = appointment("A2B-3CJ", start=START + 2 * HOUR, created_at=START)
    assert repository.add(at_first_start, max_upcoming=2).code == "A2B-3CJ"
    assert [a.code for a in repository.booked_for_phone("ana", booked_yesterday)] == [
        "A2B-3CD", "A2B-3CF", "A2B-3CJ"]


def test_cancelled_and_other_phones_appointments_do_not_count(repository):
    repository.add(appointment("A2B-3CD"), max_upcoming=1)
    repository.add(appointment("A2B-3CE", phone="anabel", start=START + HOUR), max_upcoming=1)
    repository.cancel("A2B-3CD", "ana", FIXED_NOW)
    assert repository.add(appointment("A2B-3CF", start=START + 2 * HOUR), max_upcoming=1)
    for n, code in enumerate(["A2B-3CG", "A2B-3CH", "A2B-3CJ"]):  # no cap: no limit
        repository.add(appointment(code, start=START + (3 + n) * HOUR))
    assert len(repository.booked_for_phone("ana", FIXED_NOW)) == 4
    with pytest.raises(TooManyAppointments):
        repository.add(appointment("A2B-3CK", start=START + 9 * HOUR), max_upcoming=4)


# --- reading -------------------------------------------------------------------------

def test_booked_intervals_are_the_booked_rows_overlapping_a_half_open_range(repository):
    for n, code in enumerate(["A2A-2AA", "B2B-2BB", "C2C-2CC"]):
        repository.add(appointment(code=code, start=START + n * HOUR))
    repository.cancel("B2B-2BB", "ana", FIXED_NOW)
    first, third = (START, START + HALF), (START + 2 * HOUR, START + 2 * HOUR + HALF)
    found = repository.booked_intervals(START, START + 2 * HOUR)
    assert found == [first] and all(t.tzinfo == TZ for t in found[0])
    in_utc = repository.booked_intervals(START.astimezone(timezone.utc), START + 3 * HOUR)
    assert in_utc == [first, third]
    # overlapping is enough: a range starting inside an appointment finds it
    assert repository.booked_intervals(START + timedelta(minutes=29), START + HOUR) == [first]
    assert repository.booked_intervals(START + HALF, START + 2 * HOUR) == []  # ends at 10:30
    assert repository.booked_intervals(START - HOUR, START) == []  # starts at 10:00


def test_booked_intervals_come_soonest_first_with_their_own_lengths(repository):
    repository.add(appointment(code="A2A-2AA", start=START + HOUR, end=START + 2 * HOUR))
    repository.add(appointment(code="B2B-2BB", start=START, service="consulta"))
    assert repository.booked_intervals(START, START + 3 * HOUR) == [
        (START, START + HALF), (START + HOUR, START + 2 * HOUR)]


def test_booked_for_phone_is_exact_strictly_after_and_soonest_first(repository):
    repository.add(appointment(code="A2A-2AA", start=START + 2 * HOUR))
    repository.add(appointment(code="B2B-2BB"))
    repository.add(appointment(code="C2C-2CC", phone="anabel", start=START + HOUR))
    repository.add(appointment(code="D2D-2DD", start=START + 3 * HOUR))
    repository.cancel("D2D-2DD", "ana", FIXED_NOW)
    assert [a.code for a in repository.booked_for_phone("ana", FIXED_NOW)] == [
        "B2B-2BB", "A2A-2AA"]
    assert [a.code for a in repository.booked_for_phone("ana", START)] == ["A2A-2AA"]
    assert repository.booked_for_phone("an", FIXED_NOW) == []
    assert all(a.start.tzinfo == TZ for a in repository.booked_for_phone("ana", FIXED_NOW))


# --- cancel and move -----------------------------------------------------------------

def test_cancel_only_touches_a_booked_appointment_of_that_phone(repository):
    booked = repository.add(appointment(customer_name="Ana"))
    assert not repository.cancel("K7P-3QX", "beto", FIXED_NOW)
    assert not repository.cancel("M4R-8TW", "ana", FIXED_NOW)
    assert repository.get("K7P-3QX") == booked
    assert repository.cancel("K7P-3QX", "ana", FIXED_NOW + timedelta(minutes=1))
    assert not repository.cancel("K7P-3QX", "ana", FIXED_NOW + timedelta(minutes=2))
    assert repository.get("K7P-3QX") == replace(booked, status="cancelled")
    assert repository.booked_for_phone("ana", FIXED_NOW) == []


def test_move_is_all_or_nothing(repository):
    mine = repository.add(appointment())
    theirs = repository.add(appointment(code="M4R-8TW", phone="beto", start=START + HOUR))
    with pytest.raises(SlotUnavailable) as taken:
        repository.move(mine.code, "ana", theirs.start, theirs.end)
    assert taken.value.reason == Unavailability.TAKEN and taken.value.start == theirs.start
    assert repository.get(mine.code) == mine and repository.get(theirs.code) == theirs
    later = START + 3 * HOUR
    assert not repository.move(mine.code, "beto", later, later + HOUR)  # not hers
    assert not repository.move("Z9Z-9ZZ", "ana", later, later + HOUR)
    later_end = later + timedelta(minutes=30)
    assert repository.move(mine.code, "ana", later, later_end)
    assert repository.get(mine.code) == replace(mine, start=later, end=later_end)
    assert repository.booked_intervals(START, later + HOUR) == [
        (theirs.start, theirs.end), (later, later_end)]
    assert repository.add(appointment(code="N5P-6QR", phone="carla")).start == START  # freed


def test_move_onto_its_own_start_is_no_clash(repository):
    mine = repository.add(appointment())
    longer = START + timedelta(minutes=45)
    assert repository.move(mine.code, "ana", START.astimezone(timezone.utc), longer)
    assert repository.get(mine.code) == replace(mine, end=longer)


def test_a_refused_move_is_checked_before_the_target_slot(repository):
    """Not hers, or not booked: False, even into a taken start (the UPDATE matches no
    row, so nothing can clash)."""
    repository.add(appointment())
    theirs = repository.add(appointment(code="M4R-8TW", phone="beto", start=START + HOUR))
    assert not repository.move("K7P-3QX", "beto", theirs.start, theirs.end)
    repository.cancel("K7P-3QX", "ana", FIXED_NOW)
    assert not repository.move("K7P-3QX", "ana", theirs.start, theirs.end)
    assert not repository.move("K7P-3QX", "ana", START + 2 * HOUR, START + 3 * HOUR)
    assert repository.get("K7P-3QX").start == START


def test_what_comes_back_is_a_snapshot(repository):
    added = repository.add(appointment())
    before = repository.get(added.code)
    repository.move(added.code, "ana", START + HOUR, START + 2 * HOUR)
    repository.cancel(added.code, "ana", FIXED_NOW)
    assert added == before == appointment()
    assert repository.get(added.code) == appointment(status="cancelled", start=START + HOUR,
                                                     end=START + 2 * HOUR)


def test_both_forms_of_a_mexican_mobile_are_one_phone(repository):
    legacy, normal = "whatsapp:+5215512345678", "whatsapp:+525512345678"
    added = repository.add(appointment(phone=legacy))
    assert added.phone == normal == repository.get("K7P-3QX").phone  # stored normalised
    assert [a.code for a in repository.booked_for_phone(normal, FIXED_NOW)] == ["K7P-3QX"]
    with pytest.raises(TooManyAppointments):
        repository.add(appointment(code="M4R-8TW", phone=normal, start=START + HOUR), 1)
    assert repository.move("K7P-3QX", normal, START + HOUR, START + HOUR + HALF) is True
    assert repository.cancel("K7P-3QX", legacy, FIXED_NOW) is True
    assert repository.booked_for_phone(legacy, FIXED_NOW) == []
