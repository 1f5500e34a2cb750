"""The appointment notices' text for the agent's phone and their webhook fields, for
each change (the sending itself: tests/integration/test_actions_business_notices.py)."""
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from appointments.adapters.appointment_notices import AppointmentNotice
from appointments.domain import Appointment

from tests.conftest import FIXED_NOW, TZ

START = datetime(2026, 11, 26, 17, 0, tzinfo=TZ)
BOOKED = Appointment(code="K7P-3QX", phone="whatsapp:+5215512345678", start=START,
                     end=START + timedelta(hours=1), status="booked", created_at=FIXED_NOW,
                     service="limpieza")


def test_without_a_name_or_a_service_name_the_text_says_what_it_knows():
    notice = AppointmentNotice.of("booked", BOOKED)
    assert notice.agent_text() == ("📅 Nueva cita K7P-3QX\nCliente: (+5215512345678)\n"
                                   "Cuándo: jueves 26 de noviembre, 17:00")
    assert notice.event == "appointment.booked" and notice.subject() == "appointment K7P-3QX"
    assert notice.fields()["service"] == "limpieza" and notice.fields()["service_name"] is None


def test_a_stored_name_wins_over_the_conversations_and_long_names_are_cut():
    named = AppointmentNotice.of("cancelled", replace(BOOKED, customer_name="Ana"),
                                 customer_name="Perfil")
    assert "Cliente: Ana (+5215512345678)" in named.agent_text()
    assert named.fields()["customer_name"] == "Ana"
    long = AppointmentNotice.of("booked", BOOKED, customer_name="Ana\n" + "x" * 500)
    first = long.agent_text().splitlines()[1]
    assert first.startswith("Cliente: Ana xxx") and len(first) < 90


def test_only_a_reschedule_carries_the_old_start():
    before = START - timedelta(days=1)
    moved = AppointmentNotice.of("rescheduled", BOOKED, "Limpieza dental", previous_start=before)
    assert "Antes: miércoles 25 de noviembre, 17:00\nAhora: jueves 26 de noviembre, 17:00" \
        in moved.agent_text()
    assert moved.fields()["previous_start"] == "2026-11-25T17:00:00-06:00"
    assert "Servicio: Limpieza dental" in moved.agent_text()
    cancelled = AppointmentNotice.of("cancelled", BOOKED, previous_start=before)
    assert cancelled.fields()["previous_start"] is None
    with pytest.raises(ValueError):
        AppointmentNotice.of("moved", BOOKED)
