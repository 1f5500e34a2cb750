"""A new session (after 60 minutes of silence) must not take the conversation from the
person who has it: Rasa's session start un-paused the bot, and a user who wrote again
after an hour got the bot while their case was still open in the console
(appointments/rasa/session_start.py)."""
from __future__ import annotations

import json

import redis

from tests.e2e.agents import CONNECTING

SESSION_MINUTES = 60  # domain.yml session_config.session_expiration_time


def age(stack, sender: str, seconds: float) -> None:
    """Move every event of the conversation SECONDS into the past, as if that long had
    passed since the user last wrote."""
    client = redis.Redis.from_url(stack.redis_url)
    key = f"citas:tracker:{sender}"
    tracker = json.loads(client.get(key))
    for event in tracker["events"]:
        event["timestamp"] -= seconds
    client.set(key, json.dumps(tracker))


def test_a_person_keeps_the_conversation_after_an_hour_of_silence(stack, say, sender):
    assert CONNECTING in say("quiero hablar con una persona, por favor")
    age(stack, sender, (SESSION_MINUTES + 30) * 60)
    reply = say("hola, ¿siguen ahí?")
    assert "Ya avisé a un agente" in reply  # the pause holds: an acknowledgement, not the bot
    assert "¡Hola" not in reply
    tracker = stack.tracker(sender)
    assert tracker["paused"] is True
    assert sum(e["event"] == "session_started" for e in tracker["events"]) >= 1


def test_a_conversation_without_a_person_starts_afresh(stack, say, sender):
    assert say("hola")
    age(stack, sender, (SESSION_MINUTES + 30) * 60)
    assert say("hola").startswith("¡Hola")
    assert stack.tracker(sender)["paused"] is False
