"""One person, two ways WhatsApp writes their number ("+521" + 10 digits and "+52" + 10
digits), on SQLite and PostgreSQL: appointments booked from one form are listed,
cancelled and moved from the other, the cap counts them together, the message log and
the handoff cases meet; and a database written before phones were normalised gets the
normal form at start (create_schema), once, also with several processes starting at
once."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, inspect, select, text

from appointments.adapters.sql.database import create_schema
from appointments.adapters.sql.handoffs import SqlHandoffRepository
from appointments.adapters.sql.message_log import SqlMessageLog
from appointments.adapters.sql.tables import appointments, handoff_cases, messages
from appointments.domain import BOOKED, Appointment, AppointmentNotFound, TooManyAppointments
from appointments.services.scheduling import AppointmentService

from tests.conftest import FIXED_NOW, TZ
from tests.integration.test_schema_startup import start_together

LEGACY, NORMAL = "whatsapp:+5215512345678", "whatsapp:+525512345678"
OTHER = "whatsapp:+5215599999999"
THURSDAY_10 = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)
DAY = timedelta(days=1)


def test_booked_from_one_form_is_listed_found_and_cancelled_from_the_other(service):
    booked = service.book(LEGACY, THURSDAY_10)
    assert booked.phone == NORMAL  # stored and returned in normal form
    assert [a.code for a in service.upcoming(NORMAL)] == [booked.code]
    assert service.find(NORMAL, booked.code) == booked == service.find(LEGACY, booked.code)
    with pytest.raises(AppointmentNotFound):
        service.find(OTHER, booked.code)  # another person still cannot see it
    cancelled = service.cancel(NORMAL, booked.code)
    assert cancelled.status == "cancelled" and service.upcoming(LEGACY) == []


def test_booked_from_the_normal_form_is_moved_from_the_legacy_one(service):
    booked = service.book(NORMAL, THURSDAY_10)
    moved = service.reschedule(LEGACY, booked.code, THURSDAY_10 + DAY)
    assert moved.start == THURSDAY_10 + DAY
    assert service.upcoming(LEGACY) == [moved] == service.upcoming(NORMAL)


def test_the_cap_counts_both_forms_as_one_phone(calendar, repository, clock):
    capped = AppointmentService(calendar, repository, clock, max_upcoming_per_phone=2)
    capped.book(LEGACY, THURSDAY_10)
    capped.book(NORMAL, THURSDAY_10 + DAY)
    with pytest.raises(TooManyAppointments):
        capped.book(LEGACY, THURSDAY_10 + 2 * DAY)
    start = THURSDAY_10 + 2 * DAY
    with pytest.raises(TooManyAppointments):  # the insert's own count, too
        repository.add(Appointment(code="Z9Z-9ZZ", phone=LEGACY, start=start,
                                   end=start + timedelta(minutes=30), status=BOOKED,
                                   created_at=FIXED_NOW), max_upcoming=2)


def test_the_message_log_and_the_cases_meet_across_forms(engine):
    log, cases = SqlMessageLog(engine), SqlHandoffRepository(engine)
    log.record("in", LEGACY, "agente", "received")
    log.record("out", NORMAL, "Conectando con un agente...", "queued")
    assert [m["body"] for m in log.conversation(NORMAL)] == [
        "agente", "Conectando con un agente..."] == [m["body"] for m in log.conversation(LEGACY)]
    assert log.count("user", FIXED_NOW - DAY, NORMAL) == 1
    case_id = cases.open_case(LEGACY, "user_request", {})
    assert cases.open_case(NORMAL, "fallback", {}) == case_id  # the same person's case
    case = cases.open_case_for(LEGACY)
    assert (case["id"], case["phone"], case["sender_id"]) == (case_id, NORMAL, NORMAL)


# --- a database written before ------------------------------------------------------

def write_as_before(engine) -> None:
    """Rows as the code before normalisation stored them (phones as WhatsApp wrote
    them), in a handoff_cases table without sender_id."""
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE handoff_cases DROP COLUMN sender_id"))
    with engine.begin() as connection:
        for n, phone in enumerate((LEGACY, NORMAL, LEGACY, OTHER, "dev-1234")):
            start = THURSDAY_10 + n * DAY
            connection.execute(insert(appointments).values(
                code=f"A{n}A-2AA", phone=phone, starts_at=start,
                ends_at=start + timedelta(minutes=30), status="booked", created_at=FIXED_NOW))
            connection.execute(insert(messages).values(
                direction="in", phone=phone, body=f"hola {n}", status="received",
                created_at=FIXED_NOW))
        connection.execute(insert(handoff_cases).values(  # names no sender_id
            phone=LEGACY, reason="user_request", summary="{}", transcript="[]",
            status="open", created_at=FIXED_NOW, updated_at=FIXED_NOW))


def phones(engine, table):
    with engine.connect() as connection:
        return connection.execute(select(table.c.phone).order_by(table.c.id)).scalars().all()


def test_an_old_database_gets_every_phone_in_normal_form_once(engine, service):
    write_as_before(engine)
    create_schema(engine)
    create_schema(engine)  # twice: nothing more to change
    normal_other = "whatsapp:+525599999999"
    expected = [NORMAL, NORMAL, NORMAL, normal_other, "dev-1234"]
    assert phones(engine, appointments) == expected == phones(engine, messages)
    [case] = SqlHandoffRepository(engine).list_open()
    assert (case["phone"], case["sender_id"]) == (NORMAL, LEGACY)  # Rasa's id is kept
    assert [a.code for a in service.upcoming(LEGACY)] == ["A0A-2AA", "A1A-2AA", "A2A-2AA"]
    assert len(SqlMessageLog(engine).conversation(NORMAL)) == 3


def test_processes_starting_together_normalise_an_old_database_once(engine, database_url):
    write_as_before(engine)
    assert start_together(database_url, 4) == []
    assert "sender_id" in {c["name"] for c in inspect(engine).get_columns("handoff_cases")}
    assert phones(engine, appointments).count(NORMAL) == 3
    assert phones(engine, handoff_cases) == [NORMAL]
