"""The Zendesk adapter over HTTP against the local fake of its API
(tests/fakes/zendesk_api.py, which checks Basic authentication, the paths and each
payload): opening a case (requester by phone, a ticket with the summary and the
transcript as its first, private comment, tags), the user's messages as their own public
comments, solving (with an assignee when Zendesk asks for one); 5xx retried without a
second ticket, 4xx not; and the webhooks: the signature, its timestamp, what is an
agent's reply and what is our own echo, "solved", and the trigger body the README gives."""
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from appointments.adapters.helpdesks.zendesk import TRIGGER_BODY, ZendeskSettings, signature
from appointments.domain.helpdesk import AgentReply, Ignored, InboundRequest, Resolved
from appointments.settings_values import SettingsError
from tests.fakes.zendesk_api import AGENT, API_USER, FakeZendesk
from tests.integration.helpdesk_adapters import (
    CASE, PHONE, TRANSCRIPT, assert_bad_credentials_refused, assert_open_kept_for_later,
    helpdesk_for, refusal, run, serve,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def zendesk():
    yield from serve(FakeZendesk())


def test_settings_need_the_account_and_build_the_url_from_the_subdomain():
    env = {"ZENDESK_SUBDOMAIN": "clinica-norte", "ZENDESK_EMAIL": "a@b.mx",
           "ZENDESK_API_TOKEN": "t", "ZENDESK_WEBHOOK_SECRET": "s" * 20}
    settings = ZendeskSettings.from_env(env)
    assert settings.url == "https://clinica-norte.zendesk.com"
    assert "s" * 20 not in repr(settings) and "api_token='t'" not in repr(settings)
    with pytest.raises(SettingsError, match="ZENDESK_SUBDOMAIN .*ZENDESK_API_TOKEN"):
        ZendeskSettings.from_env({"ZENDESK_EMAIL": "a@b.mx", "ZENDESK_WEBHOOK_SECRET": "s" * 20})
    with pytest.raises(SettingsError, match="ZENDESK_SUBDOMAIN"):
        ZendeskSettings.from_env({**env, "ZENDESK_SUBDOMAIN": "clinica.zendesk.com/x"})
    with pytest.raises(SettingsError, match="16"):
        ZendeskSettings.from_env({**env, "ZENDESK_WEBHOOK_SECRET": "short"})


def test_a_case_opens_a_ticket_with_the_requester_the_summary_and_the_transcript(zendesk):
    helpdesk = helpdesk_for(zendesk)
    ref = run(helpdesk, helpdesk.open(CASE, TRANSCRIPT))
    assert zendesk.violations == []
    ticket = zendesk.ticket_of(PHONE)
    assert ref == str(ticket["id"]) and ticket["status"] == "new"
    assert ticket["subject"].startswith("Solicitud de atención #12") and "Ana" in ticket["subject"]
    assert ticket["tags"] == ["citas_whatsapp", "asistente_handoff", "motivo_fallback"]
    assert ticket["external_id"] == "citas-caso-12"
    requester = zendesk.users[ticket["requester_id"]]
    assert (requester["name"], requester["phone"], requester["role"]) == ("Ana", PHONE, "end-user")
    [first] = zendesk.comments(ticket["id"])
    assert first["public"] is False
    assert "#12" in first["body"] and "crear una cita" in first["body"]
    assert "https://consola.example.com/agent/cases/12" in first["body"]
    assert "[16:00 UTC] Cliente: quiero una cita" in first["body"]
    assert "Asistente: ¿Para qué día?" in first["body"]
    assert [(r["method"], r["path"]) for r in zendesk.requests] == [
        ("POST", "/api/v2/users/create_or_update"), ("POST", "/api/v2/tickets")]
    auth = {r["headers"].get("Authorization") for r in zendesk.requests}
    assert len(auth) == 1 and auth.pop().startswith("Basic ")
    assert zendesk.requests[1]["headers"].get("Idempotency-Key")


def test_the_same_phone_is_the_same_requester_and_a_taken_phone_is_left_out(zendesk):
    first = helpdesk_for(zendesk)
    one = run(first, first.open(CASE, TRANSCRIPT))
    second = helpdesk_for(zendesk)
    two = run(second, second.open({**CASE, "id": 13, "profile_name": "Ana María"}, []))
    assert one != two and zendesk.violations == []
    assert zendesk.tickets[int(one)]["requester_id"] == zendesk.tickets[int(two)]["requester_id"]
    assert zendesk.users[zendesk.tickets[int(two)]["requester_id"]]["name"] == "Ana María"

    zendesk.users[99] = {"id": 99, "role": "end-user", "name": "Otro", "phone": "+525500000009",
                         "external_id": "crm-99"}
    third = helpdesk_for(zendesk)
    ref = run(third, third.open({**CASE, "id": 14, "phone": "whatsapp:+5215500000009"}, []))
    requester = zendesk.users[zendesk.tickets[int(ref)]["requester_id"]]
    assert requester["external_id"] == "whatsapp:+525500000009" and requester["phone"] is None


def test_user_messages_are_their_public_comments_and_solving_finds_an_assignee(zendesk):
    helpdesk = helpdesk_for(zendesk)

    async def go():
        ref = await helpdesk.open(CASE, [])
        await helpdesk.append_user_message(ref, "¿hay alguien?", CASE)
        return ref

    ref = run(helpdesk, go())
    ticket = zendesk.tickets[int(ref)]
    last = zendesk.comments(int(ref))[-1]
    assert (last["body"], last["public"], last["author_id"]) == (
        "¿hay alguien?", True, ticket["requester_id"])

    later = helpdesk_for(zendesk)  # another process: asks Zendesk who the requester is
    run(later, later.append_user_message(ref, "sigo aquí", CASE))
    assert zendesk.comments(int(ref))[-1]["author_id"] == ticket["requester_id"]
    assert ("GET", f"/api/v2/tickets/{ref}") in [(r["method"], r["path"]) for r in zendesk.requests]

    closer = helpdesk_for(zendesk)
    run(closer, closer.close(ref))
    assert (ticket["status"], ticket["assignee_id"]) == ("solved", API_USER["id"])
    assert zendesk.violations == []


def test_a_5xx_is_retried_without_a_second_ticket_and_a_4xx_is_not(zendesk):
    zendesk.lost = {"/api/v2/tickets": 1}  # made, but the answer is lost: retried, same key
    helpdesk = helpdesk_for(zendesk)
    ref = run(helpdesk, helpdesk.open(CASE, []))
    assert list(zendesk.tickets) == [int(ref)]
    posts = [r for r in zendesk.requests if r["path"] == "/api/v2/tickets"]
    assert len(posts) == 2 and len({r["headers"]["Idempotency-Key"] for r in posts}) == 1

    zendesk.down = True
    assert_open_kept_for_later(zendesk, CASE, zendesk.token)
    zendesk.down = False
    assert_bad_credentials_refused(zendesk, CASE, ZENDESK_API_TOKEN="wrong-token")


# --- webhooks ---------------------------------------------------------------------------

def opened(fake):
    helpdesk = helpdesk_for(fake)
    ref = run(helpdesk, helpdesk.open(CASE, TRANSCRIPT))
    return helpdesk_for(fake), int(ref)


def test_an_agents_public_comment_is_a_reply_and_solving_with_it_comes_after(zendesk):
    helpdesk, ticket = opened(zendesk)
    body = zendesk.agent_comment(ticket, 'Hola Ana, soy "Laura".\nTe escribo en un momento')
    [reply] = helpdesk.parse_webhook(zendesk.inbound(body))
    comment_id = zendesk.comments(ticket)[-1]["id"]
    assert reply == AgentReply(str(ticket), 'Hola Ana, soy "Laura".\nTe escribo en un momento',
                               f"comment:{comment_id}", "Laura")
    solved = zendesk.agent_comment(ticket, "Listo", solve=True)
    both = helpdesk.parse_webhook(zendesk.inbound(solved))
    assert [type(e) for e in both] == [AgentReply, Resolved] and both[0].text == "Listo"
    assert signature(zendesk.webhook_secret, "t", b"{}") == zendesk.sign(b"{}", "t")


def test_notes_our_own_comments_and_other_updates_are_ignored(zendesk):
    helpdesk, ticket = opened(zendesk)
    ours = zendesk.render(ticket)  # the ticket's first comment: our private summary
    note = zendesk.agent_comment(ticket, "nota interna", public=False)
    run(helpdesk, helpdesk.append_user_message(str(ticket), "hola", CASE))
    echo = zendesk.render(ticket)  # the user's words we posted: public, by the requester
    helpdesk = helpdesk_for(zendesk)
    for body in (ours, note, echo):
        [event] = helpdesk.parse_webhook(zendesk.inbound(body))
        assert isinstance(event, Ignored), body


def test_solved_gives_back_once_per_update(zendesk):
    helpdesk, ticket = opened(zendesk)
    body = zendesk.solve(ticket)
    [event] = helpdesk.parse_webhook(zendesk.inbound(body))
    assert isinstance(event, Resolved) and event.ref == str(ticket)
    assert event.event_id == f"solved:{ticket}:{zendesk.tickets[ticket]['updated_at']}"
    spanish = body.replace(b'"Solved"', b'"Resuelto"')
    assert isinstance(helpdesk.parse_webhook(zendesk.inbound(spanish))[0], Resolved)


@pytest.mark.parametrize("case, status", [  # another secret, none: test_helpdesk_adapter.py
    ({"timestamp": (datetime.now(timezone.utc) - timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")}, 401),
    ({"timestamp": "ayer"}, 401),
])
def test_forged_webhooks_are_refused(zendesk, case, status):
    helpdesk, ticket = opened(zendesk)
    body = zendesk.agent_comment(ticket, "te hackeo")
    assert refusal(helpdesk, zendesk.inbound(body, **case)) == status


def test_a_tampered_body_is_refused(zendesk):
    helpdesk, ticket = opened(zendesk)
    body = zendesk.agent_comment(ticket, "Hola")
    signed = zendesk.inbound(body)
    forged = InboundRequest(signed.headers, body.replace(b"Hola", b"Paga aqu\\u00ed"), None,
                            signed.now)
    assert refusal(helpdesk, forged) == 403


@pytest.mark.parametrize("body", [  # no JSON object at all: test_helpdesk_adapter.py
    b'{"status": "Solved"}', b'{"ticket_id": "abc"}',
    b'{"ticket_id": "5", "comment_public": "true", "comment": "hola", "comment_id": "9"}',
    b'{"ticket_id": "5", "comment_public": "true", "comment": "hola", "requester_id": "1", '
    b'"comment_author_id": "2", "comment_id": ""}',
])
def test_malformed_bodies_are_bad_requests_never_crashes(zendesk, body):
    assert refusal(helpdesk_for(zendesk), zendesk.inbound(body)) == 400


def test_the_readme_gives_the_trigger_body_the_adapter_reads():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Zendesk", 1)[1].split("\n### ", 1)[0]
    [block] = re.findall(r"```json\n(.*?)\n```", section, re.S)
    assert block == TRIGGER_BODY
    rendered = re.sub(r"\{\{[a-z_.]+\}\}", "1", TRIGGER_BODY)
    assert set(json.loads(rendered)) >= {"ticket_id", "status", "comment_id", "comment",
                                         "comment_public", "comment_author_id", "requester_id"}
    assert AGENT["id"] != API_USER["id"]
