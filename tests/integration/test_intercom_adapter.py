"""The Intercom adapter over HTTP against the local fake of its API
(tests/fakes/intercom_api.py, which checks the bearer token, the version header, the paths
and each payload): opening a case (contact found by phone or made, a conversation from it
with the summary and the transcript), a contact not searchable yet, the user's messages as
their replies, closing; 5xx retried, 4xx not; and the webhooks: X-Hub-Signature, what is
an agent's reply (HTML to text), notes and the user's own messages ignored, closed."""
import json

import pytest

from appointments.adapters.helpdesks.intercom import signature
from appointments.adapters.helpdesks.registry import read_helpdesks
from appointments.domain.helpdesk import AgentReply, Ignored, InboundRequest, Resolved
from appointments.settings_values import SettingsError
from tests.fakes.intercom_api import CLIENT_SECRET, FakeIntercom
from tests.integration.helpdesk_adapters import (
    CASE, PHONE, TRANSCRIPT, assert_bad_credentials_refused, assert_open_kept_for_later,
    helpdesk_for, refusal, run, serve,
)


@pytest.fixture
def intercom():
    yield from serve(FakeIntercom())


def test_settings():
    settings = read_helpdesks("intercom", {"INTERCOM_ACCESS_TOKEN": "t",
                                           "INTERCOM_CLIENT_SECRET": "s" * 16})
    [(name, intercom)] = settings
    assert (name, intercom.url, intercom.admin_id) == ("intercom", "https://api.intercom.io", None)
    assert "s" * 16 not in repr(intercom)
    with pytest.raises(SettingsError, match="INTERCOM_ACCESS_TOKEN, INTERCOM_CLIENT_SECRET"):
        read_helpdesks("intercom", {})
    for bad in ({"INTERCOM_CLIENT_SECRET": "short"}, {"INTERCOM_ADMIN_ID": "laura"},
                {"INTERCOM_URL": "api.intercom.io"}):
        with pytest.raises(SettingsError):
            read_helpdesks("intercom", {"INTERCOM_ACCESS_TOKEN": "t",
                                        "INTERCOM_CLIENT_SECRET": "s" * 16, **bad})


def test_a_case_opens_a_conversation_from_a_new_contact(intercom):
    helpdesk = helpdesk_for(intercom)
    ref = run(helpdesk, helpdesk.open(CASE, TRANSCRIPT))
    assert intercom.violations == []
    conversation = intercom.conversation_of(PHONE)
    assert ref == conversation["id"] and conversation["state"] == "open"
    [contact] = intercom.contacts.values()
    assert (contact["role"], contact["name"], contact["external_id"]) == (
        "user", "Ana", f"whatsapp:{PHONE}")
    body = conversation["source"]["body"]
    assert "#12" in body and "crear una cita" in body and "fecha=viernes" in body
    assert "https://consola.example.com/agent/cases/12" in body
    assert "[16:00 UTC] Cliente: quiero una cita" in body and "Asistente: ¿Para qué día?" in body
    assert conversation["source"]["author"] == {"type": "user", "id": contact["id"]}
    assert [(r["method"], r["path"]) for r in intercom.requests] == [
        ("POST", "/contacts/search"), ("POST", "/contacts"), ("POST", "/conversations")]
    assert intercom.requests[0]["json"] == {
        "query": {"field": "phone", "operator": "=", "value": PHONE}}
    assert {r["headers"]["Authorization"] for r in intercom.requests} == {
        f"Bearer {intercom.token}"}
    assert {r["headers"]["Intercom-Version"] for r in intercom.requests} == {"2.11"}


def test_a_phone_with_a_contact_reuses_it_user_before_lead(intercom):
    lead = intercom.add_contact(PHONE, role="lead")
    helpdesk = helpdesk_for(intercom)
    ref = run(helpdesk, helpdesk.open(CASE, []))
    assert intercom.conversations[ref]["contact_id"] == lead and len(intercom.contacts) == 1
    user = intercom.add_contact(PHONE, role="user")
    helpdesk = helpdesk_for(intercom)
    again = run(helpdesk, helpdesk.open({**CASE, "id": 13}, []))
    assert again != ref and intercom.conversations[again]["contact_id"] == user
    assert intercom.violations == []


def test_a_contact_not_searchable_yet_is_found_by_the_conflict(intercom):
    intercom.search_lag = True
    first = helpdesk_for(intercom)
    one = run(first, first.open(CASE, []))
    second = helpdesk_for(intercom)
    two = run(second, second.open({**CASE, "id": 13}, []))
    assert one != two and len(intercom.contacts) == 1
    assert intercom.conversations[one]["contact_id"] == intercom.conversations[two]["contact_id"]
    assert [r["path"] for r in intercom.requests].count("/contacts") == 2


def test_user_messages_are_the_contacts_replies_and_closing_needs_an_admin(intercom):
    helpdesk = helpdesk_for(intercom)
    ref = run(helpdesk, helpdesk.open(CASE, []))
    fresh = helpdesk_for(intercom)  # another process: it asks Intercom whose conversation

    async def go():
        await fresh.append_user_message(ref, "¿hay alguien?", CASE)
        await fresh.append_user_message(ref, "sigo aquí", CASE)
        await fresh.close(ref)

    run(fresh, go())
    assert intercom.user_replies(ref) == ["¿hay alguien?", "sigo aquí"]
    assert [r["method"] for r in intercom.requests].count("GET") == 1
    assert intercom.conversations[ref]["state"] == "closed"
    reply = [r["json"] for r in intercom.requests if r["path"].endswith("/reply")][0]
    assert (reply["message_type"], reply["type"]) == ("comment", "user")
    assert intercom.violations == []

    without_admin = helpdesk_for(intercom, INTERCOM_ADMIN_ID=None)
    assert without_admin.can_close is False
    before = len(intercom.requests)
    run(without_admin, without_admin.close(ref))
    assert len(intercom.requests) == before


