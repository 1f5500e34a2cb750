"""Simultaneous bookings of overlapping intervals with different starts (an hour-long
service at 10:00 and at 10:30): the unique index on starts cannot tell, the database's
overlap guard must (an exclusion constraint on PostgreSQL, triggers on SQLite). Exactly
one wins, on both backends.

Each racer has its own engine (its own connection), opened before the barrier, and all
threads are released at once (as in test_concurrency.py)."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from appointments.adapters.sql.appointments import SqlAppointmentRepository
from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.tables import appointments as table
from appointments.adapters.sql.tables import metadata
from appointments.domain import Appointment, SlotUnavailable, Unavailability
from appointments.domain.business import Offering
from appointments.services.scheduling import AppointmentService

from tests.integration.test_concurrency import race
from tests.conftest import FIXED_NOW, TZ

TEN = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)
STARTS = [TEN, TEN + timedelta(minutes=30)]  # 10:00-11:00 and 10:30-11:30 overlap
CLEANING = Offering(key="limpieza", name="Limpieza dental", duration_minutes=60)
RACERS = 12
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture
def url(request, backend) -> str:
    """A fresh schema on the backend; racers open their own engines on it."""
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url")
    setup = create_database_engine(url)
    metadata.drop_all(setup)
    create_schema(setup)
    setup.dispose()
    return url


@pytest.fixture
def repositories(url):
    engines = [create_database_engine(url) for _ in range(RACERS)]
    for engine in engines:
        with engine.connect():
            pass  # open the pooled connection now, not inside the race
    yield [SqlAppointmentRepository(engine, TZ) for engine in engines]
    for engine in engines:
        engine.dispose()


def booked_rows(url: str):
    engine = create_database_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                select(table.c.starts_at, table.c.ends_at, table.c.service)
                .where(table.c.status == "booked")).all()
    finally:
        engine.dispose()


def exactly_one_won(results, url: str) -> Appointment:
    winners = [r for r in results if isinstance(r, Appointment)]
    losers = [r for r in results if isinstance(r, SlotUnavailable)]
    assert len(winners) == 1 and len(losers) == RACERS - 1, results
    assert {loser.reason for loser in losers} == {Unavailability.TAKEN}
    [row] = booked_rows(url)
    assert (row.starts_at, row.ends_at) == (winners[0].start, winners[0].end)
    return winners[0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_overlapping_bookings_with_different_starts(calendar, url, repositories):
    services = [AppointmentService(calendar, r, lambda: FIXED_NOW).for_offering(CLEANING)
                for r in repositories]
    results = race([lambda s=s, n=n: s.book(f"whatsapp:+52155000000{n:02d}", STARTS[n % 2])
                    for n, s in enumerate(services)])
    winner = exactly_one_won(results, url)
    assert winner.service == "limpieza" and winner.length == timedelta(hours=1)
    assert booked_rows(url)[0].service == "limpieza"


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_database_alone_stops_overlapping_inserts(url, repositories):
    """No Python check at all: every racer inserts directly, as if all had seen the time
    free; starts differ, so only the overlap guard can refuse."""
    results = race([
        lambda r=r, n=n: r.add(Appointment(
            code=f"A{n % 8 + 2}B-{n // 8 + 2}CD", phone=f"p{n}", start=STARTS[n % 2],
            end=STARTS[n % 2] + timedelta(hours=1), status="booked", created_at=FIXED_NOW,
            service="limpieza"))
        for n, r in enumerate(repositories)
    ])
    exactly_one_won(results, url)


@pytest.mark.parametrize("backend", BACKENDS)
def test_reschedules_onto_overlapping_times(calendar, url, repositories):
    """Racers each hold a booking on Friday and all move it onto Thursday 10:00 or
    10:30 at once: one move wins, the others leave their appointments where they were."""
    services = [AppointmentService(calendar, r, lambda: FIXED_NOW).for_offering(CLEANING)
                for r in repositories]
    friday = TEN + timedelta(days=1)
    held = [s.book(f"p{n}", friday + n * timedelta(minutes=60) - timedelta(hours=1))
            if n < 9 else s.book(f"p{n}", friday + timedelta(days=3, hours=n - 9))
            for n, s in enumerate(services)]
    results = race([lambda s=s, a=a, n=n: s.reschedule(a.phone, a.code, STARTS[n % 2])
                    for n, (s, a) in enumerate(zip(services, held))])
    winners = [r for r in results if isinstance(r, Appointment)]
    assert len(winners) == 1, results
    assert all(isinstance(r, SlotUnavailable) and r.reason == Unavailability.TAKEN
               for r in results if r is not winners[0])
    for appointment, result in zip(held, results):
        if result is not winners[0]:
            assert services[0].find(appointment.phone, appointment.code) == appointment
    counted = create_database_engine(url)
    with counted.connect() as connection:
        total = connection.execute(select(func.count()).select_from(table)
                                   .where(table.c.status == "booked")).scalar()
    counted.dispose()
    assert total == RACERS
