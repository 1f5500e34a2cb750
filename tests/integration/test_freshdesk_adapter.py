"""The Freshdesk adapter over HTTP against the local fake of its API
(tests/fakes/freshdesk_api.py, which checks Basic auth, the paths and each payload):
opening a case (a chat ticket with the requester's phone and name, the summary and the
transcript as its description), the user's messages as private notes, resolving; 5xx
retried, 4xx not; the settings; and the automation rules' webhooks: the secret header or
path, what is an agent's reply, what gives the case back, the event ids."""
import base64

import pytest

from appointments.adapters.helpdesks import registry
from appointments.adapters.helpdesks.freshdesk import FreshdeskSettings, basic_auth, plain_text
from appointments.domain.helpdesk import AgentReply, Ignored, Resolved
from appointments.settings_values import SettingsError
from tests.fakes.freshdesk_api import FakeFreshdesk
from tests.integration import helpdesk_adapters
from tests.integration.helpdesk_adapters import (
    TRANSCRIPT, assert_bad_credentials_refused, assert_open_kept_for_later, failure,
    helpdesk_for, refusal, run, serve,
)

CASE = {**helpdesk_adapters.CASE, "profile_name": "Ana <Pérez>"}


@pytest.fixture
def freshdesk():
    yield from serve(FakeFreshdesk())


def test_a_case_opens_an_open_chat_ticket_with_the_summary_and_the_transcript(freshdesk):
    helpdesk = helpdesk_for(freshdesk)
    ref = run(helpdesk, helpdesk.open(CASE, TRANSCRIPT))
    assert freshdesk.violations == []
    ticket = freshdesk.ticket_of("+525512345678")
    assert ref == str(ticket["id"])
    assert (ticket["status"], ticket["priority"], ticket["source"]) == (2, 2, 7)
    assert ticket["name"] == "Ana <Pérez>" and "#12" in ticket["subject"]
    assert ticket["tags"] == ["whatsapp", "citas"]
    description = ticket["description"]
    assert "Ana &lt;Pérez&gt;" in description and "<Pérez>" not in description  # escaped
    assert "crear una cita" in description and "fecha=viernes" in description
    assert "https://consola.example.com/agent/cases/12" in description
    assert "[16:00 UTC] Cliente: quiero una cita<br>" in description
    assert "Asistente: ¿Para qué día?" in description
    assert ticket["notes"] == []
    [request] = freshdesk.requests
    assert (request["method"], request["path"]) == ("POST", "/api/v2/tickets")
    expected = "Basic " + base64.b64encode(f"{freshdesk.api_key}:X".encode()).decode()
    assert request["headers"]["Authorization"] == expected == basic_auth(freshdesk.api_key)


def test_user_messages_are_private_notes_and_resolving_sets_status_4(freshdesk):
    helpdesk = helpdesk_for(freshdesk)

    async def go():
        ref = await helpdesk.open(CASE, [])
        await helpdesk.append_user_message(ref, "¿hay alguien? <urgente>", CASE)
        await helpdesk.close(ref)
        return ref

    ref = run(helpdesk, go())
    [note] = freshdesk.notes(int(ref))
    assert note["private"] is True
    assert "¿hay alguien? &lt;urgente&gt;" in note["body"] and "Cliente" in note["body"]
    assert freshdesk.tickets[int(ref)]["status"] == 4
    assert [(r["method"], r["path"]) for r in freshdesk.requests][1:] == [
        ("POST", f"/api/v2/tickets/{ref}/notes"), ("PUT", f"/api/v2/tickets/{ref}")]
    assert freshdesk.violations == []


def test_a_5xx_is_retried_and_a_4xx_is_not(freshdesk):
    helpdesk = helpdesk_for(freshdesk)
    ref = run(helpdesk, helpdesk.open(CASE, []))
    freshdesk.failures = [502]  # resolving can be repeated safely: retried at once
    helpdesk = helpdesk_for(freshdesk)
    run(helpdesk, helpdesk.close(ref))
    assert freshdesk.tickets[int(ref)]["status"] == 4

    freshdesk.failures = [503]  # creating a ticket is not repeated blindly: kept for later
    assert_open_kept_for_later(freshdesk, {**CASE, "phone": "+5215500000009"}, freshdesk.api_key)
    assert len(freshdesk.tickets) == 1
    assert_bad_credentials_refused(freshdesk, CASE, FRESHDESK_API_KEY="wrong-key")

    helpdesk = helpdesk_for(freshdesk)
    missing = failure(helpdesk, helpdesk.append_user_message("999999", "hola", CASE))
    assert not missing.retry and "HTTP 404" in str(missing)


