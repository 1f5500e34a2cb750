"""The business hears of each booking, change and cancellation: the actions with real
rasa-sdk trackers and dispatcher and a real database, the notices through the real
notifiers to a local fake of Twilio and a local webhook receiver, at a fixed "now"
(Wednesday 2026-11-25 10:00). The notices go out after the reply, on the notice worker:
a slow, failing or broken notifier changes nothing the user reads."""
import asyncio
import time
from datetime import datetime

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.booking import ActionBookAppointment
from actions.cancellation import ActionCancelAppointment
from actions.rescheduling import ActionRescheduleAppointment
from appointments.domain.phones import normalize_phone
from appointments.adapters.notifiers import (
    Notifiers, TwilioAgentNotifier, WebhookNotifier, verify_signature,
)
from appointments.adapters.twilio import TwilioSender

from tests.conftest import TZ
from tests.integration.actions_helpers import DOMAIN
from tests.integration.actions_helpers import wired  # noqa: F401 - the autouse fixture
from tests.integration.handoff_notices import AGENT_WHATSAPP, BOT_NUMBER, SECRET, closed_port_url

BOOK = {"appointment_date": "2026-11-26", "appointment_time": "10:00", "booking_confirmed": True}
THURSDAY_10 = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)
FIELDS = {"event", "code", "service", "service_name", "start", "end", "previous_start",
          "customer_name", "phone", "sent_at"}


@pytest.fixture
def wire(wired, monkeypatch):
    """wire(notifiers, BUSINESS_NOTIFY=None): the actions use these notifiers; the notice
    worker is drained and stopped afterwards."""
    used = []

    def use(notifiers, business_notify=None):
        if business_notify is not None:
            monkeypatch.setenv("BUSINESS_NOTIFY", business_notify)
        services.use(wired, notifiers)
        used.append(notifiers)

    yield use
    worker = services.notice_worker()
    for notifiers in used:
        worker.submit("close", notifiers.close)
    worker.stop(timeout=10)


def both(twilio, receiver, url=None):
    sender = TwilioSender("ACtest", "token", BOT_NUMBER, base_url=twilio.url, backoff_seconds=0.01)
    return Notifiers([TwilioAgentNotifier(sender, AGENT_WHATSAPP, close_sender=True),
                      WebhookNotifier(url or receiver.url + "/hooks/citas", SECRET,
                                      backoff_seconds=0.01)])


