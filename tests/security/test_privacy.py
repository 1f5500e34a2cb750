"""Privacy and secrets at rest: files under var/ are the owner's alone from the moment
they exist, database errors and log lines do not carry phones, and the event broker
never falls back to RabbitMQ's guest/guest."""
from __future__ import annotations

import ast
import asyncio
import importlib.util
import os
import re
import stat
from pathlib import Path

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import text
from sqlalchemy.exc import StatementError

from appointments.rasa.event_broker import RabbitMQEventBroker, connection_options
from appointments.settings import SettingsError
from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.message_log import INBOUND, SqlMessageLog

ROOT = Path(__file__).resolve().parents[2]
PHONE = "whatsapp:+5215512345678"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def no_chmod(monkeypatch):
    """A usual umask, and chmod that does nothing: what is still private was created so."""
    previous = os.umask(0o022)
    monkeypatch.setattr(os, "chmod", lambda *args, **kwargs: None)
    monkeypatch.setattr(Path, "chmod", lambda *args, **kwargs: None)
    yield
    os.umask(previous)


# --- the SQLite database --------------------------------------------------------------

def test_a_new_sqlite_database_and_its_wal_are_private_from_creation(tmp_path, no_chmod):
    database = tmp_path / "var" / "appointments.db"
    engine = create_database_engine(f"sqlite:///{database}")
    create_schema(engine)
    SqlMessageLog(engine).record(INBOUND, PHONE, "hola", "received")
    try:
        with engine.connect() as connection:  # WAL mode: -wal and -shm exist while open
            connection.execute(text("SELECT 1"))
            side_files = [p for p in database.parent.iterdir() if p != database]
            assert side_files, "expected SQLite's -wal/-shm files"
            assert {p.name: mode(p) for p in side_files} == {p.name: 0o600 for p in side_files}
    finally:
        engine.dispose()
    assert mode(database) == 0o600
    assert stat.S_IMODE(os.stat(database.parent).st_mode) & 0o077 == 0


def test_the_folder_made_for_the_database_is_0700(tmp_path):
    previous = os.umask(0o022)
    try:
        create_database_engine(f"sqlite:///{tmp_path / 'var' / 'appointments.db'}").dispose()
    finally:
        os.umask(previous)
    assert mode(tmp_path / "var") == 0o700


def test_an_existing_world_readable_database_is_tightened(tmp_path):
    database = tmp_path / "appointments.db"
    database.touch(mode=0o644)
    os.chmod(database, 0o644)
    create_database_engine(f"sqlite:///{database}").dispose()
    assert mode(database) == 0o600


# --- token files (scripts/env.py) -----------------------------------------------------

@pytest.fixture
def env_script(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("env_script", ROOT / "scripts" / "env.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "VAR", tmp_path / "var")
    return module


def test_a_token_file_is_0600_from_creation_and_var_is_0700(env_script, tmp_path, no_chmod):
    value = env_script.token(None, "rasa-api-token")
    path = tmp_path / "var" / "rasa-api-token"
    assert len(value) >= 32 and path.read_text().strip() == value
    assert mode(path) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "var").st_mode) & 0o077 == 0
    assert [p.name for p in (tmp_path / "var").iterdir()] == ["rasa-api-token"]  # no temp left


def test_a_token_is_kept_across_starts_and_a_set_value_wins(env_script, tmp_path):
    first = env_script.token(None, "agent-console-token")
    assert env_script.token(None, "agent-console-token") == first
    assert env_script.token("from-the-environment", "agent-console-token") == "from-the-environment"


def test_an_old_readable_token_file_is_tightened(env_script, tmp_path):
    (tmp_path / "var").mkdir()
    old = tmp_path / "var" / "action-server-token"
    old.write_text("old-token\n")
    os.chmod(old, 0o644)
    assert env_script.token(None, "action-server-token") == "old-token"
    assert mode(old) == 0o600


# --- database errors ------------------------------------------------------------------

