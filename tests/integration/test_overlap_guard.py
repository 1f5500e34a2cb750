"""The database itself refuses overlapping booked appointments (tables.py): raw writes
that bypass every Python check, on SQLite (triggers) and PostgreSQL (an exclusion
constraint); and a database made before the guard and the service column gets both."""
import logging
from datetime import datetime, timedelta

import pytest
from sqlalchemy import inspect, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from appointments.adapters.sql.database import create_schema
from appointments.adapters.sql.tables import NO_OVERLAP
from appointments.adapters.sql.tables import appointments as table

from tests.conftest import FIXED_NOW, TZ

START = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)
HALF, HOUR = timedelta(minutes=30), timedelta(hours=1)


def raw_insert(engine, code, start=START, length=HOUR, status="booked"):
    with engine.begin() as connection:
        connection.execute(insert(table).values(
            code=code, phone="x", starts_at=start, ends_at=start + length, status=status,
            created_at=FIXED_NOW))


def booked(engine):
    with engine.connect() as connection:
        return connection.execute(select(table.c.code).where(table.c.status == "booked")
                                  .order_by(table.c.starts_at)).scalars().all()


def drop_guard(engine):
    """The appointments table as it was before the overlap guard and the service column."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER appointments_no_overlap_insert"))
            connection.execute(text("DROP TRIGGER appointments_no_overlap_update"))
        else:
            connection.execute(text(f"ALTER TABLE appointments DROP CONSTRAINT {NO_OVERLAP}"))
        connection.execute(text("ALTER TABLE appointments DROP COLUMN service"))


def test_raw_overlapping_writes_are_refused(engine):
    raw_insert(engine, "A2A-2AA")  # 10:00-11:00
    for code, start, length in [("B2B-2BB", START + HALF, HALF), ("C2C-2CC", START - HALF, HOUR),
                                ("D2D-2DD", START - HOUR, 3 * HOUR)]:
        with pytest.raises(IntegrityError):
            raw_insert(engine, code, start, length)
    raw_insert(engine, "E2E-2EE", START + HOUR, HALF)  # back to back: fine
    raw_insert(engine, "F2F-2FF", START - HALF, HALF)
    raw_insert(engine, "G2G-2GG", START + HALF, HALF, status="cancelled")  # not booked
    with pytest.raises(IntegrityError):  # un-cancelling into an overlap
        with engine.begin() as connection:
            connection.execute(update(table).where(table.c.code == "G2G-2GG")
                               .values(status="booked"))
    with pytest.raises(IntegrityError):  # stretching one over the next
        with engine.begin() as connection:
            connection.execute(update(table).where(table.c.code == "A2A-2AA")
                               .values(ends_at=START + HOUR + HALF))
    with engine.begin() as connection:  # moving one over its own old interval: fine
        connection.execute(update(table).where(table.c.code == "E2E-2EE")
                           .values(starts_at=START + HOUR + HALF / 2,
                                   ends_at=START + HOUR + HALF + HALF / 2))
    assert booked(engine) == ["F2F-2FF", "A2A-2AA", "E2E-2EE"]


def test_an_old_database_gets_the_guard_and_the_service_column(engine):
    drop_guard(engine)
    raw_insert(engine, "A2A-2AA")
    raw_insert(engine, "B2B-2BB", START + HALF, HALF)  # nothing stops it yet
    with engine.begin() as connection:
        connection.execute(update(table).where(table.c.code == "B2B-2BB")
                           .values(status="cancelled"))
    create_schema(engine)
    create_schema(engine)  # twice: nothing to add the second time
    assert "service" in {c["name"] for c in inspect(engine).get_columns("appointments")}
    with pytest.raises(IntegrityError):
        raw_insert(engine, "C2C-2CC", START + HALF, HALF)
    assert booked(engine) == ["A2A-2AA"]


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_uses_a_core_gist_exclusion_constraint(engine):
    with engine.connect() as connection:
        kind = connection.execute(text(
            "SELECT contype FROM pg_constraint WHERE conname = :name "
            "AND conrelid = to_regclass('appointments')"), {"name": NO_OVERLAP}).scalar()
        extensions = connection.execute(text("SELECT extname FROM pg_extension")).scalars().all()
    assert kind == "x" and "btree_gist" not in extensions


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_overlaps_already_stored_do_not_stop_the_start(engine, caplog):
    """Rows that overlap from before: the constraint cannot be added; that is logged,
    the rest of the schema work is kept, and a later start adds it once they are gone."""
    drop_guard(engine)
    raw_insert(engine, "A2A-2AA")
    raw_insert(engine, "B2B-2BB", START + HALF, HALF)
    with caplog.at_level(logging.ERROR, logger="appointments.adapters.sql.database"):
        create_schema(engine)
    assert "booked appointments overlap" in caplog.text
    assert "service" in {c["name"] for c in inspect(engine).get_columns("appointments")}
    with engine.begin() as connection:
        connection.execute(update(table).where(table.c.code == "B2B-2BB")
                           .values(status="cancelled"))
    create_schema(engine)
    with pytest.raises(IntegrityError):
        raw_insert(engine, "C2C-2CC", START + HALF, HALF)
