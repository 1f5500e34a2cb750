"""The AppointmentRepository contract for appointments of different lengths: booked
appointments may not overlap ([start, end) half-open), whatever their starts, and each
keeps its service. Runs on the in-memory fake and on SqlAppointmentRepository over
SQLite (triggers) and PostgreSQL (an exclusion constraint)."""
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from appointments.domain import Appointment, SlotUnavailable, Unavailability

from tests.conftest import FIXED_NOW, TZ
from tests.integration.contract import backend, database_url, repository  # noqa: F401 - fixtures

START = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)
HALF, HOUR = timedelta(minutes=30), timedelta(hours=1)


def appointment(code, start=START, length=HALF, phone="ana", **changes) -> Appointment:
    return Appointment(code=code, phone=phone, start=start, end=start + length,
                       status="booked", created_at=FIXED_NOW, **changes)


def refused(repository, booking: Appointment) -> None:
    with pytest.raises(SlotUnavailable) as taken:
        repository.add(booking)
    assert taken.value.reason == Unavailability.TAKEN and taken.value.start == booking.start
    assert repository.get(booking.code) is None


def test_the_service_is_stored_and_read_back(repository):
    cleaning = repository.add(appointment("A2A-2AA", length=HOUR, service="limpieza"))
    unnamed = repository.add(appointment("B2B-2BB", start=START + 2 * HOUR))
    assert cleaning.service == "limpieza" and unnamed.service is None
    assert repository.get("A2A-2AA") == cleaning and repository.get("B2B-2BB") == unnamed
    assert repository.booked_for_phone("ana", FIXED_NOW) == [cleaning, unnamed]


def test_an_hour_long_booking_blocks_what_overlaps_it(repository):
    repository.add(appointment("A2A-2AA", length=HOUR, service="limpieza"))
    refused(repository, appointment("B2B-2BB", start=START + HALF, phone="beto"))  # 10:30
    refused(repository, appointment("C2C-2CC", start=START - HALF, length=HOUR))  # 9:30-10:30
    refused(repository, appointment("D2D-2DD", start=START - HALF, length=3 * HOUR))  # around
    refused(repository, appointment("E2E-2EE", start=START + timedelta(minutes=59)))
    assert repository.booked_intervals(START - HOUR, START + 3 * HOUR) == [(START, START + HOUR)]


def test_back_to_back_is_allowed(repository):
    repository.add(appointment("A2A-2AA", length=HOUR))
    before = repository.add(appointment("B2B-2BB", start=START - HOUR, length=HOUR))
    after = repository.add(appointment("C2C-2CC", start=START + HOUR, phone="beto"))
    assert repository.booked_intervals(START - HOUR, START + 2 * HOUR) == [
        (before.start, before.end), (START, START + HOUR), (after.start, after.end)]


def test_a_cancelled_appointment_no_longer_blocks(repository):
    repository.add(appointment("A2A-2AA", length=HOUR))
    assert repository.cancel("A2A-2AA", "ana", FIXED_NOW)
    moved_in = repository.add(appointment("B2B-2BB", start=START + HALF, phone="beto"))
    assert repository.booked_intervals(START, START + HOUR) == [(moved_in.start, moved_in.end)]


def test_moving_onto_an_overlap_fails_and_leaves_the_row_unchanged(repository):
    mine = repository.add(appointment("A2A-2AA", length=HOUR, service="limpieza"))
    theirs = repository.add(appointment("B2B-2BB", start=START + 2 * HOUR, phone="beto"))
    target = START + HOUR + HALF  # 11:30-12:30 overlaps theirs at 12:00
    with pytest.raises(SlotUnavailable) as taken:
        repository.move(mine.code, "ana", target, target + HOUR)
    assert taken.value.reason == Unavailability.TAKEN and taken.value.start == target
    assert repository.get(mine.code) == mine and repository.get(theirs.code) == theirs
    # theirs may not grow over mine either
    with pytest.raises(SlotUnavailable):
        repository.move(theirs.code, "beto", START + HALF, START + HOUR)
    assert repository.get(theirs.code) == theirs


def test_moving_over_its_own_old_interval_is_allowed(repository):
    mine = repository.add(appointment("A2A-2AA", length=HOUR, service="limpieza"))
    later = START + HALF
    assert repository.move(mine.code, "ana", later, later + HOUR)
    assert repository.get(mine.code) == replace(mine, start=later, end=later + HOUR)
    assert repository.booked_intervals(START, START + 2 * HOUR) == [(later, later + HOUR)]
    repository.add(appointment("B2B-2BB", phone="beto"))  # 10:00-10:30 is free again
