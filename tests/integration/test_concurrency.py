"""Simultaneous attempts at one slot: exactly one wins, the database makes sure of it.
Likewise for one phone at its cap minus one booking many slots at once.

Each racer has its own engine (its own connection), all threads start together at a
barrier, and the connections are opened before the barrier so they really overlap.
"""
import threading
from datetime import datetime, timedelta
from typing import Callable, List

import pytest
from sqlalchemy import func, select

from appointments.services.scheduling import AppointmentService
from appointments.domain import (
    Appointment, SlotUnavailable, TooManyAppointments, Unavailability,
)
from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.appointments import SqlAppointmentRepository
from appointments.adapters.sql.tables import appointments as table
from appointments.adapters.sql.tables import metadata
from appointments.domain.phones import normalize_phone

from tests.conftest import FIXED_NOW, TZ

SLOT = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)
RACERS = 20


def fresh_schema(url: str):
    """An engine on `url` whose tables were just dropped and recreated."""
    engine = create_database_engine(url)
    metadata.drop_all(engine)
    create_schema(engine)
    return engine


@pytest.fixture
def pg_engine(postgres_url):
    engine = fresh_schema(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url(postgres_url, pg_engine) -> str:
    """PostgreSQL with a fresh schema."""
    return postgres_url


@pytest.fixture
def engines(request):
    """Makes one engine per racer, warmed up, and disposes of them afterwards."""
    made = []

    def make(url: str, count: int):
        for _ in range(count):
            engine = create_database_engine(url)
            with engine.connect():
                pass  # open the pooled connection now, not inside the race
            made.append(engine)
        return made[-count:]

    yield make
    for engine in made:
        engine.dispose()


def race(targets: List[Callable[[], object]]) -> List[object]:
    """Run every target in its own thread, all released at once; results or errors."""
    barrier = threading.Barrier(len(targets))
    results: List[object] = [None] * len(targets)

    def run(index: int, target: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[index] = target()
        except Exception as error:  # noqa: BLE001 - the outcome is what is tested
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def booked_at(engine, start: datetime) -> int:
    query = select(func.count()).select_from(table).where(
        (table.c.starts_at == start) & (table.c.status == "booked"))
    with engine.connect() as connection:
        return connection.execute(query).scalar()


def split(results):
    winners = [r for r in results if isinstance(r, Appointment)]
    losers = [r for r in results if isinstance(r, SlotUnavailable)]
    others = [r for r in results if r not in winners and r not in losers]
    return winners, losers, others


@pytest.mark.postgres
def test_twenty_simultaneous_bookings_of_one_slot(calendar, pg_url, pg_engine, engines):
    services = [AppointmentService(calendar, SqlAppointmentRepository(e, TZ), lambda: FIXED_NOW)
                for e in engines(pg_url, RACERS)]
    results = race([lambda s=s, n=n: s.book(f"whatsapp:+52155000000{n:02d}", SLOT)
                    for n, s in enumerate(services)])
    winners, losers, others = split(results)
    assert others == []
    assert len(winners) == 1 and len(losers) == RACERS - 1
    assert {loser.reason for loser in losers} == {Unavailability.TAKEN}
    assert booked_at(pg_engine, SLOT) == 1
    assert [a.code for a in services[0].upcoming(winners[0].phone)] == [winners[0].code]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_index_alone_stops_simultaneous_inserts(request, backend, engines):
    """No Python check at all: every racer inserts directly, as if all had seen the slot
    free at the same moment. The partial unique index must let exactly one through."""
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url")
    setup = fresh_schema(url)
    request.addfinalizer(setup.dispose)
    repositories = [SqlAppointmentRepository(e, TZ) for e in engines(url, RACERS)]
    results = race([
        lambda r=r, n=n: r.add(Appointment(
            code=f"A{n % 8 + 2}B-{n // 8 + 2}CD", phone=f"p{n}", start=SLOT,
            end=SLOT + timedelta(minutes=30), status="booked", created_at=FIXED_NOW))
        for n, r in enumerate(repositories)
    ])
    winners, losers, others = split(results)
    assert others == []
    assert len(winners) == 1 and len(losers) == RACERS - 1
    assert {loser.reason for loser in losers} == {Unavailability.TAKEN}
    assert booked_at(setup, SLOT) == 1


@pytest.mark.postgres
def test_two_reschedules_into_one_slot(calendar, pg_url, engines):
    first, second = (AppointmentService(calendar, SqlAppointmentRepository(e, TZ), lambda: FIXED_NOW)
                     for e in engines(pg_url, 2))
    ana = first.book("ana", SLOT)
    beto = second.book("beto", SLOT + timedelta(hours=1))
    target = SLOT + timedelta(hours=2)
    results = race([lambda: first.reschedule("ana", ana.code, target),
                    lambda: second.reschedule("beto", beto.code, target)])
    winners, losers, others = split(results)
    assert others == [] and len(winners) == 1 and len(losers) == 1
    assert losers[0].reason == Unavailability.TAKEN
    loser = ana if isinstance(results[0], SlotUnavailable) else beto
    winner = beto if loser is ana else ana
    assert first.find(loser.phone, loser.code) == loser  # untouched
    assert first.find(winner.phone, winner.code).start == target
    assert first.check_slot(winner.start) is None  # the winner's old slot was released


@pytest.mark.postgres
def test_a_booking_and_a_reschedule_race_for_one_slot(calendar, pg_url, pg_engine, engines):
    first, second = (AppointmentService(calendar, SqlAppointmentRepository(e, TZ), lambda: FIXED_NOW)
                     for e in engines(pg_url, 2))
    ana = first.book("ana", SLOT)
    target = SLOT + timedelta(hours=1)
    results = race([lambda: first.reschedule("ana", ana.code, target),
                    lambda: second.book("beto", target)])
    winners, losers, others = split(results)
    assert others == [] and len(winners) == 1 and len(losers) == 1
    assert booked_at(pg_engine, target) == 1
    if isinstance(results[0], SlotUnavailable):  # beto won: ana keeps her original slot
        assert first.find("ana", ana.code) == ana
    else:
        assert first.upcoming("beto") == [] and first.check_slot(SLOT) is None


# --- the per-phone cap: one phone at its cap minus one, many bookings at once ---------

CAP = 3
PHONE = "whatsapp:+5215512345678"


def upcoming_of(engine, phone: str) -> int:
    query = select(func.count()).select_from(table).where(
        (table.c.phone == normalize_phone(phone)) & (table.c.status == "booked") & (table.c.starts_at > FIXED_NOW))
    with engine.connect() as connection:
        return connection.execute(query).scalar()


def distinct_slots(count: int) -> List[datetime]:
    """`count` bookable starts, none shared: the slot index plays no part in the race."""
    days = [SLOT + timedelta(days=d) for d in (0, 1, 4, 5, 6, 7)]  # Thu, Fri, Mon-Thu
    return [day + timedelta(minutes=30 * n) for day in days for n in range(14)][:count]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_one_phone_at_its_cap_minus_one_books_twenty_at_once(request, backend, calendar, engines):
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url")
    setup = fresh_schema(url)
    request.addfinalizer(setup.dispose)
    services = [AppointmentService(calendar, SqlAppointmentRepository(e, TZ), lambda: FIXED_NOW,
                                   max_upcoming_per_phone=CAP) for e in engines(url, RACERS)]
    slots = distinct_slots(RACERS + CAP)
    for start in slots[RACERS:RACERS + CAP - 1]:
        services[0].book(PHONE, start)
    results = race([lambda s=s, start=start: s.book(PHONE, start)
                    for s, start in zip(services, slots)])
    winners = [r for r in results if isinstance(r, Appointment)]
    refused = [r for r in results if isinstance(r, TooManyAppointments)]
    assert len(winners) == 1 and len(refused) == RACERS - 1, results
    assert upcoming_of(setup, PHONE) == CAP


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_insert_transaction_alone_holds_the_cap(request, backend, engines):
    """No check before writing: every racer inserts directly, as if all had counted
    CAP - 1 at the same moment. The count inside the insert must let one through."""
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url")
    setup = fresh_schema(url)
    request.addfinalizer(setup.dispose)
    repositories = [SqlAppointmentRepository(e, TZ) for e in engines(url, RACERS)]
    slots = distinct_slots(RACERS + CAP)

    def booking(n: int, start: datetime) -> Appointment:
        return Appointment(code=f"A{n % 8 + 2}B-{n // 8 + 2}CD", phone=PHONE, start=start,
                           end=start + timedelta(minutes=30), status="booked", created_at=FIXED_NOW)

    for n, start in enumerate(slots[RACERS:RACERS + CAP - 1], start=RACERS):
        repositories[0].add(booking(n, start), max_upcoming=CAP)
    results = race([lambda r=r, n=n, start=start: r.add(booking(n, start), max_upcoming=CAP)
                    for n, (r, start) in enumerate(zip(repositories, slots))])
    winners = [r for r in results if isinstance(r, Appointment)]
    refused = [r for r in results if isinstance(r, TooManyAppointments)]
    assert len(winners) == 1 and len(refused) == RACERS - 1, results
    assert upcoming_of(setup, PHONE) == CAP
