"""A real stack with HELPDESK set, for the helpdesk end-to-end tests (one module per
product): its own Redis, database and fake Twilio, the action server and the Rasa server
(which serves /helpdesk/<product>/webhook), pointed at the product's fake API through the
settings the fake gives (`fake.env()`). No agent phone and no generic webhook: whether
the user hears "a person will write" depends on the helpdesk alone. "Now" is a Wednesday
at 10:00, inside business hours, and a helpdesk that was down is retried after a second.

Use it from a module-scoped fixture (helpdesk_steps.py has the steps the tests share):

    @pytest.fixture(scope="module")
    def stack(tmp_path_factory):
        yield from serve_stack(tmp_path_factory, FakeChatwoot())  # helpdesk_steps.py
"""
from __future__ import annotations

import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from sqlalchemy.engine import Engine

from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.handoffs import SqlHandoffRepository
from appointments.adapters.sql.tables import metadata
from tests.conftest import _postgres_test_url
from tests.e2e import servers
from tests.e2e.conftest import PUBLIC_URL, TWILIO_AUTH_TOKEN, TWILIO_NUMBER
from tests.fakes.twilio_api import FakeTwilio

MODEL = servers.ROOT / "models" / "citas.tar.gz"
REFERENCE_NOW = "2026-11-25T10:00:00-06:00"  # a Wednesday, open


@dataclass
class HelpdeskStack:
    rasa_url: str
    token: str
    env: Dict[str, str]
    twilio: FakeTwilio
    engine: Engine
    fake: Any  # the product's fake API
    logs: Path

    def webhook_url(self, product: str) -> str:
        return f"{self.rasa_url}/helpdesk/{product}/webhook"

    def tracker(self, sender: str) -> Dict[str, Any]:
        import requests
        from urllib.parse import quote

        reply = requests.get(f"{self.rasa_url}/conversations/{quote(sender, safe=':+')}/tracker",
                             headers=servers.api_headers(self.token), timeout=10)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def open_cases(self) -> List[Dict[str, Any]]:
        return SqlHandoffRepository(self.engine).list_open()

    def run_worker(self) -> str:
        """One round of the real worker process; its log."""
        done = subprocess.run([sys.executable, "-m", "appointments.worker", "--once"],
                              env=self.env, cwd=servers.ROOT, timeout=120,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stderr


def _database_url(tmp_path_factory, product: str) -> str:
    try:
        url = _postgres_test_url(f"appointments_helpdesk_{product}")
    except pytest.skip.Exception:
        return f"sqlite:///{tmp_path_factory.mktemp(product + '-db') / 'appointments.db'}"
    engine = create_database_engine(url)
    metadata.drop_all(engine)
    engine.dispose()
    return url


def helpdesk_stack(tmp_path_factory, product: str, helpdesk_env: Dict[str, str],
                   fake: Any = None) -> Iterator[HelpdeskStack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    logs = tmp_path_factory.mktemp(f"{product}-logs")
    database_url = _database_url(tmp_path_factory, product)
    engine = create_database_engine(database_url)
    create_schema(engine)
    redis_server = servers.RedisServer(
        servers.free_port(), tmp_path_factory.mktemp(f"{product}-redis"), logs / "redis.log"
    ).start()
    twilio = FakeTwilio()
    action_port, rasa_port = servers.free_port(), servers.free_port()
    token = secrets.token_urlsafe(16)
    env = servers.base_env(
        TWILIO_ACCOUNT_SID="ACtest", TWILIO_AUTH_TOKEN=TWILIO_AUTH_TOKEN,
        TWILIO_PHONE_NUMBER=TWILIO_NUMBER, TWILIO_API_BASE_URL=twilio.url,
        PUBLIC_URL=PUBLIC_URL, DATABASE_URL=database_url,
        REDIS_HOST="127.0.0.1", REDIS_PORT=str(redis_server.port), REDIS_DB="0",
        REDIS_URL=f"redis://127.0.0.1:{redis_server.port}/0",
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
        RASA_API_TOKEN=token, RASA_URL=f"http://127.0.0.1:{rasa_port}",
        AGENT_PHONE_NUMBER="", HANDOFF_WEBHOOK_URL="", NLU_REFERENCE_TIME=REFERENCE_NOW,
        HELPDESK_RETRY_SECONDS="1", REMINDER_OFFSETS="none", WHATSAPP_RATE_LIMIT="0",
        **helpdesk_env,
    )
    started = []
    try:
        for server in (
            servers.action_server(action_port, env, logs / "actions.log"),
            servers.rasa_server(rasa_port, MODEL, token, env, logs / "rasa.log"),
        ):
            started.append(server.start())
        yield HelpdeskStack(f"http://127.0.0.1:{rasa_port}", token, env, twilio, engine,
                            fake, logs)
    finally:
        for server in reversed(started):
            server.stop()
        redis_server.stop()
        twilio.stop()
        engine.dispose()
