"""The storage layer on SQLite and PostgreSQL alike (every test runs on both): aware UTC
datetimes, the database-level guard against double booking, atomic moves, handoffs."""
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, inspect, insert, select, text, update
from sqlalchemy.exc import IntegrityError, StatementError

from appointments.domain import Appointment, SlotUnavailable, Unavailability
from appointments.bootstrap import build_service
from appointments.settings import Settings
from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.handoffs import (
    CLOSED, OPEN, CaseClosed, CaseNotFound, SqlHandoffRepository,
)
from appointments.adapters.sql.message_log import SqlMessageLog
from appointments.adapters.sql.appointments import CodeCollision
from appointments.adapters.sql.tables import appointments as table
from appointments.adapters.sql.tables import handoff_cases, utc_now

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


# --- repository ------------------------------------------------------------------

def test_add_tells_a_taken_slot_from_a_code_collision(repository, engine):
    repository.add(appointment())
    with pytest.raises(SlotUnavailable) as taken:
        repository.add(appointment(code="M4R-8TW", phone="beto"))
    assert taken.value.reason == Unavailability.TAKEN and taken.value.start == START
    with pytest.raises(CodeCollision):
        repository.add(appointment(phone="beto", start=START + timedelta(hours=1)))
    assert len(raw_rows(engine)) == 1


def test_booked_starts_is_a_half_open_range_of_booked_rows(repository):
    for n, code in enumerate(["A2A-2AA", "B2B-2BB", "C2C-2CC"]):
        repository.add(appointment(code=code, start=START + timedelta(hours=n)))
    repository.cancel("B2B-2BB", "ana", FIXED_NOW)
    found = repository.booked_starts(START, START + timedelta(hours=2))
    assert found == {START}
    assert all(s.tzinfo == TZ for s in found)
    in_utc = repository.booked_starts(START.astimezone(timezone.utc), START + timedelta(hours=3))
    assert in_utc == {START, START + timedelta(hours=2)}


def test_booked_for_phone(repository):
    repository.add(appointment(code="A2A-2AA", start=START + timedelta(hours=2)))
    repository.add(appointment(code="B2B-2BB"))
    repository.add(appointment(code="C2C-2CC", phone="anabel", start=START + timedelta(hours=1)))
    assert [a.code for a in repository.booked_for_phone("ana", FIXED_NOW)] == [
        "B2B-2BB", "A2A-2AA"]
    assert [a.code for a in repository.booked_for_phone("ana", START)] == ["A2A-2AA"]


def test_cancel_only_touches_a_booked_appointment_of_that_phone(repository, engine):
    repository.add(appointment(customer_name="Ana"))
    assert not repository.cancel("K7P-3QX", "beto", FIXED_NOW)
    assert repository.cancel("K7P-3QX", "ana", FIXED_NOW + timedelta(minutes=1))
    assert not repository.cancel("K7P-3QX", "ana", FIXED_NOW + timedelta(minutes=2))
    [row] = raw_rows(engine)
    assert row.status == "cancelled" and row.cancelled_at == FIXED_NOW + timedelta(minutes=1)
    assert repository.get("K7P-3QX").customer_name == "Ana"


def test_move_is_all_or_nothing(repository):
    mine = repository.add(appointment())
    theirs = repository.add(appointment(code="M4R-8TW", phone="beto", start=START + timedelta(hours=1)))
    with pytest.raises(SlotUnavailable):
        repository.move(mine.code, "ana", theirs.start, theirs.end)
    assert repository.get(mine.code) == mine and repository.get(theirs.code) == theirs
    assert not repository.move(mine.code, "beto", START + timedelta(hours=2), START)  # not hers
    later = START + timedelta(hours=3)
    assert repository.move(mine.code, "ana", later, later + timedelta(minutes=30))
    assert repository.get(mine.code) == replace(mine, start=later, end=later + timedelta(minutes=30))
    assert repository.booked_starts(START, later + timedelta(hours=1)) == {theirs.start, later}


def test_a_cancelled_appointment_cannot_be_moved_and_frees_its_slot(repository):
    repository.add(appointment())
    repository.cancel("K7P-3QX", "ana", FIXED_NOW)
    assert not repository.move("K7P-3QX", "ana", START + timedelta(hours=1), START)
    other = repository.add(appointment(code="M4R-8TW", phone="beto"))
    assert repository.get("M4R-8TW") == other


# --- through the service, on each backend ----------------------------------------

def test_book_and_reschedule_round_trip(service):
    booked = service.book("whatsapp:+5215512345678", START, customer_name="Ana")
    assert service.find("whatsapp:+5215512345678", booked.code) == booked
    moved = service.reschedule("whatsapp:+5215512345678", booked.code, START + timedelta(days=1))
    assert moved.start == START + timedelta(days=1) and moved.start.tzinfo == TZ
    assert service.free_slots(START.date())[2] == START  # the old slot is free again


# --- handoffs --------------------------------------------------------------------

def test_asking_twice_keeps_one_open_case_per_phone(engine):
    cases = SqlHandoffRepository(engine)
    first = cases.open_case("whatsapp:+521", "user_request", {"goal": None, "slots": {}},
                            [{"author": "user", "text": "agente", "at": None}], "Ana")
    again = cases.open_case("whatsapp:+521", "fallback", {"goal": "crear una cita", "slots": {}})
    other = cases.open_case("whatsapp:+522", "user_request", {})
    assert again == first != other
    case = cases.get(first)
    assert case["summary"]["goal"] == "crear una cita" and case["profile_name"] == "Ana"
    assert case["status"] == OPEN and case["created_at"].tzinfo is not None
    assert [c["id"] for c in cases.list_open()] == [first, other]


def test_a_case_is_closed_once_and_can_be_reopened(engine):
    cases = SqlHandoffRepository(engine)
    case_id = cases.open_case("whatsapp:+521", "user_request", {})
    closed = cases.close(case_id, "agent")
    assert (closed["status"], closed["closed_by"]) == (CLOSED, "agent")
    with pytest.raises(CaseClosed):
        cases.close(case_id, "timeout")
    with pytest.raises(CaseNotFound):
        cases.close(999_999, "agent")
    assert cases.open_case_for("whatsapp:+521") is None
    cases.reopen(case_id)
    assert cases.open_case_for("whatsapp:+521")["id"] == case_id


def test_idle_cases_are_found_by_last_activity(engine):
    cases = SqlHandoffRepository(engine)
    quiet = cases.open_case("whatsapp:+521", "user_request", {})
    busy = cases.open_case("whatsapp:+522", "user_request", {})
    later = utc_now() + timedelta(seconds=1)
    with engine.begin() as connection:
        connection.execute(handoff_cases.update().where(handoff_cases.c.id == busy)
                           .values(updated_at=later + timedelta(hours=1)))
    assert [c["id"] for c in cases.idle_since(later)] == [quiet]
    cases.touch("whatsapp:+521")  # activity now: still older than `later`
    cases.close(quiet, "timeout")
    assert cases.idle_since(later) == []


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
