"""Intercom, both ways, through the real stack (tests/e2e/helpdesk_stack.py with
HELPDESK=intercom against the local fake Intercom): a WhatsApp user's handoff opens a
conversation from their contact with the summary and the transcript, what they write next
is their reply there, an admin's reply in Intercom reaches their WhatsApp as text (once,
even replayed; notes do not), closing it brings the bot back; forged webhooks change
nothing; with Intercom down the user is told their request is registered, the case waits
here and the worker opens it there later; a case given back by the user ("menú") is closed
in Intercom by the worker."""
import pytest
import requests

from tests.e2e.agents import BACK
from tests.e2e.helpdesk_steps import (
    WAITING, assert_back_with_the_bot, assert_forgeries_refused, assert_with_the_agent, e164,
    hand_over, handed_over, handed_over_while_down, open_cases_of, serve_stack,
    user_goes_back_to_the_bot, user_writes, worker_retries,
)
from tests.fakes.intercom_api import FakeIntercom


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from serve_stack(tmp_path_factory, FakeIntercom())


def test_a_whatsapp_handoff_round_trip_through_intercom(stack, phone):
    intercom = stack.fake
    url = stack.webhook_url("intercom")
    assert requests.head(url, timeout=10).status_code == 200  # Intercom checks the URL so
    handed_over(stack, phone)
    conversation = intercom.conversation_of(e164(phone))
    body = conversation["source"]["body"]
    assert "Ana" in body and e164(phone) in body and "Cliente: hola" in body
    assert intercom.violations == []

    # what the user writes now is their reply in the conversation (the bot stays quiet)
    user_writes(stack, phone)
    assert intercom.wait_for_replies(conversation["id"], 1) == [WAITING]

    # an admin answers in Intercom: it reaches WhatsApp as text, once
    reply = intercom.admin_reply(conversation["id"], "<p>¡Hola, Ana! Soy Laura 🙋</p>"
                                                     "<p>¿En qué te ayudo?</p>")
    answered = intercom.send_webhook(url, reply)
    assert answered.status_code == 200, answered.text
    assert stack.twilio.wait_for(phone, 5)[4] == "¡Hola, Ana! Soy Laura 🙋\n\n¿En qué te ayudo?"
    assert intercom.send_webhook(url, reply).status_code == 200  # Intercom retries
    note = intercom.admin_note(conversation["id"], "<p>nota interna</p>")
    assert intercom.send_webhook(url, note).status_code == 200
    assert_with_the_agent(stack, phone)
    assert intercom.user_replies(conversation["id"]) == [WAITING]

    # closed in Intercom: the bot is back and says so
    closed = intercom.send_webhook(url, intercom.admin_closed(conversation["id"]))
    assert closed.status_code == 200, closed.text
    assert BACK in stack.twilio.wait_for(phone, 6)[5]
    assert_back_with_the_bot(stack, phone, 6)
    assert intercom.violations == []


def test_forged_or_broken_webhooks_change_nothing(stack, phone):
    intercom = stack.fake
    hand_over(stack, phone)
    conversation = intercom.conversation_of(e164(phone))
    url = stack.webhook_url("intercom")
    forged = intercom.admin_reply(conversation["id"], "<p>Dame tu contraseña</p>")
    assert_forgeries_refused(intercom, url, forged, signed=False)
    assert intercom.send_webhook(f"{url}/{intercom.client_secret}", forged,
                                 signed=False).status_code == 403
    fake_close = intercom.admin_closed(conversation["id"])
    assert intercom.send_webhook(url, fake_close, secret="y" * 20).status_code == 403
    assert requests.head(stack.webhook_url("zendesk"), timeout=10).status_code == 404
    assert_with_the_agent(stack, phone)
    assert open_cases_of(stack, phone)

    # the real one still works afterwards
    kept = intercom.admin_reply(conversation["id"], "<p>Sigo aquí</p>")
    assert intercom.send_webhook(url, kept).status_code == 200
    assert stack.twilio.wait_for(phone, 4)[3] == "Sigo aquí"


def test_intercom_down_at_handoff_keeps_the_case_and_the_worker_opens_it(stack, phone):
    intercom = stack.fake
    intercom.failures = [503] * 3  # the contact search, and its two quick retries
    case = handed_over_while_down(stack, phone, intercom.conversation_of)
    worker_retries(stack)
    conversation = intercom.conversation_of(e164(phone))
    body = conversation["source"]["body"]
    assert "sigo esperando" in body and f"#{case['id']}" in body
    assert intercom.violations == []

    # the user goes back to the bot: the worker closes the conversation in Intercom
    user_goes_back_to_the_bot(stack, phone)
    assert intercom.conversations[conversation["id"]]["state"] == "closed"
    close = [r["json"] for r in intercom.requests if r["path"].endswith("/parts")][-1]
    assert close == {"message_type": "close", "type": "admin", "admin_id": intercom.admin_id}
