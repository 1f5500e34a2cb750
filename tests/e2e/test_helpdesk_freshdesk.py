"""Freshdesk, both ways, through the real stack (tests/e2e/helpdesk_stack.py with
HELPDESK=freshdesk against the local fake Freshdesk): a WhatsApp user's handoff opens a
chat ticket with the summary and the transcript as its description, what they write next
becomes a private note, an agent's reply (the "Reply is sent" automation rule's webhook)
reaches their WhatsApp once, even redelivered, and a private note's does not; "Resolved"
brings the bot back; forged webhooks change nothing; with Freshdesk down the user is told
their request is registered, the case waits here and the worker opens the ticket later; a
case given back by the user ("menú") is resolved in Freshdesk by the worker."""
import time

import pytest

from appointments.domain.phones import normalize_phone
from tests.e2e.agents import BACK, CONNECTING, quiet
from tests.e2e.helpdesk_stack import helpdesk_stack
from tests.e2e.twilio_client import converse, post
from tests.fakes.freshdesk_api import FakeFreshdesk

HANDOFF = "Una persona del equipo te escribirá por este chat lo antes posible"
QUEUED = "Tu solicitud quedó registrada"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    fake = FakeFreshdesk()
    yield from helpdesk_stack(tmp_path_factory, "freshdesk", fake.env(), fake=fake)
    fake.stop()


def e164(phone):
    return normalize_phone(phone).split(":", 1)[1]


def hand_over(stack, phone):
    """Greet, ask for a person; the texts the user got."""
    assert len(converse(stack, phone, "hola", 0)) == 2
    return converse(stack, phone, "4", 2)


def test_a_whatsapp_handoff_round_trip_through_freshdesk(stack, phone):
    freshdesk = stack.fake
    url = stack.webhook_url("freshdesk")
    [connecting] = hand_over(stack, phone)
    assert connecting.startswith(CONNECTING) and HANDOFF in connecting
    ticket = freshdesk.ticket_of(e164(phone))
    assert (ticket["status"], ticket["source"], ticket["name"]) == (2, 7, "Ana")
    assert e164(phone) in ticket["description"] and "Cliente: hola" in ticket["description"]
    assert freshdesk.violations == []

    # what the user writes now is a private note (and the bot stays quiet after one notice)
    assert post(stack, phone, "¿Hay alguien ahí? Es sobre mi cita").status_code == 200
    stack.twilio.wait_for(phone, 4)
    [note] = freshdesk.wait_for_notes(ticket["id"], 1)
    assert note["private"] is True and "¿Hay alguien ahí? Es sobre mi cita" in note["body"]

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
    assert quiet(stack, phone, 1.0) == []
    assert stack.tracker(phone)["paused"] is True

    # resolved in Freshdesk: the bot is back and says so
    resolved = freshdesk.send_webhook(url, freshdesk.status_changed(ticket["id"], to=4))
    assert resolved.status_code == 200, resolved.text
    assert BACK in stack.twilio.wait_for(phone, 6)[5]
    assert stack.tracker(phone)["paused"] is False
    answer = converse(stack, phone, "hola", 6)
    assert answer and answer[0].startswith("¡Hola")
    assert [c for c in stack.open_cases() if c["phone"] == normalize_phone(phone)] == []
    # closing it afterwards asks nothing more
    closed = freshdesk.send_webhook(url, freshdesk.status_changed(ticket["id"], to=5, previous=4))
    assert closed.status_code == 200 and quiet(stack, phone, 1.0) == []


def test_forged_or_broken_webhooks_change_nothing(stack, phone):
    freshdesk = stack.fake
    hand_over(stack, phone)
    ticket = freshdesk.ticket_of(e164(phone))
    url = stack.webhook_url("freshdesk")
    forged = freshdesk.agent_reply(ticket["id"], "Dame tu contraseña")
    assert freshdesk.send_webhook(url, forged, secret="x" * 20).status_code == 403
    assert freshdesk.send_webhook(url, forged, with_header=False).status_code == 401
    assert freshdesk.send_webhook(url + "/not-the-secret", forged,
                                  with_header=False).status_code == 403
    give_back = freshdesk.status_changed(ticket["id"])
    assert freshdesk.send_webhook(url, give_back, with_header=False).status_code == 401
    assert freshdesk.send_webhook(url, None, body=b"{no json").status_code == 400
    assert freshdesk.send_webhook(url, None, body=b"{" + b" " * 300_000 + b"}").status_code == 413
    assert quiet(stack, phone, 1.0) == []
    assert stack.tracker(phone)["paused"] is True

    # the secret path works for a rule without the custom header
    kept = freshdesk.agent_reply(ticket["id"], "Sigo aquí")
    path = f"{url}/{freshdesk.webhook_secret}"
    assert freshdesk.send_webhook(path, kept, with_header=False).status_code == 200
    assert stack.twilio.wait_for(phone, 4)[3] == "Sigo aquí"


def test_freshdesk_down_at_handoff_keeps_the_case_and_the_worker_opens_it(stack, phone):
    freshdesk = stack.fake
    freshdesk.failures = [503]
    [connecting] = hand_over(stack, phone)
    assert QUEUED in connecting  # honest: nobody has it yet
    [case] = [c for c in stack.open_cases() if c["phone"] == normalize_phone(phone)]
    with pytest.raises(AssertionError):
        freshdesk.ticket_of(e164(phone), timeout=0.5)

    assert post(stack, phone, "sigo esperando").status_code == 200
    stack.twilio.wait_for(phone, 4)
    time.sleep(1.2)  # HELPDESK_RETRY_SECONDS=1: the retry is due
    stack.run_worker()
    ticket = freshdesk.ticket_of(e164(phone))
    assert "sigo esperando" in ticket["description"] and f"#{case['id']}" in ticket["subject"]
    assert freshdesk.violations == []

    # the user goes back to the bot: the worker resolves the ticket in Freshdesk
    back = converse(stack, phone, "menú", len(stack.twilio.to(phone)))
    assert back
    stack.run_worker()
    assert freshdesk.tickets[ticket["id"]]["status"] == 4
