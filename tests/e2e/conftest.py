"""One real stack per test session: Redis, a database, the action server and the Rasa
server with the trained model, talking over HTTP like production."""
from __future__ import annotations

import secrets
import uuid
from pathlib import Path
from typing import Callable, List, Optional

from urllib.parse import quote

import pytest
import requests
from sqlalchemy.engine import make_url

from tests.conftest import listening
from tests.e2e import servers
from tests.e2e.shipped_stack import services_stack  # noqa: F401 - the shipped business.yml's stack
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.twilio_api import FakeTwilio
from tests.fakes.webhook_receiver import WebhookReceiver

MODEL = servers.ROOT / "models" / "citas.tar.gz"
REDIS_TEST_DB = "14"
PUBLIC_URL = "https://citas.example.com"
TWILIO_AUTH_TOKEN = "test-auth-token"
TWILIO_NUMBER = "whatsapp:+14155238886"
AGENT_NUMBER = "whatsapp:+5215500000000"
HANDOFF_SECRET = "handoff-webhook-secret"
RABBITMQ = ("127.0.0.1", 5672)  # guest/guest; events go there when it listens
RATE_LIMIT = 15  # messages per sender per minute (tests use a new sender each)


def delete_queue(url: str, name: str) -> None:
    """The stack's queue is bound to Rasa's fanout exchange: left behind, it would
    collect the events of every later run."""
    import asyncio

    import aio_pika

    async def delete() -> None:
        async with await aio_pika.connect(url) as connection:
            channel = await connection.channel()
            await channel.queue_delete(name)

    asyncio.run(delete())


class Stack:
    def __init__(self, rasa_url, token, database_url, redis_url, twilio: FakeTwilio,
                 console_url: str, console_token: str, helpdesk: WebhookReceiver,
                 redis_server: servers.RedisServer, env: dict, logs: Path,
                 processes: list, db_link: Optional[TcpProxy]):
        self.rasa_url, self.token = rasa_url, token
        self.redis_server, self.env, self.logs = redis_server, env, logs
        self.db_link = db_link  # None when the stack runs on SQLite
        self.action_server, self.rasa_server = processes[0], processes[1]  # for fault tests
        self.database_url, self.redis_url = database_url, redis_url
        self.twilio = twilio
        self.console_url, self.console_token = console_url, console_token
        self.helpdesk = helpdesk  # receives the signed handoff webhooks

    def tracker(self, sender: str) -> dict:
        response = requests.get(
            f"{self.rasa_url}/conversations/{quote(sender, safe=':+')}/tracker",
            headers=servers.api_headers(self.token), timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def say(self, sender: str, text: str) -> List[str]:
        """Send one message through the REST channel; return the bot's texts."""
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        return [message.get("text", "") for message in response.json()]


@pytest.fixture(scope="session")
def stack(tmp_path_factory, e2e_database_url) -> Stack:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    logs: Path = tmp_path_factory.mktemp("logs")
    redis_server = servers.RedisServer(
        servers.free_port(), tmp_path_factory.mktemp("redis"), logs / "redis.log"
    ).start()
    host, port = "127.0.0.1", str(redis_server.port)
    redis_url = f"redis://{host}:{port}/{REDIS_TEST_DB}"
    action_port, rasa_port = servers.free_port(), servers.free_port()
    console_port = servers.free_port()
    token, console_token = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    twilio, helpdesk = FakeTwilio(), WebhookReceiver()
    db_link, servers_database_url = None, e2e_database_url
    database = make_url(e2e_database_url)
    if database.get_backend_name() == "postgresql":  # through a link a test can cut
        db_link = TcpProxy((database.host or "127.0.0.1", database.port or 5432))
        servers_database_url = str(database.set(host="127.0.0.1", port=db_link.port))
    env = servers.base_env(
        TWILIO_ACCOUNT_SID="ACtest",
        TWILIO_AUTH_TOKEN=TWILIO_AUTH_TOKEN,
        TWILIO_PHONE_NUMBER=TWILIO_NUMBER,
        TWILIO_API_BASE_URL=twilio.url,
        PUBLIC_URL=PUBLIC_URL,
        DATABASE_URL=servers_database_url,
        REDIS_HOST=host,
        REDIS_PORT=port,
        REDIS_DB=REDIS_TEST_DB,
        REDIS_URL=redis_url,
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
        RASA_API_TOKEN=token,
        RASA_URL=f"http://127.0.0.1:{rasa_port}",
        AGENT_PHONE_NUMBER=AGENT_NUMBER,
        HANDOFF_WEBHOOK_URL=helpdesk.url + "/handoff",
        HANDOFF_WEBHOOK_SECRET=HANDOFF_SECRET,
        AGENT_CONSOLE_TOKEN=console_token,
        AGENT_ACCOUNTS="", AGENT_ACCOUNTS_FILE=str(logs / "no-agent-accounts"),
        AGENT_CONSOLE_URL=f"http://127.0.0.1:{console_port}",
        WHATSAPP_RATE_LIMIT=str(RATE_LIMIT),
        WHATSAPP_RATE_WINDOW_SECONDS="60",
    )
    if listening(*RABBITMQ):
        env.update(RABBITMQ_URL=f"amqp://guest:guest@{RABBITMQ[0]}:{RABBITMQ[1]}/%2F",
                   RABBITMQ_QUEUE=f"e2e-citas-events-{uuid.uuid4().hex[:8]}")
    started = []
    try:
        for server in (
            servers.action_server(action_port, env, logs / "actions.log"),
            servers.rasa_server(rasa_port, MODEL, token, env, logs / "rasa.log"),
            servers.console_server(console_port, console_token, env, logs / "console.log"),
        ):
            started.append(server.start())
        yield Stack(f"http://127.0.0.1:{rasa_port}", token, e2e_database_url, redis_url,
                    twilio, f"http://127.0.0.1:{console_port}", console_token, helpdesk,
                    redis_server=redis_server, env=env, logs=logs, processes=started,
                    db_link=db_link)
    finally:
        for server in reversed(started):
            server.stop()
        redis_server.stop()
        if db_link:
            db_link.stop()
        if "RABBITMQ_URL" in env:
            delete_queue(env["RABBITMQ_URL"], env["RABBITMQ_QUEUE"])
        twilio.stop()
        helpdesk.stop()


@pytest.fixture
def sender() -> str:
    return f"whatsapp:+52155{uuid.uuid4().int % 10**8:08d}"


@pytest.fixture
def say(stack: Stack, sender: str) -> Callable[[str], str]:
    """say("hola") -> every bot message of that turn joined in one string."""

    def _say(text: str, who: str = sender) -> str:
        return "\n".join(stack.say(who, text))

    return _say
