"""What only the SQL storage has, on SQLite and PostgreSQL alike (every test runs on
both): aware UTC datetimes, the schema and its unique index refusing even raw writes,
the cancellation time, the message log's column migration, the wiring.

The repositories' behaviour through their ports (appointments, handoff cases, message
log) is in test_repository_contract*.py, run on the in-memory fakes as well; the
service on a real database in test_appointment_service.py."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, inspect, insert, select, text, update
from sqlalchemy.exc import IntegrityError, StatementError

from appointments.domain import Appointment, SlotUnavailable
from appointments.bootstrap import build_service
from appointments.settings import Settings
from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.message_log import SqlMessageLog
from appointments.adapters.sql.appointments import CodeCollision
from appointments.adapters.sql.tables import appointments as table

from tests.conftest import FIXED_NOW, TZ

START = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)  # 16:00 UTC


def appointment(code="K7P-3QX", phone="ana", start=START, **changes) -> Appointment:
    fields = dict(code=code, phone=phone, start=start, end=start + timedelta(minutes=30),
                  status="booked", created_at=FIXED_NOW)
    return Appointment(**{**fields, **changes})


def raw_rows(engine):
    with engine.connect() as connection:
        return connection.execute(select(table).order_by(table.c.id)).all()


def raw_insert(engine, code, status="booked", start=START):
    with engine.begin() as connection:
        connection.execute(insert(table).values(
            code=code, phone="x", starts_at=start, ends_at=start + timedelta(minutes=30),
            status=status, created_at=FIXED_NOW))


# --- schema and types ------------------------------------------------------------

def test_datetimes_are_stored_in_utc_and_come_back_aware(repository, engine):
    repository.add(appointment())
    [row] = raw_rows(engine)
    assert row.starts_at == datetime(2026, 11, 26, 16, 0, tzinfo=timezone.utc)
    assert row.starts_at.utcoffset() == timedelta(0) and row.created_at.utcoffset() == timedelta(0)
    stored = repository.get("K7P-3QX")
    assert stored.start == START and stored.start.tzinfo == TZ and stored.created_at == FIXED_NOW


def test_naive_datetimes_are_refused(engine):
    with pytest.raises(StatementError):
        raw_insert(engine, "K7P-3QX", start=datetime(2026, 11, 26, 10, 0))
    assert raw_rows(engine) == []


def test_schema_creation_is_idempotent_and_has_the_guard(engine):
    create_schema(engine)
    create_schema(engine)
    inspector = inspect(engine)
    assert {"appointments", "handoff_cases", "messages"} <= set(inspector.get_table_names())
    indexes = {i["name"]: i for i in inspector.get_indexes("appointments")}
    assert indexes["uq_appointments_booked_start"]["unique"]


def test_the_database_allows_one_booked_appointment_per_start(engine):
    raw_insert(engine, "A2A-2AA", status="cancelled")
    raw_insert(engine, "B2B-2BB", status="cancelled")  # cancelled ones never clash
    raw_insert(engine, "C2C-2CC")
    with pytest.raises(IntegrityError):
        raw_insert(engine, "D2D-2DD")  # bypassing every Python check
    with pytest.raises(IntegrityError):
        with engine.begin() as connection:  # un-cancelling into a taken slot
            connection.execute(update(table).where(table.c.code == "A2A-2AA")
                               .values(status="booked"))
    assert [r.status for r in raw_rows(engine)] == ["cancelled", "cancelled", "booked"]


def test_codes_are_unique_even_when_cancelled(engine):
    raw_insert(engine, "A2A-2AA", status="cancelled")
    with pytest.raises(IntegrityError):
        raw_insert(engine, "A2A-2AA", start=START + timedelta(hours=1))


# --- what only SQL has ---------------------------------------------------------------

def test_refusals_write_no_row_and_cancel_records_when(repository, engine):
    """The rest of the repository's behaviour is in test_repository_contract.py, run on
    the in-memory fake too; the cancellation time is a column no port shows."""
    repository.add(appointment(customer_name="Ana"))
    with pytest.raises(SlotUnavailable):
        repository.add(appointment(code="M4R-8TW", phone="beto"))
    with pytest.raises(CodeCollision):
        repository.add(appointment(phone="beto", start=START + timedelta(hours=1)))
    assert not repository.cancel("K7P-3QX", "beto", FIXED_NOW)
    assert repository.cancel("K7P-3QX", "ana", FIXED_NOW + timedelta(minutes=1))
    [row] = raw_rows(engine)
    assert row.status == "cancelled" and row.cancelled_at == FIXED_NOW + timedelta(minutes=1)
    assert row.customer_name == "Ana"


# --- message log -----------------------------------------------------------------

def test_an_old_messages_table_gets_the_author_column(engine):
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE messages DROP COLUMN author"))  # as it shipped
    create_schema(engine)
    create_schema(engine)  # twice: nothing to add the second time
    log = SqlMessageLog(engine)
    log.record("out", "whatsapp:+521", "hola", "queued", author="agent")
    log.record("in", "whatsapp:+521", "gracias", "received")
    assert [m["author"] for m in log.conversation("whatsapp:+521")] == ["agent", "user"]


# --- wiring ----------------------------------------------------------------------

def test_build_service_creates_the_schema(database_url, engine):
    engine.dispose()
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE appointments"))
    service = build_service(Settings(database_url=database_url), clock=lambda: FIXED_NOW)
    try:
        assert service.book("ana", START).start == START
        assert service.now() == FIXED_NOW
    finally:
        service.repository.engine.dispose()


def test_build_service_defaults_to_the_real_clock(sqlite_url):
    service = build_service(Settings(database_url=sqlite_url))
    try:
        assert service.now().tzinfo == TZ
        assert abs(service.now() - datetime.now(timezone.utc)) < timedelta(seconds=5)
    finally:
        service.repository.engine.dispose()


def test_sqlite_engine_setup(tmp_path):
    engine = create_database_engine(f"sqlite:///{tmp_path / 'new' / 'dir' / 'app.db'}")
    create_schema(engine)
    assert (tmp_path / "new" / "dir" / "app.db").exists()
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1

    counted = []  # the action server uses connections from worker threads
    worker = threading.Thread(target=lambda: counted.append(raw_rows(engine)))
    worker.start()
    worker.join()
    assert counted == [[]]
    engine.dispose()


def test_in_memory_sqlite_keeps_one_database():
    engine = create_database_engine("sqlite://")
    create_schema(engine)
    raw_insert(engine, "K7P-3QX")
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(table)).scalar() == 1
