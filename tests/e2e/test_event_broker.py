"""With RABBITMQ_URL set, Rasa's own Pika broker (appointments/rasa/event_broker.py)
streams every conversation event to RabbitMQ: WhatsApp turns (run on the channel's
worker thread) and REST turns alike."""
from __future__ import annotations

import asyncio
import json
import time
from typing import List

import aio_pika
import pytest

from tests.e2e.twilio_client import converse


async def _drain(url: str, queue_name: str, sender: str, until: float) -> List[dict]:
    """Events of `sender` found in the queue (others are acknowledged and skipped)."""
    found: List[dict] = []
    connection = await aio_pika.connect(url)
    async with connection:
        queue = await (await connection.channel()).declare_queue(queue_name, durable=True)
        while time.monotonic() < until:
            message = await queue.get(no_ack=True, fail=False)
            if message is None:
                if any(e.get("event") == "bot" for e in found):
                    break
                await asyncio.sleep(0.1)
                continue
            event = json.loads(message.body)
            if event.get("sender_id") == sender:
                found.append(event)
    return found


def events_of(stack, sender: str) -> List[dict]:
    if "RABBITMQ_URL" not in stack.env:
        pytest.skip("no RabbitMQ listening on 127.0.0.1:5672")
    return asyncio.run(_drain(stack.env["RABBITMQ_URL"], stack.env["RABBITMQ_QUEUE"], sender,
                              time.monotonic() + 15))


def test_a_whatsapp_conversation_is_streamed_to_rabbitmq(stack, phone):
    converse(stack, phone, "hola", 0)
    events = events_of(stack, phone)
    kinds = [e["event"] for e in events]
    assert {"user", "bot", "action"} <= set(kinds)
    user = next(e for e in events if e["event"] == "user")
    assert user["text"] == "hola" and user["input_channel"] == "whatsapp"
    assert any(e["event"] == "bot" and e["text"].startswith("¡Hola!") for e in events)


def test_a_rest_conversation_is_streamed_too(stack, sender, say):
    say("hola")
    events = events_of(stack, sender)
    assert [e["text"] for e in events if e["event"] == "user"] == ["hola"]
