"""AppointmentService on real databases (SQLite and PostgreSQL): only what needs one.

The service's rules (free slots, refusals and their reasons, codes, the cap, finding,
cancelling, rescheduling, listing) run in memory in tests/unit/test_service_*.py, on the
fake repository that test_repository_contract.py holds to SqlAppointmentRepository on
both databases. Left here:

- one round trip through the real storage: business time in, UTC in the table, business
  time out, and free slots computed from what the database returns;
- the database's own refusals, with the service's early checks skipped (as when another
  booking lands between the check and the write): the unique index refuses a double
  booking and a reschedule into a taken slot, the per-phone cap counted in the insert
  transaction refuses one booking too many; the table itself is read to show that
  nothing was written.

Simultaneous bookings (real races) are in test_concurrency.py.
"""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from appointments.adapters.sql.tables import appointments
from appointments.domain import SlotUnavailable, TooManyAppointments, Unavailability
from appointments.services.scheduling import AppointmentService

from tests.conftest import FIXED_NOW, TZ

THURSDAY_10 = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)  # 16:00 UTC
HOUR = timedelta(hours=1)


def rows(engine):
    with engine.connect() as connection:
        return connection.execute(select(appointments).order_by(appointments.c.id)).all()


def test_a_round_trip_through_the_database(service, phone, engine):
    booked = service.book(phone, THURSDAY_10.astimezone(timezone.utc), customer_name="Ana")
    assert service.find(phone, booked.code) == booked
    assert booked.start == THURSDAY_10 and booked.start.utcoffset() == timedelta(hours=-6)
    assert booked.created_at == FIXED_NOW and booked.end == THURSDAY_10 + timedelta(minutes=30)
    [row] = rows(engine)
    assert row.starts_at == datetime(2026, 11, 26, 16, 0, tzinfo=timezone.utc)
    assert THURSDAY_10 not in service.free_slots(THURSDAY_10.date())
    moved = service.reschedule(phone, booked.code, THURSDAY_10 + timedelta(days=1))
    assert moved.start == THURSDAY_10 + timedelta(days=1) and moved.start.tzinfo == TZ
    assert service.free_slots(THURSDAY_10.date())[2] == THURSDAY_10  # the old slot is free
    assert service.upcoming(phone) == [moved]


def test_the_database_refuses_what_the_service_did_not_see(service, phone, engine, monkeypatch):
    mine = service.book(phone, THURSDAY_10)
    theirs = service.book("whatsapp:+5210000000", THURSDAY_10 + HOUR)
    monkeypatch.setattr(service, "_unavailability", lambda *args, **kwargs: None)
    with pytest.raises(SlotUnavailable) as refused:
        service.book("whatsapp:+5210000001", THURSDAY_10)
    assert refused.value.reason == Unavailability.TAKEN
    with pytest.raises(SlotUnavailable) as refused:
        service.reschedule(phone, mine.code, THURSDAY_10 + HOUR)
    assert refused.value.reason == Unavailability.TAKEN
    assert [(r.code, r.starts_at, r.status) for r in rows(engine)] == [
        (mine.code, THURSDAY_10, "booked"), (theirs.code, THURSDAY_10 + HOUR, "booked")]


def test_the_cap_is_counted_with_the_insert(calendar, repository, clock, phone, engine,
                                            monkeypatch):
    capped = AppointmentService(calendar, repository, clock, max_upcoming_per_phone=3)
    for hours in (0, 1, 2):
        capped.book(phone, THURSDAY_10 + hours * HOUR)
    monkeypatch.setattr(capped, "check_upcoming_limit", lambda phone: None)
    with pytest.raises(TooManyAppointments) as refused:
        capped.book(phone, THURSDAY_10 + timedelta(days=1))
    assert refused.value.limit == 3 and len(rows(engine)) == 3
    assert capped.book("whatsapp:+5210000000", THURSDAY_10 + timedelta(days=1))
    assert len(rows(engine)) == 4
