"""Simultaneous attempts at one slot on PostgreSQL: exactly one wins."""
import threading
from datetime import datetime, timedelta

import pytest

from appointments.scheduling import SlotUnavailable, Unavailability
from appointments.scheduling.service import AppointmentService
from appointments.storage.database import create_database_engine, create_schema
from appointments.storage.repository import SqlAppointmentRepository
from appointments.storage.tables import metadata

from tests.conftest import FIXED_NOW, TZ

SLOT = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)
ATTEMPTS = 20


@pytest.fixture
def pg_engine(postgres_url):
    engine = create_database_engine(postgres_url)
    metadata.drop_all(engine)
    create_schema(engine)
    yield engine
    engine.dispose()


def race(targets):
    barrier = threading.Barrier(len(targets))
    results = [None] * len(targets)

    def run(index, target):
        barrier.wait()
        try:
            results[index] = target()
        except Exception as error:  # noqa: BLE001 - the result is the point of the test
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def services(calendar, engine, count):
    return [
        AppointmentService(calendar, SqlAppointmentRepository(engine, TZ), lambda: FIXED_NOW)
        for _ in range(count)
    ]


@pytest.mark.postgres
def test_twenty_simultaneous_bookings_of_one_slot(calendar, pg_engine):
    racers = services(calendar, pg_engine, ATTEMPTS)
    results = race([lambda s=s, n=n: s.book(f"phone-{n}", SLOT) for n, s in enumerate(racers)])
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, SlotUnavailable)]
    assert len(winners) == 1
    assert len(losers) == ATTEMPTS - 1
    assert all(r.reason == Unavailability.TAKEN for r in losers)
    assert [a.start for a in racers[0].upcoming(winners[0].phone)] == [SLOT]


@pytest.mark.postgres
def test_two_reschedules_into_one_slot(calendar, pg_engine):
    first, second = services(calendar, pg_engine, 2)
    a = first.book("ana", SLOT)
    b = second.book("beto", SLOT + timedelta(hours=1))
    target = SLOT + timedelta(hours=2)
    results = race([lambda: first.reschedule("ana", a.code, target),
                    lambda: second.reschedule("beto", b.code, target)])
    assert sum(not isinstance(r, Exception) for r in results) == 1
    loser = a if isinstance(results[0], Exception) else b
    loser_phone = "ana" if loser is a else "beto"
    assert first.find(loser_phone, loser.code).start == loser.start  # untouched