def said(phone, action, slots, text="sí", profile_name="Ana Pérez"):
    """Run `action` after the user's `text` (sent with WhatsApp's profile name)."""
    message = {"text": text, "intent": {"name": "affirm", "confidence": 1.0}, "entities": []}
    event = {"event": "user", "text": text, "parse_data": message,
             "metadata": {"ProfileName": profile_name} if profile_name else {}}
    tracker = Tracker(phone, dict(slots), message, [event], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return dispatcher.messages


def signed_json(request):
    assert verify_signature(request["body"], request["headers"]["X-Citas-Signature"], SECRET)
    assert request["headers"]["X-Citas-Event"] == request["json"]["event"]
    assert set(request["json"]) == FIELDS
    return request["json"]


def test_a_booking_tells_the_business_by_whatsapp_and_signed_webhook(phone, wired, wire,
                                                                    twilio, receiver):
    wire(both(twilio, receiver))
    [reply] = said(phone, ActionBookAppointment(), BOOK)
    assert reply["response"] == "utter_booking_done"
    [booked] = wired.upcoming(phone)
    assert booked.customer_name == "Ana Pérez"  # kept for the console's "Hoy" page
    [text] = twilio.wait_for(AGENT_WHATSAPP, 1)
    assert text.splitlines() == [
        f"📅 Nueva cita {booked.code}", f"Cliente: Ana Pérez ({normalize_phone(phone).split(':')[1]})",
        "Servicio: Consulta", "Cuándo: jueves 26 de noviembre, 10:00"]
    [request] = receiver.wait_for(1)
    assert request["path"] == "/hooks/citas"
    body = signed_json(request)
    assert body["event"] == "appointment.booked" and body["code"] == booked.code
    assert (body["service"], body["service_name"]) == ("consulta", "Consulta")
    assert (body["start"], body["end"]) == ("2026-11-26T10:00:00-06:00",
                                            "2026-11-26T10:30:00-06:00")
    assert body["previous_start"] is None
    assert (body["customer_name"], body["phone"]) == ("Ana Pérez", normalize_phone(phone))


def test_a_reschedule_says_the_old_and_the_new_time(phone, wired, wire, twilio, receiver):
    wire(both(twilio, receiver))
    booked = wired.book(phone, THURSDAY_10)
    moving = {"appointment_code": booked.code, "appointment_date": "2026-11-27",
              "appointment_time": "11:00", "reschedule_confirmed": True}
    [reply] = said(phone, ActionRescheduleAppointment(), moving)
    assert reply["response"] == "utter_reschedule_done"
    [text] = twilio.wait_for(AGENT_WHATSAPP, 1)
    assert f"🔁 Cita cambiada {booked.code}" in text
    assert "Antes: jueves 26 de noviembre, 10:00\nAhora: viernes 27 de noviembre, 11:00" in text
    body = signed_json(receiver.wait_for(1)[0])
    assert body["event"] == "appointment.rescheduled" and body["code"] == booked.code
    assert body["previous_start"] == "2026-11-26T10:00:00-06:00"
    assert body["start"] == "2026-11-27T11:00:00-06:00"
    assert body["customer_name"] == "Ana Pérez"  # none stored: the conversation's


def test_a_cancellation_says_which_time_was_freed(phone, wired, wire, twilio, receiver):
    wire(both(twilio, receiver))
    booked = wired.book(phone, THURSDAY_10, customer_name="Ana")
    cancelling = {"appointment_code": booked.code, "cancellation_confirmed": True}
    [reply] = said(phone, ActionCancelAppointment(), cancelling, profile_name=None)
    assert reply["response"] == "utter_cancellation_done"
    [text] = twilio.wait_for(AGENT_WHATSAPP, 1)
    assert text.startswith(f"🗑️ Cita cancelada {booked.code}\nCliente: Ana (")
    assert "Era: jueves 26 de noviembre, 10:00" in text
    body = signed_json(receiver.wait_for(1)[0])
    assert (body["event"], body["start"]) == ("appointment.cancelled", "2026-11-26T10:00:00-06:00")


def test_business_notify_picks_the_changes_that_are_sent(phone, wired, wire, twilio, receiver):
    wire(both(twilio, receiver), business_notify="cancelled")
    said(phone, ActionBookAppointment(), BOOK)
    [booked] = wired.upcoming(phone)
    said(phone, ActionCancelAppointment(), {"appointment_code": booked.code,
                                            "cancellation_confirmed": True})
    [text] = twilio.wait_for(AGENT_WHATSAPP, 1)  # same code: in order, booking first
    assert text.startswith("🗑️ Cita cancelada")
    assert [r["json"]["event"] for r in receiver.wait_for(1)] == ["appointment.cancelled"]


def test_none_sends_nothing(phone, wired, wire, twilio, receiver):
    wire(both(twilio, receiver), business_notify="none")
    said(phone, ActionBookAppointment(), BOOK)
    assert services.notice_worker().drain(5) == 0
    assert twilio.sent == [] and receiver.requests == []
    assert len(wired.upcoming(phone)) == 1


def test_a_dead_or_broken_notifier_changes_nothing_the_user_reads(phone, wired, wire, twilio,
                                                                 receiver, monkeypatch):
    wire(Notifiers([]))
    quiet = said(phone, ActionBookAppointment(), BOOK)
    wired.cancel(phone, wired.upcoming(phone)[0].code)
    twilio.failures = [400]  # Twilio refuses; the webhook's port is closed
    wire(both(twilio, receiver, url=closed_port_url()))
    dead = said(phone, ActionBookAppointment(), BOOK)
    assert services.notice_worker().drain(10) == 0
    assert [m["response"] for m in dead] == [m["response"] for m in quiet]
    assert twilio.sent == [] and len(wired.upcoming(phone)) == 1
    monkeypatch.setattr(services, "notifiers", lambda: 1 / 0)  # broken wiring
    [booked] = wired.upcoming(phone)
    broken = said(phone, ActionCancelAppointment(), {"appointment_code": booked.code,
                                                     "cancellation_confirmed": True})
    assert [m["response"] for m in broken] == ["utter_cancellation_done"]


def test_a_slow_notifier_does_not_delay_the_reply(phone, wired, wire, twilio, receiver):
    receiver.delay_seconds = 2.0
    wire(both(twilio, receiver))
    began = time.monotonic()
    [reply] = said(phone, ActionBookAppointment(), BOOK)
    assert time.monotonic() - began < 1.5 and reply["response"] == "utter_booking_done"
    assert services.notice_worker().drain(10) == 0
    assert len(receiver.requests) == 1  # it still arrives, later
