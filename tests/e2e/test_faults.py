"""Faults the assistant must survive, through the real stack: the action server down,
Redis crashing mid-conversation, PostgreSQL unreachable, Twilio failing, a flood."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from appointments.adapters.sql.database import create_database_engine
from appointments.adapters.sql.tables import appointments, messages
from appointments.domain.phones import normalize_phone
from appointments.domain.response_texts import variation_text
from tests.e2e.conftest import RATE_LIMIT
from tests.e2e.twilio_client import converse, post
from tests.e2e.test_whatsapp import CODE

RESPONSES = yaml.safe_load((Path(__file__).parents[2] / "domain.yml").read_text())["responses"]
TRY_AGAIN = variation_text(RESPONSES["utter_try_again_later"], "es")
RATE_LIMITED = variation_text(RESPONSES["utter_rate_limited"], "es")


def rows(stack, table, phone):
    engine = create_database_engine(stack.database_url)
    with engine.connect() as connection:
        found = connection.execute(
            select(table).where(table.c.phone == normalize_phone(phone)).order_by(table.c.id)
        ).mappings().all()
    engine.dispose()
    return found


def up_to_confirmation(stack, phone):
    """"1" (book), "1" (first day), "cualquiera" (first time): the bot asks to confirm."""
    sent = 0
    for body in ("1", "1", "cualquiera"):
        replies = converse(stack, phone, body, sent)
        sent += len(replies)
    assert "¿Confirmas tu cita" in replies[-1]
    return sent


def test_action_server_down_the_user_is_asked_to_try_again_and_nothing_is_lost(stack, phone):
    stack.action_server.stop()
    try:
        assert converse(stack, phone, "mis citas", 0) == [TRY_AGAIN]
    finally:
        stack.action_server.start()
    inbound = [r["body"] for r in rows(stack, messages, phone) if r["direction"] == "in"]
    assert inbound == ["mis citas"]
    # Back up: the same question now gets its real answer.
    [answer] = converse(stack, phone, "mis citas", 1)
    assert answer.startswith("No tienes citas próximas")


def test_redis_crash_mid_booking_the_conversation_continues_where_it_was(stack, phone):
    sent = 0
    for body in ("1", "1"):  # book, first day: the bot lists the free times
        replies = converse(stack, phone, body, sent)
        sent += len(replies)
    assert "Horarios libres el" in replies[-1]

    stack.redis_server.crash()  # SIGKILL, no clean shutdown
    # The user picks the first time offered while Redis is still down...
    assert post(stack, phone, "cualquiera").status_code == 200
    time.sleep(1.0)
    stack.redis_server.start()  # ...and it comes back, with its data (appendonly)

    replies = stack.twilio.wait_for(phone, sent + 1)[sent:]
    time.sleep(0.3)
    replies = stack.twilio.to(phone)[sent:]
    sent += len(replies)
    assert "¿Confirmas tu cita" in replies[-1]
    replies = converse(stack, phone, "sí", sent)
    assert CODE.search(replies[-1]), replies
    assert len(rows(stack, appointments, phone)) == 1


def test_postgres_down_at_confirmation_books_nothing_and_says_so(stack, phone):
    if stack.db_link is None:
        pytest.skip("the stack runs on SQLite (no PostgreSQL answered)")
    sent = up_to_confirmation(stack, phone)
    stack.db_link.cut()
    try:
        replies = converse(stack, phone, "sí", sent)
        sent += len(replies)
    finally:
        stack.db_link.restore()
    booking_failed = variation_text(RESPONSES["utter_booking_failed"], "es")
    assert replies[-1] in (booking_failed, TRY_AGAIN), replies
    assert rows(stack, appointments, phone) == []  # nothing half-written
    # PostgreSQL is back: booking again works, and books exactly one appointment.
    for body in ("1", "1", "cualquiera", "sí"):
        replies = converse(stack, phone, body, sent)
        sent += len(replies)
    assert CODE.search(replies[-1]), replies
    assert [r["status"] for r in rows(stack, appointments, phone)] == ["booked"]


def test_twilio_failing_twice_is_retried_and_the_reply_still_arrives(stack, phone):
    stack.twilio.failures = [503, 500]
    assert post(stack, phone, "hola").status_code == 200
    greeting, menu = stack.twilio.wait_for(phone, 2)
    assert greeting.startswith("¡Hola!") and "1. Crear una cita" in menu
    time.sleep(0.5)
    outbound = [r for r in rows(stack, messages, phone) if r["direction"] == "out"]
    assert [r["status"] for r in outbound] == ["queued", "queued"]


def test_twilio_refusing_a_message_is_logged_and_the_next_one_still_goes(stack, phone):
    stack.twilio.failures = [400]  # e.g. an invalid number: retrying would not help
    assert post(stack, phone, "hola").status_code == 200
    [menu] = stack.twilio.wait_for(phone, 1)
    assert "1. Crear una cita" in menu
    time.sleep(0.5)
    outbound = [r for r in rows(stack, messages, phone) if r["direction"] == "out"]
    assert [r["status"] for r in outbound] == ["failed", "queued"]
    assert outbound[0]["error"]


def test_a_flood_gets_one_polite_answer_and_every_message_is_logged(stack, phone):
    for _ in range(RATE_LIMIT + 3):
        assert post(stack, phone, "hola").status_code == 200
    expected = 2 * RATE_LIMIT + 1  # greeting + menu per allowed message, then one notice
    bodies = stack.twilio.wait_for(phone, expected, timeout=60)
    time.sleep(1.5)
    assert len(stack.twilio.to(phone)) == expected
    assert bodies[-1] == RATE_LIMITED
    inbound = [r for r in rows(stack, messages, phone) if r["direction"] == "in"]
    assert len(inbound) == RATE_LIMIT + 3