def test_a_5xx_is_retried_and_a_4xx_is_not(intercom):
    helpdesk = helpdesk_for(intercom)
    ref = run(helpdesk, helpdesk.open(CASE, []))
    intercom.failures = [502]  # closing can be repeated safely: retried at once
    helpdesk = helpdesk_for(intercom)
    run(helpdesk, helpdesk.close(ref))
    assert intercom.conversations[ref]["state"] == "closed"

    intercom.failures = [200, 503]  # search answered; creating a contact is not repeated
    assert_open_kept_for_later(intercom, {**CASE, "phone": "+5215500000009"}, intercom.token)
    assert_bad_credentials_refused(intercom, CASE, INTERCOM_ACCESS_TOKEN="wrong-token")


# --- webhooks ---------------------------------------------------------------------------

def test_an_admins_comment_is_a_reply_in_plain_text(intercom):
    helpdesk = helpdesk_for(intercom)
    payload = intercom.admin_reply("41", "<p>Hola Ana, soy Laura &amp; te ayudo.</p>"
                                         "<p>Mira: <a href=\"https://clinica.example/mapa\">"
                                         "el mapa</a><br>¿Te sirve?</p>",
                                   notification_id="notif_1")
    [reply] = helpdesk.parse_webhook(intercom.inbound(payload))
    assert isinstance(reply, AgentReply) and (reply.ref, reply.agent_name) == ("41", "Laura")
    assert reply.text == ("Hola Ana, soy Laura & te ayudo.\n\n"
                          "Mira: el mapa (https://clinica.example/mapa)\n¿Te sirve?")
    assert reply.event_id.startswith("notif_1:")
    assert signature(intercom.client_secret, b"{}") == intercom.sign(b"{}")


def test_notes_the_users_own_replies_bots_and_other_topics_are_ignored(intercom):
    helpdesk = helpdesk_for(intercom)
    note = intercom.admin_note("41", "<p>nota interna</p>")
    hidden = intercom.notification("conversation.admin.replied", "41",
                                   [intercom.part("<p>nota</p>", part_type="note")])
    echo = intercom.notification("conversation.admin.replied", "41",
                                 [intercom.part("<p>hola</p>", author="user")])
    bot = intercom.notification("conversation.admin.replied", "41",
                                [intercom.part("<p>soy Fin</p>", author="bot")])
    user = intercom.notification("conversation.user.replied", "41", [intercom.part("hola")])
    ping = {"type": "notification_event", "topic": "ping", "id": "notif_p", "data": {}}
    for payload in (note, hidden, echo, bot, user, ping):
        [event] = helpdesk.parse_webhook(intercom.inbound(payload))
        assert isinstance(event, Ignored), payload


def test_closed_gives_back_after_the_closing_message(intercom):
    helpdesk = helpdesk_for(intercom)
    [event] = helpdesk.parse_webhook(intercom.inbound(intercom.admin_closed(
        "41", notification_id="notif_9")))
    assert event == Resolved("41", "notif_9:closed")
    reply, resolved = helpdesk.parse_webhook(intercom.inbound(intercom.admin_closed(
        "41", "<p>¡Listo, hasta luego!</p>")))
    assert isinstance(reply, AgentReply) and reply.text == "¡Listo, hasta luego!"
    assert isinstance(resolved, Resolved) and resolved.event_id != reply.event_id


@pytest.mark.parametrize("case, status", [  # another secret, none: test_helpdesk_adapter.py
    ({"path_secret": CLIENT_SECRET}, 403),  # Intercom signs: no secret path
])
def test_forged_webhooks_are_refused(intercom, case, status):
    payload = intercom.admin_reply("41", "<p>te hackeo</p>")
    assert refusal(helpdesk_for(intercom), intercom.inbound(payload, **case)) == status


def test_a_body_changed_after_signing_is_refused(intercom):
    helpdesk = helpdesk_for(intercom)
    raw = json.dumps(intercom.admin_reply("41", "<p>Hola</p>")).encode()
    forged = InboundRequest({"X-Hub-Signature": intercom.sign(raw)},
                            raw.replace(b"Hola", b"Adi\xc3\xb3s"))
    assert refusal(helpdesk, forged) == 403


@pytest.mark.parametrize("body", [  # no JSON object at all: test_helpdesk_adapter.py
    b'{"topic": "conversation.admin.replied", "data": {"item": {"id": 1}}}',
    b'{"topic": "conversation.admin.closed", "id": "n", "data": {"item": {"id": null}}}',
    b'{"topic": "conversation.admin.replied", "id": "n", "data": []}',
    b'{"topic": "conversation.admin.replied", "id": "n", "data": {"item": {"id": "4", '
    b'"conversation_parts": {"conversation_parts": "x"}}}}',
    b'{"topic": "conversation.admin.replied", "id": "n", "data": {"item": {"id": "4", '
    b'"conversation_parts": {"conversation_parts": [{"part_type": "comment", "body": "hi", '
    b'"author": {"type": "admin"}}]}}}}',
])
def test_malformed_bodies_are_bad_requests_never_crashes(intercom, body):
    assert refusal(helpdesk_for(intercom), intercom.inbound(body=body)) == 400
