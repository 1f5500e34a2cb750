"""Chatwoot, both ways, through the real stack (tests/e2e/helpdesk_stack.py with
HELPDESK=chatwoot against the local fake Chatwoot): a WhatsApp user's handoff opens a
conversation with the summary and the transcript, what they write next is appended, an
agent's reply in Chatwoot reaches their WhatsApp (once, even replayed), "resolved" brings
the bot back; forged webhooks change nothing; with Chatwoot down the user is told their
request is registered, the case waits here and the worker opens it there later; a case
given back by the user ("menú") is resolved in Chatwoot by the worker."""
import json

import pytest

from tests.e2e.agents import BACK
from tests.e2e.helpdesk_steps import (
    WAITING, assert_back_with_the_bot, assert_forgeries_refused, assert_with_the_agent, e164,
    hand_over, handed_over, handed_over_while_down, serve_stack, user_goes_back_to_the_bot,
    user_writes, worker_retries,
)
from tests.fakes.chatwoot_api import FakeChatwoot


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from serve_stack(tmp_path_factory, FakeChatwoot())


def test_a_whatsapp_handoff_round_trip_through_chatwoot(stack, phone):
    chatwoot = stack.fake
    url = stack.webhook_url("chatwoot")
    handed_over(stack, phone)
    conversation = chatwoot.conversation_of(e164(phone))
    summary, transcript = chatwoot.messages(conversation["id"])
    assert summary["private"] and "Ana" in summary["content"] and e164(phone) in summary["content"]
    assert transcript["private"] and "Cliente: hola" in transcript["content"]
    assert chatwoot.violations == []

    # what the user writes now is appended (and the bot stays quiet after one notice)
    user_writes(stack, phone)
    messages = chatwoot.wait_for_messages(conversation["id"], 3)
    assert (messages[2]["content"], messages[2]["message_type"], messages[2]["private"]) == (
        WAITING, "incoming", False)

    # the agent answers in Chatwoot: it reaches WhatsApp, once
    reply = chatwoot.agent_reply(conversation["id"], "¡Hola, Ana! Soy Laura 🙋", message_id=5001)
    answered = chatwoot.send_webhook(url, reply)
    assert answered.status_code == 200, answered.text
    assert stack.twilio.wait_for(phone, 5)[4] == "¡Hola, Ana! Soy Laura 🙋"
    assert chatwoot.send_webhook(url, reply).status_code == 200
    note = chatwoot.agent_reply(conversation["id"], "nota interna", private=True)
    assert chatwoot.send_webhook(url, note).status_code == 200
    assert_with_the_agent(stack, phone)

    # resolved in Chatwoot: the bot is back and says so
    resolved = chatwoot.send_webhook(url, chatwoot.status_changed(conversation["id"]))
    assert resolved.status_code == 200, resolved.text
    assert BACK in stack.twilio.wait_for(phone, 6)[5]
    assert_back_with_the_bot(stack, phone, 6)


def test_forged_or_broken_webhooks_change_nothing(stack, phone):
    chatwoot = stack.fake
    hand_over(stack, phone)
    conversation = chatwoot.conversation_of(e164(phone))
    url = stack.webhook_url("chatwoot")
    forged = chatwoot.agent_reply(conversation["id"], "Dame tu contraseña", message_id=6001)
    assert_forgeries_refused(chatwoot, url, forged, signed=False)
    assert chatwoot.send_webhook(url + "/not-the-secret", forged, signed=False).status_code == 403
    assert chatwoot.send_webhook(url, forged, timestamp="1000000000").status_code == 401
    other = stack.webhook_url("zendesk")
    assert chatwoot.send_webhook(other, forged).status_code == 404
    assert_with_the_agent(stack, phone)

    # the secret path works for Chatwoot versions that do not sign
    kept = chatwoot.agent_reply(conversation["id"], "Sigo aquí", message_id=6002)
    path = f"{url}/{chatwoot.webhook_secret}"
    assert chatwoot.send_webhook(path, kept, signed=False).status_code == 200
    assert stack.twilio.wait_for(phone, 4)[3] == "Sigo aquí"


def test_chatwoot_down_at_handoff_keeps_the_case_and_the_worker_opens_it(stack, phone):
    chatwoot = stack.fake
    chatwoot.failures = [503]
    case = handed_over_while_down(stack, phone, chatwoot.conversation_of)
    worker_retries(stack)
    conversation = chatwoot.conversation_of(e164(phone))
    _, transcript = chatwoot.messages(conversation["id"])[:2]
    assert "sigo esperando" in transcript["content"] and f"#{case['id']}" in json.dumps(
        chatwoot.messages(conversation["id"]), ensure_ascii=False)

    # the user goes back to the bot: the worker resolves the conversation in Chatwoot
    user_goes_back_to_the_bot(stack, phone)
    assert chatwoot.conversations[conversation["id"]]["status"] == "resolved"
