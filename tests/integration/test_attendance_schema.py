"""A database made before confirmations and attendance existed gets their columns at the
next start (create_schema), on SQLite and PostgreSQL, and then works as a new one."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import inspect, insert, select, text

from appointments.adapters.sql.appointments import SqlAppointmentRepository
from appointments.adapters.sql.database import create_schema
from appointments.adapters.sql.tables import appointments as table
from appointments.domain.appointment import NO_SHOW

from tests.conftest import FIXED_NOW, TZ

START = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)
NEW_COLUMNS = {"confirmed_at", "attendance", "attendance_at", "attendance_by"}


def columns(engine):
    return {c["name"] for c in inspect(engine).get_columns("appointments")}


def test_an_old_appointments_table_gets_the_new_columns(engine):
    with engine.begin() as connection:  # the table as it shipped before
        for column in sorted(NEW_COLUMNS):
            connection.execute(text(f"ALTER TABLE appointments DROP COLUMN {column}"))
        # only the old columns are written (the new ones have no defaults)
        connection.execute(insert(table).values(
            code="K7P-3QX", phone="ana", starts_at=START, ends_at=START + timedelta(minutes=30),
            status="booked", created_at=FIXED_NOW))
    assert not columns(engine) & NEW_COLUMNS
    create_schema(engine)
    create_schema(engine)  # twice: nothing to add the second time
    assert NEW_COLUMNS <= columns(engine)
    repository = SqlAppointmentRepository(engine, TZ)
    old = repository.get("K7P-3QX")
    assert old.start == START and old.confirmed_at is None and old.attendance is None
    moment = FIXED_NOW + timedelta(minutes=3)
    assert repository.confirm("K7P-3QX", "ana", moment)
    assert repository.mark_attendance("K7P-3QX", NO_SHOW, "luis", moment)
    stored = repository.get("K7P-3QX")
    assert (stored.confirmed_at, stored.attendance_at) == (moment, moment)
    assert stored.confirmed_at.tzinfo == TZ and stored.attendance_by == "luis"
    with engine.connect() as connection:  # stored in UTC like every other time
        raw = connection.execute(select(table.c.confirmed_at)).scalar_one()
    assert raw == moment.astimezone(timezone.utc)
