"""Helpers of the English end-to-end tests (test_languages*.py): which day to ask for,
how the bot writes it in English, what the database and the tracker hold."""
import re
from datetime import date, datetime, time, timedelta
from typing import Optional, Tuple

import pytest
from sqlalchemy import select

from appointments.adapters.sql.database import create_database_engine
from appointments.adapters.sql.appointments import SqlAppointmentRepository
from appointments.adapters.sql.tables import appointments, handoff_cases
from appointments.domain.appointment import BOOKED, Appointment
from appointments.domain.phones import normalize_phone
from appointments.domain.reminders import DEFAULT_OFFSETS

from tests.conftest import TZ, business_calendar

CODE = re.compile(r"\*([A-Z][2-9][A-Z]-[2-9][A-Z]{2})\*")
# Words only the English texts use (the Spanish menu's "Write *English* for English."
# and the switch notice's "(Write *English* for English.)" are taken out first).
ENGLISH_MARKERS = ("What day", "Open times", "Reply ", "Shall I", "Done!", "Your ", " your ",
                   "Sorry", "How can I help", "Book an appointment", "I didn't")
SPANISH_MARKERS = ("¿", "¡", "Responde", "Escribe", "tu cita", "Perdón", "Horarios")
INVITATION = "Write *English* for English."
# ... and the English texts' way back: "Escribe *español* para español.", "(Escribe
# *español* para volver al español.)"
INVITATIONS_BACK = ("Escribe *español* para español.", "Escribe *español* para volver al español.")


def english_day(day: date) -> str:
    """'Wednesday, December 2', written here, not with the product's formatter."""
    return f"{day:%A}, {day:%B} {day.day}"


def english_time(wall: time) -> str:
    """'10:00 AM', '4:30 PM'"""
    hour = wall.hour % 12 or 12
    return f"{hour}:{wall.minute:02d} {'AM' if wall.hour < 12 else 'PM'}"


def next_open_day() -> Tuple[date, str]:
    """Tomorrow if the business opens then, else the next day it does; with how an
    English speaker names it ('tomorrow', 'monday')."""
    today = datetime.now(TZ).date()
    calendar = business_calendar()
    day = today + timedelta(days=1)
    while not calendar.slot_starts(day) or calendar.holiday_name(day):
        day += timedelta(days=1)
    return day, ("tomorrow" if day == today + timedelta(days=1) else f"{day:%A}".lower())


@pytest.fixture
def repository(stack):
    """The stack's appointments, to put one there as if booked earlier."""
    engine = create_database_engine(stack.database_url)
    yield SqlAppointmentRepository(engine, TZ, DEFAULT_OFFSETS)
    engine.dispose()


def book(repository, phone: str, code: str, day: date, wall: time,
         language: Optional[str] = None, created_at: Optional[datetime] = None) -> Appointment:
    """An appointment booked earlier (two days ago unless said), in LANGUAGE."""
    start = datetime.combine(day, wall, tzinfo=TZ)
    created = created_at or datetime.now(TZ) - timedelta(days=2)
    return repository.add(Appointment(code=code, phone=phone, start=start,
                                      end=start + timedelta(minutes=30), status=BOOKED,
                                      created_at=created, customer_name="Ann",
                                      language=language))


def reads_english(reply: str) -> bool:
    text = reply.replace(INVITATION, "")
    return any(marker in text for marker in ENGLISH_MARKERS)


def reads_spanish(reply: str) -> bool:
    for invitation in INVITATIONS_BACK:
        reply = reply.replace(invitation, "")
    return any(marker in reply for marker in SPANISH_MARKERS)


def appointment_row(stack, code: str) -> Optional[dict]:
    engine = create_database_engine(stack.database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                select(appointments).where(appointments.c.code == code)).mappings().first()
        return dict(row) if row else None
    finally:
        engine.dispose()


def local_start(row: dict) -> datetime:
    return row["starts_at"].astimezone(TZ)


def cases_of(stack, phone: str) -> list:
    engine = create_database_engine(stack.database_url)
    try:
        with engine.connect() as connection:
            return [dict(r) for r in connection.execute(
                select(handoff_cases).where(handoff_cases.c.phone == normalize_phone(phone))
                .order_by(handoff_cases.c.id)).mappings()]
    finally:
        engine.dispose()


def language_slot(stack, sender: str) -> Optional[str]:
    return stack.tracker(sender)["slots"].get("language")


def user_languages(stack, sender: str) -> list:
    """The language the channel decided for each user message, in order."""
    return [(e.get("metadata") or {}).get("language")
            for e in stack.tracker(sender)["events"] if e["event"] == "user"]
