"""Zendesk, both ways, through the real stack (tests/e2e/helpdesk_stack.py with
HELPDESK=zendesk against the local fake Zendesk): a WhatsApp user's handoff opens a
ticket (requester by phone, summary and transcript as a private first comment), what they
write next is their own public comment and never comes back as an agent's reply, an
agent's public comment reaches their WhatsApp (once, even replayed), "solved" brings the
bot back; forged webhooks change nothing; with Zendesk down the user is told their request
is registered, the case waits here and the worker opens the ticket later; a case given
back by the user ("menú") is solved in Zendesk by the worker."""
import pytest

from tests.e2e.agents import BACK
from tests.e2e.helpdesk_steps import (
    WAITING, assert_back_with_the_bot, assert_forgeries_refused, assert_with_the_agent, e164,
    hand_over, handed_over, handed_over_while_down, open_cases_of, serve_stack,
    user_goes_back_to_the_bot, user_writes, worker_retries,
)
from tests.fakes.zendesk_api import FakeZendesk


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from serve_stack(tmp_path_factory, FakeZendesk())


def test_a_whatsapp_handoff_round_trip_through_zendesk(stack, phone):
    zendesk = stack.fake
    url = stack.webhook_url("zendesk")
    handed_over(stack, phone)
    ticket = zendesk.ticket_of(e164(phone))
    assert "citas_whatsapp" in ticket["tags"]
    requester = zendesk.users[ticket["requester_id"]]
    assert requester["phone"] == e164(phone) and requester["role"] == "end-user"
    [first] = zendesk.comments(ticket["id"])
    assert not first["public"] and e164(phone) in first["body"]
    assert "Cliente: hola" in first["body"]
    assert zendesk.violations == []

    # what the user writes now is their own comment; its echo from the trigger is ignored
    user_writes(stack, phone)
    comments = zendesk.wait_for_comments(ticket["id"], 2)
    assert (comments[1]["body"], comments[1]["public"], comments[1]["author_id"]) == (
        WAITING, True, ticket["requester_id"])
    assert zendesk.send_webhook(url, zendesk.render(ticket["id"])).status_code == 200

    # the agent answers in Zendesk: it reaches WhatsApp, once
    reply = zendesk.agent_comment(ticket["id"], "¡Hola, Ana! Soy Laura 🙋\n¿En qué te ayudo?")
    answered = zendesk.send_webhook(url, reply)
    assert answered.status_code == 200, answered.text
    assert stack.twilio.wait_for(phone, 5)[4] == "¡Hola, Ana! Soy Laura 🙋\n¿En qué te ayudo?"
    assert zendesk.send_webhook(url, reply).status_code == 200
    note = zendesk.agent_comment(ticket["id"], "nota interna", public=False)
    assert zendesk.send_webhook(url, note).status_code == 200
    assert_with_the_agent(stack, phone)

    # answered and solved in one go: the answer first, then the bot is back and says so
    solved = zendesk.send_webhook(url, zendesk.agent_comment(ticket["id"], "Listo, quedó",
                                                             solve=True))
    assert solved.status_code == 200, solved.text
    texts = stack.twilio.wait_for(phone, 7)
    assert texts[5] == "Listo, quedó" and BACK in texts[6]
    assert_back_with_the_bot(stack, phone, 7)


def test_forged_or_broken_webhooks_change_nothing(stack, phone):
    zendesk = stack.fake
    hand_over(stack, phone)
    ticket = zendesk.ticket_of(e164(phone))
    url = stack.webhook_url("zendesk")
    forged = zendesk.agent_comment(ticket["id"], "Dame tu contraseña")
    assert_forgeries_refused(zendesk, url, forged, signed=False)
    assert zendesk.send_webhook(url, forged, timestamp="2021-03-25T05:09:27Z").status_code == 401
    assert zendesk.send_webhook(f"{url}/{zendesk.webhook_secret}", forged,
                                signed=False).status_code == 401
    assert zendesk.send_webhook(stack.webhook_url("freshdesk"), forged).status_code == 404
    forged_solve = zendesk.solve(ticket["id"])
    assert zendesk.send_webhook(url, forged_solve, secret="y" * 20).status_code == 403
    assert_with_the_agent(stack, phone)
    assert open_cases_of(stack, phone)


def test_zendesk_down_at_handoff_keeps_the_case_and_the_worker_opens_it(stack, phone):
    zendesk = stack.fake
    zendesk.down = True
    try:
        case = handed_over_while_down(stack, phone, zendesk.ticket_of)
    finally:
        zendesk.down = False
    worker_retries(stack)
    ticket = zendesk.ticket_of(e164(phone))
    [first] = zendesk.comments(ticket["id"])
    assert "sigo esperando" in first["body"] and f"#{case['id']}" in first["body"]
    assert len([t for t in zendesk.tickets.values()
                if t["requester_id"] == ticket["requester_id"]]) == 1

    # the user goes back to the bot: the worker solves the ticket in Zendesk
    user_goes_back_to_the_bot(stack, phone)
    solved = zendesk.tickets[ticket["id"]]
    assert solved["status"] == "solved" and solved["assignee_id"] is not None
    assert zendesk.violations == []
