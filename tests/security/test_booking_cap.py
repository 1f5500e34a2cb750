"""Finding: one phone number could book the whole calendar (no per-phone cap), leaving
nothing for anybody else. Reproduced through the service as the application wires it
(`build_service` from settings), on SQLite and PostgreSQL: before the fix every booking
below went through."""
from datetime import date, timedelta

import pytest

from appointments.bootstrap import build_service
from appointments.domain import SchedulingError
from appointments.domain.phones import normalize_phone
from appointments.settings import Settings

from tests.conftest import FIXED_NOW

ATTACKER = "whatsapp:+5215500000001"
THURSDAY = date(2026, 11, 26)


@pytest.fixture
def wired(database_url, engine):
    """The real wiring, with every setting at its default except the database."""
    service = build_service(Settings.from_env({"DATABASE_URL": database_url}),
                            clock=lambda: FIXED_NOW)
    yield service
    service.repository.engine.dispose()


def refused(service, phone, start) -> SchedulingError:
    with pytest.raises(SchedulingError) as refusal:
        service.book(phone, start)
    return refusal.value


def test_one_more_than_the_default_cap_is_refused(wired):
    limit = Settings().max_active_appointments_per_phone
    slots = wired.free_slots(THURSDAY)
    for start in slots[:limit]:
        wired.book(ATTACKER, start)
    refusal = refused(wired, ATTACKER, slots[limit])
    assert type(refusal).__name__ == "TooManyAppointments" and refusal.limit == limit
    assert len(wired.upcoming(ATTACKER)) == limit
    assert slots[limit] in wired.free_slots(THURSDAY)  # nothing half-written


def test_one_phone_cannot_empty_a_day(wired):
    slots = wired.free_slots(THURSDAY)
    taken = 0
    for start in slots:
        try:
            wired.book(ATTACKER, start)
            taken += 1
        except SchedulingError:
            pass
    assert taken == Settings().max_active_appointments_per_phone
    assert len(wired.free_slots(THURSDAY)) == len(slots) - taken
    assert wired.book("whatsapp:+5215500000002", slots[-1]).start == slots[-1]


def test_the_cap_follows_the_setting(database_url, engine):
    settings = Settings.from_env(
        {"DATABASE_URL": database_url, "MAX_ACTIVE_APPOINTMENTS_PER_PHONE": "1"})
    service = build_service(settings, clock=lambda: FIXED_NOW)
    try:
        first = service.book(ATTACKER, FIXED_NOW + timedelta(days=1))
        assert refused(service, ATTACKER, FIXED_NOW + timedelta(days=2)).limit == 1
        service.cancel(ATTACKER, first.code)  # a cancelled one no longer counts
        booked = service.book(ATTACKER, FIXED_NOW + timedelta(days=2))
        assert booked.phone == normalize_phone(ATTACKER)
    finally:
        service.repository.engine.dispose()
