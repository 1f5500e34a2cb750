"""The Chatwoot adapter over HTTP against the local fake of its API
(tests/fakes/chatwoot_api.py, which checks the token header, the paths and each payload):
opening a case (contact, conversation, summary and transcript as private notes), a phone
that already has a contact, the user's messages, resolving; 5xx retried, 4xx not; and the
webhooks: signature, secret path, timestamps, what is an agent's reply."""
import time

import pytest

from appointments.adapters.helpdesks.chatwoot import signature
from appointments.domain.helpdesk import AgentReply, Ignored, Resolved
from tests.fakes.chatwoot_api import FakeChatwoot
from tests.integration.helpdesk_adapters import (
    CASE, TRANSCRIPT, assert_bad_credentials_refused, assert_open_kept_for_later, helpdesk_for,
    refusal, run, serve,
)


@pytest.fixture
def chatwoot():
    yield from serve(FakeChatwoot())


def test_a_case_opens_a_conversation_with_the_summary_and_the_transcript(chatwoot):
    helpdesk = helpdesk_for(chatwoot)
    ref = run(helpdesk, helpdesk.open(CASE, TRANSCRIPT))
    assert chatwoot.violations == []
    conversation = chatwoot.conversation_of("+525512345678")
    assert ref == str(conversation["id"]) and conversation["status"] == "open"
    [contact] = chatwoot.contacts.values()
    assert contact["name"] == "Ana"
    summary, transcript = chatwoot.messages(conversation["id"])
    assert all(m["private"] and m["message_type"] == "outgoing" for m in (summary, transcript))
    assert "#12" in summary["content"] and "crear una cita" in summary["content"]
    assert "fecha=viernes" in summary["content"]
    assert "https://consola.example.com/agent/cases/12" in summary["content"]
    assert "[16:00 UTC] Cliente: quiero una cita" in transcript["content"]
    assert "Asistente: ¿Para qué día?" in transcript["content"]
    assert {r["headers"].get("api_access_token") for r in chatwoot.requests} == {chatwoot.token}
    assert [(r["method"], r["path"].split("/", 5)[-1]) for r in chatwoot.requests] == [
        ("POST", "contacts"), ("POST", "conversations"),
        ("POST", f"conversations/{ref}/messages"), ("POST", f"conversations/{ref}/messages")]


def test_a_phone_with_a_contact_already_gets_a_new_conversation(chatwoot):
    first = helpdesk_for(chatwoot)
    one = run(first, first.open(CASE, TRANSCRIPT))
    second = helpdesk_for(chatwoot)
    two = run(second, second.open({**CASE, "id": 13}, []))
    assert one != two and len(chatwoot.contacts) == 1 and chatwoot.violations == []
    assert any(r["path"].endswith("contacts/search") and "525512345678" in r["query"]
               for r in chatwoot.requests)


def test_user_messages_are_incoming_and_resolving_toggles_the_status(chatwoot):
    helpdesk = helpdesk_for(chatwoot)

    async def go():
        ref = await helpdesk.open(CASE, [])
        await helpdesk.append_user_message(ref, "¿hay alguien?", CASE)
        await helpdesk.close(ref)
        return ref

    ref = run(helpdesk, go())
    last = chatwoot.messages(int(ref))[-1]
    assert (last["content"], last["message_type"], last["private"]) == (
        "¿hay alguien?", "incoming", False)
    assert chatwoot.conversations[int(ref)]["status"] == "resolved"
    assert chatwoot.violations == []


def test_a_5xx_is_retried_and_a_4xx_is_not(chatwoot):
    helpdesk = helpdesk_for(chatwoot)
    ref = run(helpdesk, helpdesk.open(CASE, []))
    chatwoot.failures = [502]  # resolving can be repeated safely: retried at once
    helpdesk = helpdesk_for(chatwoot)
    run(helpdesk, helpdesk.close(ref))
    assert chatwoot.conversations[int(ref)]["status"] == "resolved"

    chatwoot.failures = [503]  # creating a contact is not repeated blindly: kept for later
    assert_open_kept_for_later(chatwoot, {**CASE, "phone": "+5215500000009"}, chatwoot.token)
    assert_bad_credentials_refused(chatwoot, CASE, CHATWOOT_API_TOKEN="wrong-token")


# --- webhooks ---------------------------------------------------------------------------

def test_an_agents_public_message_is_a_reply(chatwoot):
    helpdesk = helpdesk_for(chatwoot)
    payload = FakeChatwoot.agent_reply(41, "Hola Ana, soy Laura", message_id=900)
    assert helpdesk.parse_webhook(chatwoot.inbound(payload)) == [
        AgentReply("41", "Hola Ana, soy Laura", "message:900", "Laura")]
    assert signature(chatwoot.webhook_secret, "1", b"{}") == chatwoot.sign(b"{}", "1")


def test_notes_incoming_and_other_events_are_ignored(chatwoot):
    helpdesk = helpdesk_for(chatwoot)
    note = FakeChatwoot.agent_reply(41, "nota interna", private=True)
    incoming = {**FakeChatwoot.agent_reply(41, "hola"), "message_type": "incoming"}
    reopened = FakeChatwoot.status_changed(41, "open")
    for payload in (note, incoming, reopened, {"event": "contact_created", "id": 1}):
        [event] = helpdesk.parse_webhook(chatwoot.inbound(payload))
        assert isinstance(event, Ignored), payload


def test_resolved_gives_back(chatwoot):
    helpdesk = helpdesk_for(chatwoot)
    [event] = helpdesk.parse_webhook(chatwoot.inbound(FakeChatwoot.status_changed(41)))
    assert isinstance(event, Resolved) and event.ref == "41" and event.event_id


@pytest.mark.parametrize("case, status", [  # another secret, none: test_helpdesk_adapter.py
    ({"timestamp": str(int(time.time()) - 3600)}, 401),
    ({"timestamp": "ayer"}, 401),
    ({"path_secret": "not-the-secret"}, 403),
])
def test_forged_webhooks_are_refused(chatwoot, case, status):
    payload = FakeChatwoot.agent_reply(41, "te hackeo")
    assert refusal(helpdesk_for(chatwoot), chatwoot.inbound(payload, **case)) == status


def test_the_secret_path_works_for_versions_that_do_not_sign(chatwoot):
    helpdesk = helpdesk_for(chatwoot)
    payload = FakeChatwoot.agent_reply(41, "Hola", message_id=5)
    [event] = helpdesk.parse_webhook(chatwoot.inbound(payload, signed=False,
                                                      path_secret=chatwoot.webhook_secret))
    assert isinstance(event, AgentReply)


@pytest.mark.parametrize("body", [  # no JSON object at all: test_helpdesk_adapter.py
    b'{"event": "message_created", "message_type": "outgoing", '
    b'"content": "x", "conversation": {"id": null}, "id": 3}',
    b'{"event": "conversation_status_changed", "status": "resolved", "id": {"x": 1}}'])
def test_malformed_bodies_are_bad_requests_never_crashes(chatwoot, body):
    assert refusal(helpdesk_for(chatwoot), chatwoot.inbound(body=body)) == 400
