"""The lists of the user's own appointments ("Mis citas", and which one to cancel or to
change) with real rasa-sdk trackers and dispatcher and a real database, at a fixed "now"
(Wednesday 2026-11-25 10:00): only appointments still to come, never one that started,
earlier today included; confirmed ones marked in "Mis citas"."""
from datetime import datetime, timedelta

import pytest

from actions.asking import ActionAskAppointmentCode
from actions.cancellation import ValidateCancellationForm
from actions.my_appointments import ActionListAppointments
from appointments.domain import Appointment
from appointments.domain.response_texts import variation_text

from tests.conftest import FIXED_NOW, TZ
from tests.integration.actions_helpers import DOMAIN, run, tracker
from tests.integration.actions_helpers import wired  # noqa: F401 - the autouse fixture

LISTS = [(ActionAskAppointmentCode(), "cancellation_form", "utter_ask_code_for_cancellation"),
         (ActionAskAppointmentCode(), "reschedule_form", "utter_ask_code_for_reschedule")]


def earlier(wired, phone, code, hour, minute=0):
    """An appointment of this morning (the service refuses to book the past)."""
    start = datetime(2026, 11, 25, hour, minute, tzinfo=TZ)
    return wired.repository.add(Appointment(
        code=code, phone=phone, start=start, end=start + timedelta(minutes=30),
        status="booked", created_at=FIXED_NOW - timedelta(days=1)))


@pytest.fixture
def mine(wired, phone):
    """Two of this morning (09:00, and 10:00 starting right now), two still to come."""
    return {
        "past": earlier(wired, phone, "P2P-2PP", 9),
        "now": earlier(wired, phone, "N3N-3NN", 10),
        "later": wired.book(phone, datetime(2026, 11, 25, 15, 0, tzinfo=TZ)),
        "tomorrow": wired.book(phone, datetime(2026, 11, 26, 9, 0, tzinfo=TZ)),
    }


def test_my_appointments_shows_only_those_to_come_and_marks_the_confirmed(wired, phone, mine):
    wired.confirm(phone, mine["tomorrow"].code)
    _, said, messages = run(ActionListAppointments(), tracker(phone, "mis citas"))
    assert said == ["utter_my_appointments"]
    assert messages[0]["options"].splitlines() == [
        f"1. miércoles 25 de noviembre, 15:00 · {mine['later'].code}",
        f"2. jueves 26 de noviembre, 09:00 · {mine['tomorrow'].code} · ✅ confirmada",
    ]
    marks = DOMAIN["responses"]["utter_appointment_confirmed_mark"]
    assert variation_text(marks, "es") == "✅ confirmada"
    assert variation_text(marks, "en") == "✅ confirmed"


@pytest.mark.parametrize("action, loop, question", LISTS)
def test_the_lists_to_cancel_or_change_offer_no_started_appointment(phone, mine, action, loop,
                                                                     question):
    slots, said, messages = run(action, tracker(phone, loop=loop))
    assert said == [question]
    assert slots["offered_options"] == [mine["later"].code, mine["tomorrow"].code]
    assert "P2P-2PP" not in messages[0]["options"] and "N3N-3NN" not in messages[0]["options"]


def test_with_only_earlier_ones_today_there_is_nothing_to_list(wired, phone):
    earlier(wired, phone, "P2P-2PP", 9)
    _, said, _ = run(ActionListAppointments(), tracker(phone, "mis citas"))
    assert said == ["utter_no_appointments"]
    for action, loop, _question in LISTS:
        slots, said, _ = run(action, tracker(phone, loop=loop))
        assert said == ["utter_ask_code_no_upcoming"] and slots["offered_options"] is None


def test_the_only_one_to_come_is_picked_not_one_of_this_morning(wired, phone):
    earlier(wired, phone, "P2P-2PP", 9)
    later = wired.book(phone, datetime(2026, 11, 25, 15, 0, tzinfo=TZ))
    slots, _, _ = run(ValidateCancellationForm(),
                      tracker(phone, "cancelar mi cita", "cancel_appointment"))
    assert slots["appointment_code"] == later.code