def test_a_failed_statement_does_not_carry_the_phone_into_logs(tmp_path):
    engine = create_database_engine(f"sqlite:///{tmp_path / 'appointments.db'}")
    create_schema(engine)
    try:
        with pytest.raises(StatementError) as error, engine.begin() as connection:
            connection.execute(text("INSERT INTO messages (phone, body) VALUES (:phone, :body)"),
                               {"phone": PHONE, "body": "mi dirección es Calle 5"})
    finally:
        engine.dispose()
    assert "5512345678" not in str(error.value) and "Calle 5" not in str(error.value)


# --- the event broker -----------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "amqp://127.0.0.1:5672/%2F", "amqp://rabbit.internal/", "amqps://user@rabbit.example.com/",
    "amqp://user:@rabbit.internal/", "amqp://:secret-pass@rabbit.internal/",
])
def test_a_rabbitmq_url_without_credentials_is_refused(url):
    with pytest.raises(SettingsError, match="user and a password") as error:
        connection_options(url)
    assert "secret-pass" not in str(error.value) and "rabbit" not in str(error.value)


def test_credentials_in_the_url_are_used_and_kept_out_of_the_host():
    options = connection_options("amqps://citas:s3cr%40t@rabbit.example.com/prod")
    assert options == {"host": "amqps://rabbit.example.com/prod", "username": "citas",
                       "password": "s3cr%40t", "port": 5671}


def test_rasa_start_up_stops_with_a_clear_error_instead_of_using_guest(monkeypatch, caplog):
    monkeypatch.setenv("RABBITMQ_URL", "amqp://127.0.0.1:5672/%2F")
    config = EndpointConfig.from_dict(
        {"type": "appointments.rasa.event_broker.RabbitMQEventBroker"})
    with pytest.raises(SettingsError, match="RABBITMQ_URL needs a user and a password"):
        asyncio.run(EventBroker.create(config))
    with pytest.raises(SettingsError):
        asyncio.run(RabbitMQEventBroker.from_endpoint_config(config))
    assert "RabbitMQ event broker not started: RABBITMQ_URL needs" in caplog.text


# --- log lines ------------------------------------------------------------------------
# A logging call must not pass a phone, a sender or a Redis key holding one unless it
# goes through mask_phone / mask_key / redact_phones (appointments/privacy.py).

SENSITIVE = re.compile(r"^(phone|phones|sender|sender_id|to|recipient|number|conversation_id"
                       r"|key|keys|lease|queue|working|profile_name)$")
MASKS = {"mask_phone", "mask_key", "redact_phones"}
LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
SOURCES = sorted(p.relative_to(ROOT).as_posix() for folder in ("appointments", "actions")
                 for p in (ROOT / folder).rglob("*.py"))
PENDING: dict = {}  # files whose fix is pending (none)


def _name(node: ast.AST):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
        return _name(node.value)
    return None


def _unmasked(node: ast.AST) -> list:
    if isinstance(node, ast.Call):
        called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        return [] if called in MASKS else [n for arg in node.args for n in _unmasked(arg)]
    name = _name(node)
    if name and SENSITIVE.match(name):
        return [name]
    return [n for child in ast.iter_child_nodes(node) for n in _unmasked(child)]


def unmasked_log_arguments(source: str) -> list:
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in LOG_METHODS and "log" in (_name(node.func.value) or "")):
            found += [f"line {node.lineno}: {name}" for arg in node.args for name in _unmasked(arg)]
    return found


def test_the_log_line_check_catches_what_it_should():
    assert unmasked_log_arguments('logger.warning("lease %s", lease)') == ["line 1: lease"]
    assert unmasked_log_arguments('logger.info(f"{phone} said")') == ["line 1: phone"]
    assert unmasked_log_arguments('logger.error("%s", case["phone"])') == ["line 1: phone"]
    assert unmasked_log_arguments('logger.error("%s", keys[0])') == ["line 1: keys"]
    assert unmasked_log_arguments('logger.info("%s", mask_phone(phone))') == []
    assert unmasked_log_arguments('logger.info("case %s", case_id)') == []


@pytest.mark.parametrize("path", [
    pytest.param(path, marks=pytest.mark.xfail(strict=True, reason=PENDING[path]))
    if path in PENDING else path for path in SOURCES
])
def test_no_log_line_prints_a_phone_or_a_key_holding_one(path):
    assert unmasked_log_arguments((ROOT / path).read_text()) == []
