"""Reminders through the real stack: the real worker process sends one to the fake
Twilio, and the person answers it on WhatsApp (signed webhooks into the real Rasa and
action servers): 1 confirms, 2 changes, 3 cancels that appointment, whatever the
conversation was doing; BAJA stops the next one and "cancelar mi cita" does not."""
import itertools
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from appointments.adapters.sql.appointments import SqlAppointmentRepository
from appointments.adapters.sql.database import create_database_engine
from appointments.domain.appointment import BOOKED, CANCELLED, Appointment
from appointments.domain.reminders import DEFAULT_OFFSETS
from tests.e2e import servers
from tests.e2e.twilio_client import converse

TZ = ZoneInfo("America/Mexico_City")


@pytest.fixture
def repository(stack):
    engine = create_database_engine(stack.database_url)
    yield SqlAppointmentRepository(engine, TZ, DEFAULT_OFFSETS)
    engine.dispose()


_taken = itertools.count()


def booked_two_days_ago(repository, phone, code):
    """An appointment about an hour from now (each test its own time), booked two days
    ago: its reminders are due."""
    now = datetime.now(timezone.utc)
    start = now + timedelta(hours=1, minutes=40 * next(_taken))
    start = start.replace(second=0, microsecond=0).astimezone(TZ)
    return repository.add(Appointment(code=code, phone=phone, start=start,
                                      end=start + timedelta(minutes=30), status=BOOKED,
                                      created_at=now - timedelta(days=2),
                                      customer_name="Ana"))


def run_worker(stack):
    """One round of the real worker, as `make run` starts it."""
    done = subprocess.run([sys.executable, "-m", "appointments.worker", "--once"],
                          env=stack.env, cwd=servers.ROOT, timeout=120,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def reminded(stack, phone, repository, code, sent_before):
    """Greet, book, let the worker send the reminder; the texts sent so far."""
    booked_two_days_ago(repository, phone, code)
    run_worker(stack)
    texts = stack.twilio.wait_for(phone, sent_before + 1)
    assert code in texts[-1] and "Responde *1* para confirmarla" in texts[-1]
    return len(texts)


def test_one_confirms_the_reminded_appointment_even_after_the_menu(stack, phone, repository):
    menu = converse(stack, phone, "hola", 0)  # the menu's "1" would be booking
    assert any("1. Crear una cita" in text for text in menu)
    sent = reminded(stack, phone, repository, "R2C-2AA", len(menu))
    [reply] = converse(stack, phone, "1", sent)
    assert "quedó confirmada" in reply and "R2C-2AA" in reply
    assert repository.get("R2C-2AA").confirmed_at is not None
    run_worker(stack)  # nothing twice
    assert len(stack.twilio.to(phone)) == sent + 1


def test_three_cancels_it_after_asking_once(stack, phone, repository):
    greeted = converse(stack, phone, "buenas", 0)  # free text: they wrote within 24 h
    sent = reminded(stack, phone, repository, "R3C-3AA", len(greeted))
    [question] = converse(stack, phone, "3", sent)
    assert "¿Cancelo tu cita" in question and "R3C-3AA" in question
    [done] = converse(stack, phone, "sí", sent + 1)
    assert "fue cancelada" in done
    assert repository.get("R3C-3AA").status == CANCELLED


def test_two_moves_that_appointment_in_the_middle_of_a_booking(stack, phone, repository):
    asked = converse(stack, phone, "quiero una cita", 0)
    assert any("¿Para qué día" in text for text in asked)
    sent = reminded(stack, phone, repository, "R4C-4AA", len(asked))
    replies = converse(stack, phone, "2", sent)
    assert any("¿Para qué día quieres cambiar tu cita" in text for text in replies), replies
    tracker = stack.tracker(phone)
    assert tracker["slots"]["appointment_code"] == "R4C-4AA"
    assert tracker["active_loop"]["name"] == "reschedule_form"


def test_one_without_a_reminder_is_still_the_menu(stack, phone):
    converse(stack, phone, "hola", 0)
    replies = converse(stack, phone, "1", 2)
    assert any("¿Para qué día" in text for text in replies)


def test_baja_stops_the_next_reminder_and_cancelar_mi_cita_does_not(stack, phone, repository):
    [answer] = converse(stack, phone, "BAJA", 0)
    assert "ya no te enviaremos" in answer
    booked_two_days_ago(repository, phone, "R5C-5AA")
    run_worker(stack)
    replies = converse(stack, phone, "cancelar mi cita", 1)
    assert any("R5C-5AA" in text for text in replies)  # Rasa's cancellation, no opt-out
    assert not any("Te recordamos" in text for text in stack.twilio.to(phone))
    [again] = converse(stack, phone, "ALTA", len(stack.twilio.to(phone)))
    assert "Volverás a recibir" in again
