"""The handoff notifiers over real HTTP: a fake helpdesk webhook and a fake Twilio."""
import asyncio
import json
import socket
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from appointments.adapters.twilio import TwilioSender
from appointments.adapters.notifiers import (
    HandoffNotice,
    Notifiers,
    TwilioAgentNotifier,
    WebhookNotifier,
    build_notifiers,
    verify_signature,
)
from appointments.settings import Settings
from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.handoffs import SqlHandoffRepository

from tests.fakes.twilio_api import FakeTwilio
from tests.fakes.webhook_receiver import WebhookReceiver

SECRET = "s3cr3t-webhook"
USER = "whatsapp:+5215512345678"
AGENT_WHATSAPP = "whatsapp:+5215500000000"
AGENT_SMS = "+5215500000000"
BOT_NUMBER = "whatsapp:+14155238886"

NOTICE = HandoffNotice(
    case_id=12,
    phone=USER,
    profile_name="Ana Pérez",
    reason="user_request",
    goal="crear una cita",
    slots={"appointment_date": "2026-11-26", "appointment_time": "10:00"},
    recent=["Quiero una cita", "¿Puedo hablar con alguien? ¡Es urgente! Mañana, por favor"],
    console_url="https://citas.example.com/agent/cases/12",
)


@pytest.fixture
def receiver():
    fake = WebhookReceiver()
    yield fake
    fake.stop()


@pytest.fixture
def twilio():
    fake = FakeTwilio()
    yield fake
    fake.stop()


def run(notifier, notice=NOTICE):
    async def go():
        try:
            return await notifier.notify(notice)
        finally:
            await notifier.close()

    return asyncio.run(go())


def webhook(url, secret=SECRET):
    return WebhookNotifier(url, secret, backoff_seconds=0.01)


def agent(fake, number=AGENT_WHATSAPP):
    sender = TwilioSender("ACtest", "token", BOT_NUMBER, base_url=fake.url, backoff_seconds=0.01)
    return TwilioAgentNotifier(sender, number, close_sender=True)


def closed_port_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks/handoff"


# --- webhook -------------------------------------------------------------------------

def test_webhook_posts_the_notice_as_signed_json(receiver):
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    assert run(webhook(receiver.url + "/hooks/handoff")) is True
    [request] = receiver.wait_for(1)
    assert request["path"] == "/hooks/handoff"
    headers = request["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Citas-Event"] == "handoff.created"
    assert len(headers["X-Citas-Delivery"]) == 36
    body = request["json"]
    assert set(body) == {"event", "case_id", "phone", "profile_name", "reason", "goal",
                         "slots", "recent", "console_url", "sent_at"}
    assert body["event"] == "handoff.created" and body["case_id"] == 12
    assert body["phone"] == USER and body["profile_name"] == "Ana Pérez"
    assert body["goal"] == "crear una cita" and body["reason"] == "user_request"
    assert body["slots"] == {"appointment_date": "2026-11-26", "appointment_time": "10:00"}
    assert body["recent"] == NOTICE.recent  # "¡¿" and accents survive
    assert body["console_url"] == "https://citas.example.com/agent/cases/12"
    sent_at = datetime.fromisoformat(body["sent_at"])
    assert sent_at.utcoffset() == timedelta(0)
    assert before <= sent_at <= datetime.now(timezone.utc) + timedelta(seconds=1)


def test_the_signature_verifies_only_the_exact_body_with_the_right_secret(receiver):
    assert run(webhook(receiver.url)) is True
    [request] = receiver.wait_for(1)
    signature = request["headers"]["X-Citas-Signature"]
    assert signature.startswith("sha256=")
    assert verify_signature(request["body"], signature, SECRET)
    assert not verify_signature(request["body"], signature, "wrong-secret")
    tampered = json.loads(request["body"])
    tampered["phone"] = "whatsapp:+5215599999999"
    assert not verify_signature(json.dumps(tampered).encode(), signature, SECRET)
    assert not verify_signature(request["body"] + b" ", signature, SECRET)
    assert not verify_signature(request["body"], "", SECRET)
    assert not verify_signature(request["body"], signature, "")


def test_no_signature_header_without_a_secret(receiver):
    assert run(webhook(receiver.url, secret=None)) is True
    [request] = receiver.wait_for(1)
    assert "X-Citas-Signature" not in request["headers"]
    assert request["json"]["case_id"] == 12


def test_server_errors_are_retried_with_the_same_delivery_id(receiver):
    receiver.failures = [503, 503]
    assert run(webhook(receiver.url)) is True
    requests = receiver.wait_for(3)
    assert len(requests) == 3
    deliveries = {r["headers"]["X-Citas-Delivery"] for r in requests}
    assert len(deliveries) == 1
    assert len({r["body"] for r in requests}) == 1  # same bytes, same signature
    for r in requests:
        assert verify_signature(r["body"], r["headers"]["X-Citas-Signature"], SECRET)


def test_each_notice_gets_its_own_delivery_id(receiver):
    async def go():
        notifier = webhook(receiver.url)
        try:
            return [await notifier.notify(NOTICE), await notifier.notify(NOTICE)]
        finally:
            await notifier.close()

    assert asyncio.run(go()) == [True, True]
    first, second = receiver.wait_for(2)
    assert first["headers"]["X-Citas-Delivery"] != second["headers"]["X-Citas-Delivery"]


def test_three_server_errors_give_up_and_return_false(receiver):
    receiver.failures = [500, 502, 503, 503]
    assert run(webhook(receiver.url)) is False
    assert len(receiver.requests) == 3


def test_a_client_error_is_not_retried(receiver):
    receiver.failures = [400, 400]
    assert run(webhook(receiver.url)) is False
    assert len(receiver.requests) == 1


def test_a_receiver_that_is_down_gives_false_without_raising():
    assert run(webhook(closed_port_url())) is False


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


def test_a_closed_case_notice_says_so(twilio):
    assert run(agent(twilio), replace(NOTICE, event="handoff.closed")) is True
    [body] = twilio.to(AGENT_WHATSAPP)
    assert "#12" in body and "cerrado" in body and "Nueva solicitud" not in body


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
        still_open = sender._session is not None and not sender._session.closed
        await sender.close()
        return delivered, still_open

    assert asyncio.run(go()) == (["twilio"], True)


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


def test_a_notice_from_a_case_stored_by_the_repository(receiver):
    engine = create_database_engine("sqlite://")
    create_schema(engine)
    repository = SqlHandoffRepository(engine)
    transcript = [{"author": "user", "text": "¿Hay lugar mañana?", "at": None},
                  {"author": "bot", "text": "Sí, ¿a qué hora?", "at": None},
                  {"author": "user", "text": "Quiero hablar con una persona", "at": None}]
    case_id = repository.open_case(
        USER, "user_request", {"goal": "crear una cita", "slots": {"appointment_time": "10:00"}},
        transcript, profile_name="José Núñez",
    )
    notice = HandoffNotice.from_case(repository.get(case_id), "https://citas.example.com")
    assert notice.case_id == case_id and notice.profile_name == "José Núñez"
    assert notice.recent == ["¿Hay lugar mañana?", "Quiero hablar con una persona"]
    assert run(webhook(receiver.url), notice) is True
    [request] = receiver.wait_for(1)
    assert request["json"]["console_url"] == f"https://citas.example.com/agent/cases/{case_id}"
    assert request["json"]["slots"] == {"appointment_time": "10:00"}
    engine.dispose()
