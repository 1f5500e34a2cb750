"""A stack of its own for the conversation suite: the real Rasa server and action
server over HTTP, its own Redis, a database (PostgreSQL when reachable), and a fixed
"now" (Monday 30 November 2026, 08:00 in Mexico City, before opening) so that every
"mañana" and "el viernes" in the scripts means the same day on every run."""
from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any, List, Optional

import pytest
import requests
from sqlalchemy import delete

from appointments.domain.appointment import BOOKED, Appointment
from appointments.domain.codes import generate_code
from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.appointments import SqlAppointmentRepository
from appointments.adapters.sql.tables import appointments, handoff_cases
from tests.conftest import TZ, _postgres_test_url, business_calendar
from tests.conversations.runner import Backend
from tests.e2e import servers

REFERENCE_NOW = datetime(2026, 11, 30, 8, 0, tzinfo=TZ)
MODEL = servers.ROOT / "models" / "citas.tar.gz"


def _database_url(tmp_path_factory) -> str:
    try:
        return _postgres_test_url("appointments_conversations")
    except pytest.skip.Exception:
        return f"sqlite:///{tmp_path_factory.mktemp('conv') / 'appointments.db'}"


@pytest.fixture(scope="session")
def conversation_backend(tmp_path_factory) -> Backend:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    logs = tmp_path_factory.mktemp("conversation-logs")
    database_url = _database_url(tmp_path_factory)
    engine = create_database_engine(database_url)
    create_schema(engine)
    calendar = business_calendar()
    repository = SqlAppointmentRepository(engine, TZ)
    redis_server = servers.RedisServer(
        servers.free_port(), tmp_path_factory.mktemp("conv-redis"), logs / "redis.log"
    ).start()
    action_port, rasa_port = servers.free_port(), servers.free_port()
    token = secrets.token_urlsafe(16)
    env = servers.base_env(
        DATABASE_URL=database_url,
        REDIS_HOST="127.0.0.1", REDIS_PORT=str(redis_server.port), REDIS_DB="0",
        REDIS_URL=f"redis://127.0.0.1:{redis_server.port}/0",
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
        RASA_API_TOKEN=token,
        NLU_REFERENCE_TIME=REFERENCE_NOW.isoformat(),
        BUSINESS_HOURS="mon-fri 09:00-18:00; sat 09:00-13:00",
        BUSINESS_TIMEZONE="America/Mexico_City",
        HOLIDAYS_COUNTRY="MX",
        AGENT_PHONE_NUMBER="", HANDOFF_WEBHOOK_URL="", TWILIO_ACCOUNT_SID="",
    )
    started = []
    rasa_url = f"http://127.0.0.1:{rasa_port}"

    def say(sender: str, text: str) -> List[str]:
        response = requests.post(
            f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
            timeout=60,
        )
        response.raise_for_status()
        return [m.get("text", "") for m in response.json() if m.get("text")]

    def reset() -> None:
        with engine.begin() as connection:
            connection.execute(delete(handoff_cases))
            connection.execute(delete(appointments))

    def seed(phone: str, at: datetime, code: Optional[str]) -> str:
        start = calendar.localize(at)
        return repository.add(Appointment(
            code=code or generate_code(), phone=phone, start=start,
            end=calendar.slot_end(start), status=BOOKED, created_at=REFERENCE_NOW,
        )).code

    def booked(phone: str) -> List[Any]:
        return repository.booked_for_phone(phone, REFERENCE_NOW)

    try:
        for server in (
            servers.action_server(action_port, env, logs / "actions.log"),
            servers.rasa_server(rasa_port, MODEL, token, env, logs / "rasa.log"),
        ):
            started.append(server.start())
        yield Backend(say, reset, seed, booked)
    finally:
        for server in reversed(started):
            server.stop()
        redis_server.stop()
        engine.dispose()
