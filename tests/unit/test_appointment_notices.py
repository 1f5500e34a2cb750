"""The appointment notices' text for the agent's phone and their webhook fields, for
each change (the sending itself: tests/integration/test_actions_business_notices.py)."""
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from appointments.adapters.appointment_notices import (
    AppointmentNotice, DailyAgendaNotice, agenda_line,
)
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


# --- the day's agenda ----------------------------------------------------------------

def test_the_daily_agenda_lists_the_day_and_links_the_console():
    confirmed = replace(BOOKED, customer_name="Ana", confirmed_at=FIXED_NOW)
    lines = (agenda_line(confirmed, "Limpieza dental"),
             agenda_line(replace(BOOKED, code="M4R-8TW", start=START + timedelta(hours=1))))
    assert lines == ("17:00 · Limpieza dental · Ana (+5215512345678) ✅", "18:00 · +5215512345678")
    notice = DailyAgendaNotice(START.date(), lines, "https://c.example/agent/today")
    assert notice.agent_text() == (
        "🗓️ Agenda de hoy, jueves 26 de noviembre: 2 citas\n" + "\n".join(lines)
        + "\nDetalle: https://c.example/agent/today")
    assert DailyAgendaNotice(START.date()).agent_text() == \
        "🗓️ Hoy, jueves 26 de noviembre, no hay citas agendadas."


def test_a_long_agenda_stays_within_twilios_limit_and_says_how_many_are_left_out():
    lines = tuple(f"{9 + n // 60:02d}:{n % 60:02d} · Cliente número {n} (+5215512345678)"
                  for n in range(80))
    text = DailyAgendaNotice(START.date(), lines, "https://c.example/agent/today").agent_text()
    assert len(text.encode("utf-16-le")) // 2 <= 1600
    assert ": 80 citas" in text and text.endswith("Detalle: https://c.example/agent/today")
    shown = text.count("Cliente número")
    assert 20 < shown < 80 and f"… y {80 - shown} más" in text
