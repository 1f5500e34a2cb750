"""Shared fixtures: a fixed clock, the business calendar, and real databases."""
from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import NoSuchModuleError, OperationalError

from appointments.domain.calendar import BusinessCalendar
from appointments.services.scheduling import AppointmentService
from appointments.settings import parse_business_hours
from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.appointments import SqlAppointmentRepository
from appointments.adapters.sql.tables import metadata

TZ = ZoneInfo("America/Mexico_City")
FIXED_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)  # a Wednesday
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_DATABASE = "appointments_test"
# The business every test process and every server the tests start talks to, unless a
# test sets its own (tests/e2e/test_services.py runs the shipped three-service one).
ONE_SERVICE_BUSINESS = os.path.join(os.path.dirname(__file__), "business_one_service.yml")


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("BUSINESS_FILE", ONE_SERVICE_BUSINESS)


@pytest.fixture
def fixed_now() -> datetime:
    return FIXED_NOW


def listening(host: str, port: int) -> bool:
    """Does something accept TCP connections there (RabbitMQ, say)?"""
    try:
        socket.create_connection((host, port), timeout=2).close()
        return True
    except OSError:
        return False


def business_calendar() -> BusinessCalendar:
    """The calendar the tests use: Mexico City, Mon-Fri 9-18, Sat 9-13, 30-min slots."""
    return BusinessCalendar(
        tz=TZ,
        hours=parse_business_hours("mon-fri 09:00-18:00; sat 09:00-13:00"),
        slot_minutes=30,
        horizon_days=30,
        min_notice=timedelta(minutes=60),
        holidays_country="MX",
    )


@pytest.fixture
def calendar() -> BusinessCalendar:
    return business_calendar()


def _postgres_test_url(database: str = TEST_DATABASE) -> str:
    """Create the test database on the server if missing; skip (or fail) when no server."""
    try:
        admin = create_engine(
            POSTGRES_URL, isolation_level="AUTOCOMMIT", future=True,
            connect_args={"connect_timeout": 5},
        )
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": database}
            ).first()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{database}"'))
        admin.dispose()
    except (OperationalError, NoSuchModuleError, ImportError) as error:
        message = f"PostgreSQL not reachable at {POSTGRES_URL}: {getattr(error, 'orig', error)}"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return str(make_url(POSTGRES_URL).set(database=database))


@pytest.fixture(scope="session")
def postgres_url() -> str:
    return _postgres_test_url()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'appointments.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request) -> str:
    """Each test that uses the database runs once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


@pytest.fixture
def engine(database_url):
    """A fresh, empty schema per test (PostgreSQL tables are dropped and recreated)."""
    engine = create_database_engine(database_url)
    metadata.drop_all(engine)
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def repository(engine) -> SqlAppointmentRepository:
    return SqlAppointmentRepository(engine, TZ)


class Clock:
    """A clock the test can move."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(FIXED_NOW)


@pytest.fixture
def service(calendar, repository, clock) -> AppointmentService:
    return AppointmentService(calendar, repository, clock)


@pytest.fixture
def phone() -> str:
    return f"whatsapp:+52155{uuid.uuid4().int % 10**8:08d}"


@pytest.fixture(scope="session")
def e2e_database_url(tmp_path_factory) -> str:
    """A fresh database for the end-to-end stack: PostgreSQL when reachable."""
    try:
        url = _postgres_test_url("appointments_e2e")  # apart from the per-test database
    except pytest.skip.Exception:
        return f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'appointments.db'}"
    engine = create_database_engine(url)
    metadata.drop_all(engine)
    engine.dispose()
    return url
