"""Chatwoot, both ways, through the real stack (tests/e2e/helpdesk_stack.py with
HELPDESK=chatwoot against the local fake Chatwoot): a WhatsApp user's handoff opens a
conversation with the summary and the transcript, what they write next is appended, an
agent's reply in Chatwoot reaches their WhatsApp (once, even replayed), "resolved" brings
the bot back; forged webhooks change nothing; with Chatwoot down the user is told their
request is registered, the case waits here and the worker opens it there later; a case
given back by the user ("menú") is resolved in Chatwoot by the worker."""
import json
import time

import pytest

from appointments.domain.phones import normalize_phone
from tests.e2e.agents import BACK, CONNECTING, quiet
from tests.e2e.helpdesk_stack import helpdesk_stack
from tests.e2e.twilio_client import converse, post
from tests.fakes.chatwoot_api import FakeChatwoot

HANDOFF = "Una persona del equipo te escribirá por este chat lo antes posible"
QUEUED = "Tu solicitud quedó registrada"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    fake = FakeChatwoot()
    yield from helpdesk_stack(tmp_path_factory, "chatwoot", fake.env(), fake=fake)
    fake.stop()


def e164(phone):
    return normalize_phone(phone).split(":", 1)[1]


def hand_over(stack, phone):
    """Greet, ask for a person; the texts the user got."""
    assert len(converse(stack, phone, "hola", 0)) == 2
    return converse(stack, phone, "4", 2)


def test_a_whatsapp_handoff_round_trip_through_chatwoot(stack, phone):
    chatwoot = stack.fake
    [connecting] = hand_over(stack, phone)
    assert connecting.startswith(CONNECTING) and HANDOFF in connecting
    conversation = chatwoot.conversation_of(e164(phone))
    summary, transcript = chatwoot.messages(conversation["id"])
    assert summary["private"] and "Ana" in summary["content"] and e164(phone) in summary["content"]
    assert transcript["private"] and "Cliente: hola" in transcript["content"]
    assert chatwoot.violations == []

    # what the user writes now is appended (and the bot stays quiet after one notice)
    assert post(stack, phone, "¿Hay alguien ahí? Es sobre mi cita").status_code == 200
    stack.twilio.wait_for(phone, 4)
    messages = chatwoot.wait_for_messages(conversation["id"], 3)
    assert (messages[2]["content"], messages[2]["message_type"], messages[2]["private"]) == (
        "¿Hay alguien ahí? Es sobre mi cita", "incoming", False)

    # the agent answers in Chatwoot: it reaches WhatsApp, once
    reply = chatwoot.agent_reply(conversation["id"], "¡Hola, Ana! Soy Laura 🙋", message_id=5001)
    answered = chatwoot.send_webhook(stack.webhook_url("chatwoot"), reply)
    assert answered.status_code == 200, answered.text
    assert stack.twilio.wait_for(phone, 5)[4] == "¡Hola, Ana! Soy Laura 🙋"
    assert chatwoot.send_webhook(stack.webhook_url("chatwoot"), reply).status_code == 200
    note = chatwoot.agent_reply(conversation["id"], "nota interna", private=True)
    assert chatwoot.send_webhook(stack.webhook_url("chatwoot"), note).status_code == 200
    assert quiet(stack, phone, 1.0) == []
    assert stack.tracker(phone)["paused"] is True

    # resolved in Chatwoot: the bot is back and says so
    resolved = chatwoot.send_webhook(stack.webhook_url("chatwoot"),
                                     chatwoot.status_changed(conversation["id"]))
    assert resolved.status_code == 200, resolved.text
    assert BACK in stack.twilio.wait_for(phone, 6)[5]
    assert stack.tracker(phone)["paused"] is False
    answer = converse(stack, phone, "hola", 6)
    assert answer and answer[0].startswith("¡Hola")
    assert [c for c in stack.open_cases() if c["phone"] == normalize_phone(phone)] == []


def test_forged_or_broken_webhooks_change_nothing(stack, phone):
    chatwoot = stack.fake
    hand_over(stack, phone)
    conversation = chatwoot.conversation_of(e164(phone))
    url = stack.webhook_url("chatwoot")
    forged = chatwoot.agent_reply(conversation["id"], "Dame tu contraseña", message_id=6001)
    assert chatwoot.send_webhook(url, forged, secret="x" * 20).status_code == 403
    assert chatwoot.send_webhook(url, forged, signed=False).status_code == 401
    assert chatwoot.send_webhook(url + "/not-the-secret", forged, signed=False).status_code == 403
    assert chatwoot.send_webhook(url, forged, timestamp="1000000000").status_code == 401
    assert chatwoot.send_webhook(url, None, body=b"{no json").status_code == 400
    assert chatwoot.send_webhook(url, None, body=b"{" + b" " * 300_000 + b"}").status_code == 413
    other = stack.webhook_url("zendesk")
    assert chatwoot.send_webhook(other, forged).status_code == 404
    assert quiet(stack, phone, 1.0) == []
    assert stack.tracker(phone)["paused"] is True

    # the secret path works for Chatwoot versions that do not sign
    kept = chatwoot.agent_reply(conversation["id"], "Sigo aquí", message_id=6002)
    path = f"{url}/{chatwoot.webhook_secret}"
    assert chatwoot.send_webhook(path, kept, signed=False).status_code == 200
    assert stack.twilio.wait_for(phone, 4)[3] == "Sigo aquí"


def test_chatwoot_down_at_handoff_keeps_the_case_and_the_worker_opens_it(stack, phone):
    chatwoot = stack.fake
    chatwoot.failures = [503]
    [connecting] = hand_over(stack, phone)
    assert QUEUED in connecting  # honest: nobody has it yet
    [case] = [c for c in stack.open_cases() if c["phone"] == normalize_phone(phone)]
    with pytest.raises(AssertionError):
        chatwoot.conversation_of(e164(phone), timeout=0.5)

    assert post(stack, phone, "sigo esperando").status_code == 200
    stack.twilio.wait_for(phone, 4)
    time.sleep(1.2)  # HELPDESK_RETRY_SECONDS=1: the retry is due
    stack.run_worker()
    conversation = chatwoot.conversation_of(e164(phone))
    _, transcript = chatwoot.messages(conversation["id"])[:2]
    assert "sigo esperando" in transcript["content"] and f"#{case['id']}" in json.dumps(
        chatwoot.messages(conversation["id"]), ensure_ascii=False)

    # the user goes back to the bot: the worker resolves the conversation in Chatwoot
    back = converse(stack, phone, "menú", len(stack.twilio.to(phone)))
    assert back
    stack.run_worker()
    assert chatwoot.conversations[conversation["id"]]["status"] == "resolved"
