"""A stack configured as production is: servers started by the launchers `make run`
uses, with every default left alone (no REST_ALLOW_WHATSAPP_SENDERS, BIND_HOST unset),
its own Redis, a SQLite database and a local fake of Twilio. One per test session.

`stack_b` is a second Rasa server on the same action server, Redis and database, for the
settings a production stack must not have at once: an empty TWILIO_AUTH_TOKEN and a
REST channel opened with REST_CHANNEL_TOKEN."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

import pytest

from tests.e2e import servers
from tests.fakes.twilio_api import FakeTwilio

MODEL = servers.ROOT / "models" / "citas.tar.gz"
PUBLIC_URL = "https://citas.example.com"
TWILIO_AUTH_TOKEN = "security-auth-token"
REST_TOKEN = "rest-channel-token-for-tests"


@dataclass
class SecurityStack:
    rasa_url: str
    action_url: str
    api_token: str
    action_token: str
    database_url: str
    twilio: FakeTwilio
    env: Dict[str, str]
    logs: Path
    processes: Dict[str, servers.Server] = field(default_factory=dict)

    def api_headers(self) -> Dict[str, str]:
        return servers.api_headers(self.api_token)


def production_env(**overrides: str) -> Dict[str, str]:
    env = servers.base_env(**overrides)
    for name in ("BIND_HOST", "REST_ALLOW_WHATSAPP_SENDERS", "REST_CHANNEL_TOKEN"):
        env.pop(name, None)  # the defaults a fresh `make run` has
    env.update(overrides)
    return env


@pytest.fixture(scope="session")
def security_stack(tmp_path_factory) -> SecurityStack:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    logs = tmp_path_factory.mktemp("security-logs")
    redis_server = servers.RedisServer(
        servers.free_port(), tmp_path_factory.mktemp("security-redis"), logs / "redis.log"
    ).start()
    twilio = FakeTwilio()
    action_port, rasa_port = servers.free_port(), servers.free_port()
    database_url = f"sqlite:///{tmp_path_factory.mktemp('security-db') / 'appointments.db'}"
    api_token, action_token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    env = production_env(
        TWILIO_ACCOUNT_SID="ACtest", TWILIO_AUTH_TOKEN=TWILIO_AUTH_TOKEN,
        TWILIO_PHONE_NUMBER="whatsapp:+14155238886", TWILIO_API_BASE_URL=twilio.url,
        PUBLIC_URL=PUBLIC_URL, DATABASE_URL=database_url,
        REDIS_HOST="127.0.0.1", REDIS_PORT=str(redis_server.port), REDIS_DB="0",
        REDIS_URL=f"{redis_server.url}/0",
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
        ACTION_SERVER_TOKEN=action_token, RASA_API_TOKEN=api_token,
        NLU_REFERENCE_TIME="2026-11-30T08:00:00-06:00",
    )
    started: List[servers.Server] = []
    try:
        for server in (
            servers.action_server(action_port, env, logs / "actions.log"),
            servers.rasa_server(rasa_port, MODEL, api_token, env, logs / "rasa.log"),
        ):
            started.append(server.start())
        yield SecurityStack(
            f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}", api_token,
            action_token, database_url, twilio, env, logs,
            {"actions": started[0], "rasa": started[1]},
        )
    finally:
        for server in reversed(started):
            server.stop()
        redis_server.stop()
        twilio.stop()


@pytest.fixture(scope="session")
def stack_b(security_stack: SecurityStack) -> SecurityStack:
    """No Twilio auth token; REST open with a Bearer token (from anywhere)."""
    port = servers.free_port()
    env = dict(security_stack.env, TWILIO_AUTH_TOKEN="", REST_CHANNEL_TOKEN=REST_TOKEN)
    server = servers.rasa_server(port, MODEL, security_stack.api_token, env,
                                 security_stack.logs / "rasa-b.log").start()
    try:
        yield SecurityStack(
            f"http://127.0.0.1:{port}", security_stack.action_url, security_stack.api_token,
            security_stack.action_token, security_stack.database_url, security_stack.twilio,
            env, security_stack.logs, {"rasa": server},
        )
    finally:
        server.stop()
