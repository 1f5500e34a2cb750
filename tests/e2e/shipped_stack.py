"""The stack that runs the shipped business.yml (a dental clinic, three services),
with the optional LLM switched on against a local fake OpenAI-compatible server.

Every other suite runs the one-service profile tests/business_one_service.yml (see
tests/conftest.py), so this stack is its own: its own Redis and database, the action
server and the Rasa server with BUSINESS_FILE pointing at the shipped file and "now"
fixed at Monday 30 November 2026, 08:00 in Mexico City. Session-scoped (conftest.py
imports the fixture): test_services.py and test_llm_answers.py share it.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Dict, List

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.engine import Engine

from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.tables import appointments, metadata, messages
from appointments.domain.phones import normalize_phone
from appointments.settings import PROJECT_ROOT
from tests.conftest import _postgres_test_url
from tests.e2e import servers
from tests.fakes.openai_server import FakeOpenAi

LLM_MODEL = "fake-model"
LLM_KEY = "sk-test-llm-key-0123456789"
LLM_TIMEOUT_SECONDS = 2

MODEL = servers.ROOT / "models" / "citas.tar.gz"
SHIPPED_BUSINESS = PROJECT_ROOT / "business.yml"
REFERENCE_NOW = "2026-11-30T08:00:00-06:00"  # Monday, before opening
# Environment variables that would override the file's hours and booking rules
# (appointments.settings.load_business): the file alone must decide here.
FILE_OVERRIDES = ("BUSINESS_HOURS", "BUSINESS_TIMEZONE", "SLOT_MINUTES",
                  "BOOKING_HORIZON_DAYS", "MIN_NOTICE_MINUTES", "HOLIDAYS_COUNTRY")


@dataclass
class ServicesStack:
    rasa_url: str
    engine: Engine
    llm: FakeOpenAi

    def say(self, sender: str, text: str) -> str:
        """Send one message through the REST channel; every bot text of the turn joined."""
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        return "\n".join(m.get("text", "") for m in response.json() if m.get("text"))

    def rows(self, phone: str) -> List[Dict[str, Any]]:
        """The appointments table's rows of `phone` (stored in normal form), all columns."""
        query = (select(appointments).where(appointments.c.phone == normalize_phone(phone))
                 .order_by(appointments.c.starts_at))
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def logged(self, phone: str) -> List[Dict[str, Any]]:
        """The message log's rows of `phone` (author "llm": the model's questions/answers)."""
        query = (select(messages).where(messages.c.phone == normalize_phone(phone))
                 .order_by(messages.c.id))
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]


def _database_url(tmp_path_factory) -> str:
    """PostgreSQL when reachable (a database of this module's own, emptied, so the
    session stack's database is never touched), else a fresh SQLite file."""
    try:
        url = _postgres_test_url("appointments_services")
    except pytest.skip.Exception:
        return f"sqlite:///{tmp_path_factory.mktemp('services-db') / 'appointments.db'}"
    engine = create_database_engine(url)
    metadata.drop_all(engine)  # fresh schema: the columns of this checkout
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def services_stack(tmp_path_factory) -> ServicesStack:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    logs = tmp_path_factory.mktemp("services-logs")
    database_url = _database_url(tmp_path_factory)
    engine = create_database_engine(database_url)
    create_schema(engine)
    redis_server = servers.RedisServer(
        servers.free_port(), tmp_path_factory.mktemp("services-redis"), logs / "redis.log"
    ).start()
    llm = FakeOpenAi()
    action_port, rasa_port = servers.free_port(), servers.free_port()
    token = secrets.token_urlsafe(16)
    env = servers.base_env(
        BUSINESS_FILE=str(SHIPPED_BUSINESS),
        NLU_REFERENCE_TIME=REFERENCE_NOW,
        DATABASE_URL=database_url,
        REDIS_HOST="127.0.0.1", REDIS_PORT=str(redis_server.port), REDIS_DB="0",
        REDIS_URL=f"redis://127.0.0.1:{redis_server.port}/0",
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
        RASA_API_TOKEN=token,
        AGENT_PHONE_NUMBER="", HANDOFF_WEBHOOK_URL="", TWILIO_ACCOUNT_SID="",
        LLM_BASE_URL=llm.url, LLM_API_KEY=LLM_KEY, LLM_MODEL=LLM_MODEL,
        LLM_TIMEOUT_SECONDS=str(LLM_TIMEOUT_SECONDS), LLM_DAILY_CAP_PER_PHONE="3",
    )
    for name in FILE_OVERRIDES:
        env.pop(name, None)
    started = []
    try:
        for server in (
            servers.action_server(action_port, env, logs / "actions.log"),
            servers.rasa_server(rasa_port, MODEL, token, env, logs / "rasa.log"),
        ):
            started.append(server.start())
        yield ServicesStack(f"http://127.0.0.1:{rasa_port}", engine, llm)
    finally:
        for server in reversed(started):
            server.stop()
        redis_server.stop()
        llm.stop()
        engine.dispose()
