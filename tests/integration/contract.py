"""Fixtures the contract tests share: each scenario runs on the in-memory fake and on the
SQL adapter (SQLite, and PostgreSQL with the postgres marker). Import them by name.
`repository` and `appointment` are the appointment repository's and a booking to add."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from appointments.adapters.sql.appointments import SqlAppointmentRepository
from appointments.domain import Appointment

from tests.conftest import FIXED_NOW, TZ
from tests.fakes.ports import InMemoryAppointmentRepository

START = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)  # 16:00 UTC, a Thursday


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(request, backend) -> str:
    """For conftest's `engine` (a fresh schema), on the SQL backends only."""
    return request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url")


@pytest.fixture
def repository(request, backend):
    """The AppointmentRepository on each backend (SQL over conftest's `engine`)."""
    if backend == "memory":
        return InMemoryAppointmentRepository(TZ)
    return SqlAppointmentRepository(request.getfixturevalue("engine"), TZ)


def appointment(code="K7P-3QX", phone="ana", start=START, **changes) -> Appointment:
    """A booked half-hour appointment; `changes` sets any other field."""
    fields = dict(code=code, phone=phone, start=start, end=start + timedelta(minutes=30),
                  status="booked", created_at=FIXED_NOW)
    return Appointment(**{**fields, **changes})
