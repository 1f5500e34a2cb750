"""Rasa's RabbitMQ event broker, set up from RABBITMQ_URL and callable from any thread.

endpoints.yml names this class instead of `type: pika` because Rasa's broker alone does
not fit here in three ways:

- endpoints.yml cannot say `${RABBITMQ_URL}`: Rasa refuses to start when a variable it
  names is unset. So the class reads RABBITMQ_URL and RABBITMQ_QUEUE (Settings) itself;
  with no RABBITMQ_URL it returns None, which Rasa takes as "no event broker". A URL
  without user and password stops the start-up with a SettingsError (no guest/guest).
- Rasa logs the broker's `host` (on connecting, on every publish and failure). Given the
  URL as host it would log the password, so the credentials are passed apart; Rasa puts
  them back only into the URL it hands to aio_pika, which masks the password in its logs.
- `PikaEventBroker.publish` calls `create_task` on the loop the broker was built on
  (the web server's). WhatsApp turns run on a loop of their own in a worker thread
  (appointments/rasa/channels/turns.py), and `create_task` from another thread is not
  thread-safe; from there the publish is handed over with `call_soon_threadsafe`, which
  keeps one thread's events in order.

The rest is Rasa's: a durable queue bound to a fanout exchange, persistent JSON messages,
retries on connecting, and events kept while RabbitMQ is away and sent after aio_pika
reconnects. Other PikaEventBroker options written in endpoints.yml (`connection_attempts`,
`retry_delay_in_seconds`, `exchange_name`...) are passed on.
"""
from __future__ import annotations

import asyncio
import logging
from asyncio import AbstractEventLoop
from typing import Any, Dict, Optional, Text
from urllib.parse import urlsplit, urlunsplit

import rasa.shared.core.events  # noqa: F401 - PikaEventBroker._publish uses it unimported
from rasa.core.brokers.pika import PikaEventBroker
from rasa.utils.endpoints import EndpointConfig

from appointments.settings import Settings, SettingsError

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"amqp": 5672, "amqps": 5671}


def connection_options(url: str) -> Dict[str, Any]:
    """Split an amqp(s):// URL into PikaEventBroker's host (the URL without credentials,
    safe to log), username, password and port.

    A URL without user and password is refused: RabbitMQ's guest/guest works only from
    the same machine and is the first password anyone tries, so it is never assumed.
    The error names neither the URL nor the password."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise SettingsError("RABBITMQ_URL must start with amqp:// or amqps://")
    if not parts.username or not parts.password:
        raise SettingsError(
            "RABBITMQ_URL needs a user and a password (amqp://user:password@host:5672/vhost); "
            "guest/guest is never assumed"
        )
    return {
        "host": urlunsplit(
            (parts.scheme, parts.netloc.rpartition("@")[2], parts.path, parts.query, "")
        ),
        # Left percent-encoded: Rasa writes them back into a URL.
        "username": parts.username,
        "password": parts.password,
        "port": parts.port or DEFAULT_PORTS[parts.scheme],
    }


class RabbitMQEventBroker(PikaEventBroker):
    @classmethod
    async def from_endpoint_config(
        cls,
        broker_config: Optional[EndpointConfig],
        event_loop: Optional[AbstractEventLoop] = None,
    ) -> Optional["RabbitMQEventBroker"]:
        settings = Settings.from_env()
        if not settings.rabbitmq_url:
            return None
        options = dict(broker_config.kwargs) if broker_config else {}
        try:
            options.update(connection_options(settings.rabbitmq_url))
        except SettingsError as error:  # stop the start-up, and say why in the log
            logger.error("RabbitMQ event broker not started: %s", error)
            raise
        options["queues"] = [settings.rabbitmq_queue]
        broker = cls(event_loop=event_loop, **options)
        await broker.connect()
        return broker

    def publish(
        self, event: Dict[Text, Any], headers: Optional[Dict[Text, Text]] = None
    ) -> None:
        """Rasa's publish, always run on the broker's loop, whichever thread calls it."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            super().publish(event, headers)
            return
        try:
            self._loop.call_soon_threadsafe(super().publish, event, headers)
        except RuntimeError:  # its loop is closed: the server is stopping
            logger.warning(
                "a '%s' event was not sent to RabbitMQ: shutting down", event.get("event")
            )
