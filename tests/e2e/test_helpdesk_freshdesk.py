"""Freshdesk, both ways, through the real stack (tests/e2e/helpdesk_stack.py with
HELPDESK=freshdesk against the local fake Freshdesk): a WhatsApp user's handoff opens a
chat ticket with the summary and the transcript as its description, what they write next
becomes a private note, an agent's reply (the "Reply is sent" automation rule's webhook)
reaches their WhatsApp once, even redelivered, and a private note's does not; "Resolved"
brings the bot back; forged webhooks change nothing; with Freshdesk down the user is told
their request is registered, the case waits here and the worker opens the ticket later; a
case given back by the user ("menú") is resolved in Freshdesk by the worker."""
import pytest

from tests.e2e.agents import BACK, quiet
from tests.e2e.helpdesk_steps import (
    WAITING, assert_back_with_the_bot, assert_forgeries_refused, assert_with_the_agent, e164,
    hand_over, handed_over, handed_over_while_down, serve_stack, user_goes_back_to_the_bot,
    user_writes, worker_retries,
)
from tests.fakes.freshdesk_api import FakeFreshdesk


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from serve_stack(tmp_path_factory, FakeFreshdesk())


def test_a_whatsapp_handoff_round_trip_through_freshdesk(stack, phone):
    freshdesk = stack.fake
    url = stack.webhook_url("freshdesk")
    handed_over(stack, phone)
    ticket = freshdesk.ticket_of(e164(phone))
    assert (ticket["status"], ticket["source"], ticket["name"]) == (2, 7, "Ana")
    assert e164(phone) in ticket["description"] and "Cliente: hola" in ticket["description"]
    assert freshdesk.violations == []

    # what the user writes now is a private note (and the bot stays quiet after one notice)
    user_writes(stack, phone)
    [note] = freshdesk.wait_for_notes(ticket["id"], 1)
    assert note["private"] is True and WAITING in note["body"]

    # the agent replies in Freshdesk: it reaches WhatsApp, once
    reply = freshdesk.agent_reply(ticket["id"], "<div>¡Hola, Ana! Soy Laura 🙋</div>",
                                  updated_at="Wed, 25 Nov 2026 16:05:00 +0000")
    answered = freshdesk.send_webhook(url, reply)
    assert answered.status_code == 200, answered.text
    assert stack.twilio.wait_for(phone, 5)[4] == "¡Hola, Ana! Soy Laura 🙋"
    again = freshdesk.send_webhook(url, reply)
    assert again.status_code == 200 and again.json()["status"] == "replay"
    private = freshdesk.agent_reply(ticket["id"], "nota interna",
                                    triggered_event="{note_type:private}")
    assert freshdesk.send_webhook(url, private).status_code == 200
    assert_with_the_agent(stack, phone)

    # resolved in Freshdesk: the bot is back and says so
    resolved = freshdesk.send_webhook(url, freshdesk.status_changed(ticket["id"], to=4))
    assert resolved.status_code == 200, resolved.text
    assert BACK in stack.twilio.wait_for(phone, 6)[5]
    assert_back_with_the_bot(stack, phone, 6)
    # closing it afterwards asks nothing more
    closed = freshdesk.send_webhook(url, freshdesk.status_changed(ticket["id"], to=5, previous=4))
    assert closed.status_code == 200 and quiet(stack, phone, 1.0) == []


def test_forged_or_broken_webhooks_change_nothing(stack, phone):
    freshdesk = stack.fake
    hand_over(stack, phone)
    ticket = freshdesk.ticket_of(e164(phone))
    url = stack.webhook_url("freshdesk")
    forged = freshdesk.agent_reply(ticket["id"], "Dame tu contraseña")
    assert_forgeries_refused(freshdesk, url, forged, with_header=False)
    assert freshdesk.send_webhook(url + "/not-the-secret", forged,
                                  with_header=False).status_code == 403
    give_back = freshdesk.status_changed(ticket["id"])
    assert freshdesk.send_webhook(url, give_back, with_header=False).status_code == 401
    assert_with_the_agent(stack, phone)

    # the secret path works for a rule without the custom header
    kept = freshdesk.agent_reply(ticket["id"], "Sigo aquí")
    path = f"{url}/{freshdesk.webhook_secret}"
    assert freshdesk.send_webhook(path, kept, with_header=False).status_code == 200
    assert stack.twilio.wait_for(phone, 4)[3] == "Sigo aquí"


def test_freshdesk_down_at_handoff_keeps_the_case_and_the_worker_opens_it(stack, phone):
    freshdesk = stack.fake
    freshdesk.failures = [503]
    case = handed_over_while_down(stack, phone, freshdesk.ticket_of)
    worker_retries(stack)
    ticket = freshdesk.ticket_of(e164(phone))
    assert "sigo esperando" in ticket["description"] and f"#{case['id']}" in ticket["subject"]
    assert freshdesk.violations == []

    # the user goes back to the bot: the worker resolves the ticket in Freshdesk
    user_goes_back_to_the_bot(stack, phone)
    assert freshdesk.tickets[ticket["id"]]["status"] == 4