def test_settings_domain_or_url_key_and_secret():
    base = {"FRESHDESK_API_KEY": "key-1234567", "FRESHDESK_WEBHOOK_SECRET": "s" * 16}
    assert FreshdeskSettings.from_env({**base, "FRESHDESK_DOMAIN": "clinica"}).url == \
        "https://clinica.freshdesk.com"
    assert FreshdeskSettings.from_env({**base, "FRESHDESK_DOMAIN": "Clinica.freshdesk.com"}
                                      ).url == "https://clinica.freshdesk.com"
    assert FreshdeskSettings.from_env({**base, "FRESHDESK_URL": "https://x.example/"}).url == \
        "https://x.example"
    assert "key-1234567" not in repr(FreshdeskSettings.from_env(
        {**base, "FRESHDESK_DOMAIN": "clinica"}))
    for env, word in [({}, "FRESHDESK_DOMAIN"), ({"FRESHDESK_DOMAIN": "a"}, "FRESHDESK_API_KEY"),
                      ({**base, "FRESHDESK_DOMAIN": "bad domain/x"}, "FRESHDESK_DOMAIN"),
                      ({**base, "FRESHDESK_URL": "clinica.freshdesk.com"}, "FRESHDESK_URL"),
                      ({**base, "FRESHDESK_DOMAIN": "a", "FRESHDESK_WEBHOOK_SECRET": "short"},
                       "FRESHDESK_WEBHOOK_SECRET")]:
        with pytest.raises(SettingsError) as error:
            FreshdeskSettings.from_env(env)
        assert word in str(error.value)
    [(name, _)] = registry.read_helpdesks("freshdesk", {**base, "FRESHDESK_DOMAIN": "clinica"})
    assert name == "freshdesk"


# --- webhooks ---------------------------------------------------------------------------

def test_an_agents_reply_is_text_with_the_authors_name(freshdesk):
    helpdesk = helpdesk_for(freshdesk)
    payload = FakeFreshdesk.agent_reply(
        41, '<div dir="ltr">Hola Ana, soy Laura &amp; te ayudo<br>¿a qué hora?</div>'
            '<div><br></div><div>Saludos</div>', agent="Laura Gómez", updated_at="t1")
    [event] = helpdesk.parse_webhook(freshdesk.inbound(payload))
    assert event == AgentReply("41", "Hola Ana, soy Laura & te ayudo\n¿a qué hora?\n\nSaludos",
                               event.event_id, "Laura Gómez")
    again = helpdesk.parse_webhook(freshdesk.inbound(payload))
    assert again == [event]  # a redelivery has the same id
    other = helpdesk.parse_webhook(freshdesk.inbound({**payload, "updated_at": "t2"}))
    assert other[0].event_id != event.event_id  # the same words later: another reply
    text = FakeFreshdesk.agent_reply(41, "Te llamo\n\nAttachments :\n1. <a href='x'>f.pdf</a>")
    assert helpdesk.parse_webhook(freshdesk.inbound(text))[0].text == "Te llamo"


def test_notes_empty_replies_and_other_events_are_ignored(freshdesk):
    helpdesk = helpdesk_for(freshdesk)
    note = FakeFreshdesk.agent_reply(41, "nota interna", triggered_event="{note_type:private}")
    empty = FakeFreshdesk.agent_reply(41, "<div><br></div>")
    blank = {**FakeFreshdesk.agent_reply(41, "x"), "reply": ""}
    pending = FakeFreshdesk.status_changed(41, to=3)
    for payload in (note, empty, blank, pending, {"event": "ticket_created", "ticket_id": "1"}):
        [event] = helpdesk.parse_webhook(freshdesk.inbound(payload))
        assert isinstance(event, Ignored), payload


@pytest.mark.parametrize("to", [4, 5])
def test_resolved_or_closed_gives_back(freshdesk, to):
    helpdesk = helpdesk_for(freshdesk)
    [event] = helpdesk.parse_webhook(freshdesk.inbound(FakeFreshdesk.status_changed(
        41, to=to, updated_at="t1")))
    assert event == Resolved("41", f"status:41:{to}:t1")
    # without {{triggered_event}}, the status's name decides
    payload = {"event": "status_changed", "ticket_id": 41, "status": "Closed"}
    assert isinstance(helpdesk.parse_webhook(freshdesk.inbound(payload))[0], Resolved)


@pytest.mark.parametrize("case, status", [  # another secret, none: test_helpdesk_adapter.py
    ({"with_header": False, "path_secret": "not-the-secret"}, 403),
])
def test_forged_webhooks_are_refused(freshdesk, case, status):
    payload = FakeFreshdesk.agent_reply(41, "te hackeo")
    assert refusal(helpdesk_for(freshdesk), freshdesk.inbound(payload, **case)) == status


def test_the_secret_path_works_without_the_header(freshdesk):
    helpdesk = helpdesk_for(freshdesk)
    payload = FakeFreshdesk.agent_reply(41, "Hola")
    [event] = helpdesk.parse_webhook(freshdesk.inbound(payload, with_header=False,
                                                       path_secret=freshdesk.webhook_secret))
    assert isinstance(event, AgentReply)


@pytest.mark.parametrize("body", [  # no JSON object at all: test_helpdesk_adapter.py
    b'{"event": "agent_reply", "ticket_id": "", "reply": "a : b"}',
    b'{"event": "agent_reply", "ticket_id": "7", "reply": {"x": 1}}',
    b'{"event": "status_changed", "ticket_id": true}'])
def test_malformed_bodies_are_bad_requests_never_crashes(freshdesk, body):
    assert refusal(helpdesk_for(freshdesk), freshdesk.inbound(body=body)) == 400


def test_html_to_text_is_linear_on_hostile_input():
    assert plain_text("<" * 50_000 + "hola") == "<" * 50_000 + "hola"
    assert plain_text("<p>uno</p><p>dos &lt;3</p>") == "uno\ndos <3"
