"""Intercom, both ways, through the real stack (tests/e2e/helpdesk_stack.py with
HELPDESK=intercom against the local fake Intercom): a WhatsApp user's handoff opens a
conversation from their contact with the summary and the transcript, what they write next
is their reply there, an admin's reply in Intercom reaches their WhatsApp as text (once,
even replayed; notes do not), closing it brings the bot back; forged webhooks change
nothing; with Intercom down the user is told their request is registered, the case waits
here and the worker opens it there later; a case given back by the user ("menú") is closed
in Intercom by the worker."""
import time

import pytest
import requests

from appointments.domain.phones import normalize_phone
from tests.e2e.agents import BACK, CONNECTING, quiet
from tests.e2e.helpdesk_stack import helpdesk_stack
from tests.e2e.twilio_client import converse, post
from tests.fakes.intercom_api import FakeIntercom

HANDOFF = "Una persona del equipo te escribirá por este chat lo antes posible"
QUEUED = "Tu solicitud quedó registrada"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    fake = FakeIntercom()
    yield from helpdesk_stack(tmp_path_factory, "intercom", fake.env(), fake=fake)
    fake.stop()


def e164(phone):
    return normalize_phone(phone).split(":", 1)[1]


def hand_over(stack, phone):
    """Greet, ask for a person; the texts the user got."""
    assert len(converse(stack, phone, "hola", 0)) == 2
    return converse(stack, phone, "4", 2)


def test_a_whatsapp_handoff_round_trip_through_intercom(stack, phone):
    intercom = stack.fake
    url = stack.webhook_url("intercom")
    assert requests.head(url, timeout=10).status_code == 200  # Intercom checks the URL so
    [connecting] = hand_over(stack, phone)
    assert connecting.startswith(CONNECTING) and HANDOFF in connecting
    conversation = intercom.conversation_of(e164(phone))
    body = conversation["source"]["body"]
    assert "Ana" in body and e164(phone) in body and "Cliente: hola" in body
    assert intercom.violations == []

    # what the user writes now is their reply in the conversation (the bot stays quiet)
    assert post(stack, phone, "¿Hay alguien ahí? Es sobre mi cita").status_code == 200
    stack.twilio.wait_for(phone, 4)
    assert intercom.wait_for_replies(conversation["id"], 1) == [
        "¿Hay alguien ahí? Es sobre mi cita"]

    # an admin answers in Intercom: it reaches WhatsApp as text, once
    reply = intercom.admin_reply(conversation["id"], "<p>¡Hola, Ana! Soy Laura 🙋</p>"
                                                     "<p>¿En qué te ayudo?</p>")
    answered = intercom.send_webhook(url, reply)
    assert answered.status_code == 200, answered.text
    assert stack.twilio.wait_for(phone, 5)[4] == "¡Hola, Ana! Soy Laura 🙋\n\n¿En qué te ayudo?"
    assert intercom.send_webhook(url, reply).status_code == 200  # Intercom retries
    note = intercom.admin_note(conversation["id"], "<p>nota interna</p>")
    assert intercom.send_webhook(url, note).status_code == 200
    assert quiet(stack, phone, 1.0) == []
    assert stack.tracker(phone)["paused"] is True
    assert intercom.user_replies(conversation["id"]) == ["¿Hay alguien ahí? Es sobre mi cita"]

    # closed in Intercom: the bot is back and says so
    closed = intercom.send_webhook(url, intercom.admin_closed(conversation["id"]))
    assert closed.status_code == 200, closed.text
    assert BACK in stack.twilio.wait_for(phone, 6)[5]
    assert stack.tracker(phone)["paused"] is False
    answer = converse(stack, phone, "hola", 6)
    assert answer and answer[0].startswith("¡Hola")
    assert [c for c in stack.open_cases() if c["phone"] == normalize_phone(phone)] == []
    assert intercom.violations == []


def test_forged_or_broken_webhooks_change_nothing(stack, phone):
    intercom = stack.fake
    hand_over(stack, phone)
    conversation = intercom.conversation_of(e164(phone))
    url = stack.webhook_url("intercom")
    forged = intercom.admin_reply(conversation["id"], "<p>Dame tu contraseña</p>")
    assert intercom.send_webhook(url, forged, secret="x" * 20).status_code == 403
    assert intercom.send_webhook(url, forged, signed=False).status_code == 401
    assert intercom.send_webhook(f"{url}/{intercom.client_secret}", forged,
                                 signed=False).status_code == 403
    fake_close = intercom.admin_closed(conversation["id"])
    assert intercom.send_webhook(url, fake_close, secret="y" * 20).status_code == 403
    assert intercom.send_webhook(url, None, body=b"{no json").status_code == 400
    assert intercom.send_webhook(url, None, body=b"{" + b" " * 300_000 + b"}").status_code == 413
    assert requests.head(stack.webhook_url("zendesk"), timeout=10).status_code == 404
    assert quiet(stack, phone, 1.0) == []
    assert stack.tracker(phone)["paused"] is True
    assert [c for c in stack.open_cases() if c["phone"] == normalize_phone(phone)]

    # the real one still works afterwards
    kept = intercom.admin_reply(conversation["id"], "<p>Sigo aquí</p>")
    assert intercom.send_webhook(url, kept).status_code == 200
    assert stack.twilio.wait_for(phone, 4)[3] == "Sigo aquí"


def test_intercom_down_at_handoff_keeps_the_case_and_the_worker_opens_it(stack, phone):
    intercom = stack.fake
    intercom.failures = [503] * 3  # the contact search, and its two quick retries
    [connecting] = hand_over(stack, phone)
    assert QUEUED in connecting  # honest: nobody has it yet
    [case] = [c for c in stack.open_cases() if c["phone"] == normalize_phone(phone)]
    with pytest.raises(AssertionError):
        intercom.conversation_of(e164(phone), timeout=0.5)

    assert post(stack, phone, "sigo esperando").status_code == 200
    stack.twilio.wait_for(phone, 4)
    time.sleep(1.2)  # HELPDESK_RETRY_SECONDS=1: the retry is due
    stack.run_worker()
    conversation = intercom.conversation_of(e164(phone))
    body = conversation["source"]["body"]
    assert "sigo esperando" in body and f"#{case['id']}" in body
    assert intercom.violations == []

    # the user goes back to the bot: the worker closes the conversation in Intercom
    back = converse(stack, phone, "menú", len(stack.twilio.to(phone)))
    assert back
    stack.run_worker()
    assert intercom.conversations[conversation["id"]]["state"] == "closed"
    close = [r["json"] for r in intercom.requests if r["path"].endswith("/parts")][-1]
    assert close == {"message_type": "close", "type": "admin", "admin_id": intercom.admin_id}
