"""The RabbitMQ event broker (appointments/rasa/event_broker.py) against a real RabbitMQ.

Each test publishes through its own exchange and queue (deleted afterwards), so nothing
reaches the `rasa-exchange` or `citas_events` queue of a bot using the same RabbitMQ.
The broker's loop runs in asyncio debug mode, where a `create_task` from another thread
raises instead of quietly corrupting the loop.
"""
from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from typing import List, Optional

import aio_pika
import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.exceptions import ConnectionException
from rasa.utils.endpoints import EndpointConfig

from appointments.rasa.event_broker import RabbitMQEventBroker
from tests.conftest import listening

HOST, PORT = "127.0.0.1", 5672
RABBITMQ_URL = f"amqp://guest:guest@{HOST}:{PORT}/%2F"
BROKER_TYPE = "appointments.rasa.event_broker.RabbitMQEventBroker"
SENDER = "whatsapp:+5215500000001"


pytestmark = pytest.mark.skipif(
    not listening(HOST, PORT),
    reason=f"no RabbitMQ listening on {HOST}:{PORT} (these tests need a real one, guest/guest)",
)


def _endpoint(**options) -> EndpointConfig:
    """What Rasa reads from endpoints.yml: `event_broker: {type: ..., **options}`."""
    return EndpointConfig.from_dict({"type": BROKER_TYPE, **options})


def _event(number: int) -> dict:
    """An event as Rasa's tracker store streams it: sender_id plus the event's dict."""
    event = UserUttered(f"mensaje {number}") if number % 2 else ActionExecuted("utter_saludo")
    return {"sender_id": SENDER, "number": number, **event.as_dict()}


async def _received(queue_name: str, expected: int, timeout: float = 15.0) -> List[dict]:
    """The JSON bodies in the queue, once `expected` arrived (or the timeout passed)."""
    bodies: List[dict] = []
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, durable=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = await queue.get(no_ack=True, fail=False)
            if message is not None:
                bodies.append(json.loads(message.body))
            elif len(bodies) >= expected:
                break
            else:
                await asyncio.sleep(0.05)
    return bodies


@pytest.fixture
def rabbitmq(monkeypatch):
    """RABBITMQ_URL / RABBITMQ_QUEUE set for this test; returns the queue and exchange."""
    suffix = uuid.uuid4().hex[:12]
    queue, exchange = f"test-citas-events-{suffix}", f"test-rasa-exchange-{suffix}"
    monkeypatch.setenv("RABBITMQ_URL", RABBITMQ_URL)
    monkeypatch.setenv("RABBITMQ_QUEUE", queue)
    yield queue, exchange

    async def delete() -> None:
        async with await aio_pika.connect(RABBITMQ_URL) as connection:
            channel = await connection.channel()
            await channel.queue_delete(queue)
            await channel.exchange_delete(exchange)

    asyncio.run(delete())


def test_no_broker_without_rabbitmq_url(monkeypatch):
    monkeypatch.delenv("RABBITMQ_URL", raising=False)

    assert asyncio.run(RabbitMQEventBroker.from_endpoint_config(_endpoint())) is None
    # Rasa's own factory (what `rasa run` does with endpoints.yml) then has no broker.
    assert asyncio.run(EventBroker.create(_endpoint())) is None


def _publish_from_own_loop(broker: RabbitMQEventBroker, numbers: range) -> None:
    """Like a WhatsApp turn: another thread, with its own running event loop."""

    async def turn() -> None:
        assert asyncio.get_running_loop() is not broker._loop
        for number in numbers:
            broker.publish(_event(number))

    asyncio.run(turn(), debug=True)


def test_events_from_the_broker_loop_and_another_thread_arrive_in_order(
    rabbitmq, caplog, capsys
):
    queue, exchange = rabbitmq
    caplog.set_level("DEBUG")
    caplog.set_level("DEBUG", logger="rasa")

    async def scenario() -> List[dict]:
        broker = await EventBroker.create(_endpoint(exchange_name=exchange))
        assert isinstance(broker, RabbitMQEventBroker) and broker.is_ready()
        try:
            for number in range(5):  # on the broker's loop, as Rasa's REST channel does
                broker.publish(_event(number))
            await asyncio.to_thread(_publish_from_own_loop, broker, range(5, 10))
            return await _received(queue, expected=10)
        finally:
            await broker.close()

    bodies = asyncio.run(scenario(), debug=True)

    assert [body["number"] for body in bodies] == list(range(10))
    assert all(body["sender_id"] == SENDER for body in bodies)
    assert [body["event"] for body in bodies[:2]] == ["action", "user"]
    assert bodies[1]["text"] == "mensaje 1"
    logged = caplog.text + "".join(capsys.readouterr())
    assert "RabbitMQ connection to 'amqp://127.0.0.1:5672/%2F' was established" in logged
    assert "guest:guest" not in logged


@pytest.mark.parametrize("problem", ["wrong password", "nothing listening"])
def test_unusable_rabbitmq_fails_startup_after_the_configured_attempts(
    problem, monkeypatch, caplog, capsys
):
    """Rasa's behaviour, kept: `rasa run` stops with "Cannot connect to event broker."
    instead of running without the events; nothing shows the password."""
    password = "n0t-the-Pa55word"
    port = PORT
    if problem == "nothing listening":
        with socket.socket() as probe:  # a port that was free a moment ago
            probe.bind((HOST, 0))
            port = probe.getsockname()[1]
    monkeypatch.setenv("RABBITMQ_URL", f"amqp://guest:{password}@{HOST}:{port}/%2F")
    caplog.set_level("DEBUG")
    caplog.set_level("DEBUG", logger="rasa")

    async def start() -> Optional[EventBroker]:
        config = _endpoint(connection_attempts=2, retry_delay_in_seconds=0.1)
        return await asyncio.wait_for(EventBroker.create(config), timeout=30)

    started = time.monotonic()
    with pytest.raises(ConnectionException, match="Cannot connect to event broker") as error:
        asyncio.run(start())

    assert time.monotonic() - started < 15
    cause = error.value.__cause__
    assert cause is not None
    logged = caplog.text + "".join(capsys.readouterr())
    assert f"Connecting to 'amqp://{HOST}:{port}/%2F' failed" in logged
    assert password not in logged + str(error.value) + repr(cause)


def test_publish_while_the_connection_is_down_keeps_the_event_until_reconnected(
    rabbitmq, monkeypatch
):
    """After startup RabbitMQ may go away: publish must not raise into the turn; Rasa
    keeps the event and aio_pika's robust connection sends it once it reconnects."""
    queue, exchange = rabbitmq
    # aio_pika reads reconnect_interval (default 5 s) from the URL's query string.
    monkeypatch.setenv("RABBITMQ_URL", f"{RABBITMQ_URL}?reconnect_interval=1")

    async def scenario() -> List[dict]:
        broker = await EventBroker.create(_endpoint(exchange_name=exchange))
        try:
            broker.publish(_event(0))
            await asyncio.sleep(0.2)
            # Drop the AMQP connection under the robust one, as a RabbitMQ restart does.
            await broker._connection.transport.connection.close()
            broker.publish(_event(1))  # does not raise
            await asyncio.to_thread(_publish_from_own_loop, broker, range(2, 3))
            await asyncio.sleep(0.3)  # reconnect_interval is 1 s
            assert [event["number"] for event in broker._unpublished_events] == [1, 2]
            return await _received(queue, expected=3)
        finally:
            await broker.close()

    bodies = asyncio.run(scenario(), debug=True)

    assert [body["number"] for body in bodies] == [0, 1, 2]
