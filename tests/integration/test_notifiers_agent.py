"""The agent's Twilio message over real HTTP (a local fake of Twilio), the composite of
notifiers, building them from the settings, and the notice built from a case."""
import asyncio
from dataclasses import replace
from datetime import datetime, timezone

from appointments.adapters.notifiers import (
    HandoffNotice,
    Notifiers,
    TwilioAgentNotifier,
    WebhookNotifier,
    build_notifiers,
    verify_signature,
)
from appointments.adapters.twilio import TwilioSender
from appointments.settings import Settings

from tests.integration.handoff_notices import (
    AGENT_SMS, AGENT_WHATSAPP, BOT_NUMBER, NOTICE, SECRET, USER, agent, closed_port_url,
    run, webhook,
)


# --- Twilio message to the agent -------------------------------------------------------

def test_the_agent_gets_a_whatsapp_message_with_what_they_need(twilio):
    assert run(agent(twilio)) is True
    [form] = twilio.sent
    assert form["To"] == AGENT_WHATSAPP and form["From"] == BOT_NUMBER
    body = form["Body"]
    assert "#12" in body
    assert "Ana Pérez" in body
    assert "+5215512345678" in body  # the full number: agents are the business's staff
    assert "crear una cita" in body
    assert "2026-11-26" in body and "10:00" in body
    assert "https://citas.example.com/agent/cases/12" in body
    assert "¿Puedo hablar con alguien? ¡Es urgente! Mañana, por favor" in body
    assert "Quiero una cita" in body
    assert len(body) <= 1600


def test_a_huge_user_message_keeps_the_body_within_twilios_limit(twilio):
    huge = "¡Hola! ¿Me ayudan? " + "á" * 5000
    notice = replace(NOTICE, recent=["primero", huge, "último mensaje"])
    assert run(agent(twilio), notice) is True
    [body] = twilio.to(AGENT_WHATSAPP)
    assert len(body) <= 1600 and len(body.encode("utf-16-le")) // 2 <= 1600
    assert "https://citas.example.com/agent/cases/12" in body  # the link survives
    assert "+5215512345678" in body and "último mensaje" in body
    assert "¡Hola! ¿Me ayudan?" in body


def test_an_sms_agent_number_is_sent_from_the_plain_number(twilio):
    assert run(agent(twilio, AGENT_SMS)) is True
    [form] = twilio.sent
    assert form["To"] == AGENT_SMS
    assert form["From"] == "+14155238886"
    assert "#12" in form["Body"]


def test_twilio_refusing_the_message_gives_false(twilio):
    twilio.failures = [400]
    assert run(agent(twilio)) is False
    assert twilio.sent == []


# --- composite and configuration -------------------------------------------------------

def test_the_composite_reports_only_the_notifiers_that_delivered(twilio):
    notifiers = Notifiers([agent(twilio), webhook(closed_port_url())])
    assert notifiers.configured
    assert run(notifiers) == ["twilio"]
    assert len(twilio.to(AGENT_WHATSAPP)) == 1


def test_the_composite_runs_all_of_them(twilio, receiver):
    assert run(Notifiers([agent(twilio), webhook(receiver.url)])) == ["twilio", "webhook"]
    assert len(receiver.wait_for(1)) == 1 and len(twilio.sent) == 1


def test_an_empty_composite_delivers_nothing():
    notifiers = Notifiers()
    assert not notifiers.configured
    assert run(notifiers) == []


def test_nothing_is_built_when_nothing_is_configured():
    notifiers = build_notifiers(Settings.from_env({}))
    assert not notifiers.configured


def test_an_agent_number_without_twilio_builds_no_twilio_notifier():
    notifiers = build_notifiers(Settings.from_env({"AGENT_PHONE_NUMBER": AGENT_WHATSAPP}))
    assert not notifiers.configured


def test_both_are_built_and_work_when_both_are_configured(twilio, receiver):
    settings = Settings.from_env({
        "TWILIO_ACCOUNT_SID": "ACtest", "TWILIO_AUTH_TOKEN": "token",
        "TWILIO_PHONE_NUMBER": BOT_NUMBER, "TWILIO_API_BASE_URL": twilio.url,
        "AGENT_PHONE_NUMBER": AGENT_SMS,
        "HANDOFF_WEBHOOK_URL": receiver.url + "/hook", "HANDOFF_WEBHOOK_SECRET": SECRET,
    })
    notifiers = build_notifiers(settings)
    assert notifiers.configured
    assert [type(n) for n in notifiers.notifiers] == [TwilioAgentNotifier, WebhookNotifier]
    assert sorted(run(notifiers)) == ["twilio", "webhook"]
    assert twilio.sent[0]["To"] == AGENT_SMS and twilio.sent[0]["From"] == "+14155238886"
    [request] = receiver.wait_for(1)
    assert verify_signature(request["body"], request["headers"]["X-Citas-Signature"], SECRET)


def test_a_given_sender_is_used_and_left_open(twilio):
    sender = TwilioSender("ACtest", "token", BOT_NUMBER, base_url=twilio.url)
    settings = Settings.from_env({"AGENT_PHONE_NUMBER": AGENT_WHATSAPP})
    notifiers = build_notifiers(settings, sender=sender)
    assert [n.name for n in notifiers.notifiers] == ["twilio"]

    async def go():
        delivered = await notifiers.notify(NOTICE)
        await notifiers.close()
        still_open = sender.http.open_sessions()
        await sender.close()
        return delivered, still_open, sender.http.open_sessions()

    assert asyncio.run(go()) == (["twilio"], 1, 0)


# --- building the notice from a case ---------------------------------------------------

CASE = {
    "id": 7,
    "phone": USER,
    "profile_name": "Ana",
    "reason": "fallback",
    "summary": {"goal": "cambiar una cita",
                "slots": {"appointment_code": "ABC123", "appointment_date": "2026-11-26"}},
    "transcript": [
        {"author": "user", "text": f"mensaje {i}", "at": "2026-11-25T15:00:00+00:00"}
        if i % 2 == 0 else {"author": "bot", "text": f"respuesta {i}", "at": None}
        for i in range(14)
    ],
    "status": "open",
    "created_at": datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc),
}


def test_a_notice_from_a_repository_case():
    notice = HandoffNotice.from_case(CASE, "https://citas.example.com/")
    assert notice.case_id == 7 and notice.phone == USER and notice.profile_name == "Ana"
    assert notice.reason == "fallback" and notice.goal == "cambiar una cita"
    assert notice.slots == {"appointment_code": "ABC123", "appointment_date": "2026-11-26"}
    assert notice.recent == ["mensaje 4", "mensaje 6", "mensaje 8", "mensaje 10", "mensaje 12"]
    assert notice.console_url == "https://citas.example.com/agent/cases/7"
    assert notice.event == "handoff.created"


def test_a_notice_from_a_bare_case_without_console():
    bare = {"id": 3, "phone": USER, "profile_name": None, "reason": "user_request",
            "summary": {}, "transcript": [], "status": "open"}
    notice = HandoffNotice.from_case(bare, None)
    assert notice.console_url is None and notice.goal is None
    assert notice.slots == {} and notice.recent == [] and notice.profile_name is None
