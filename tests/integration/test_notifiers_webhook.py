"""The helpdesk webhook notifier over real HTTP (a local fake receiver): signed JSON,
retries with one delivery id, giving up, and a notice built from a stored case."""
import asyncio
import json
from datetime import datetime, timedelta, timezone

from appointments.adapters.notifiers import HandoffNotice, verify_signature
from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.handoffs import SqlHandoffRepository

from tests.integration.handoff_notices import (
    NOTICE, SECRET, USER, closed_port_url, run, webhook,
)


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
                         "language", "slots", "recent", "console_url", "sent_at"}
    assert body["language"] == "es"
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
