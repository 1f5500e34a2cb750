"""Retention (appointments/adapters/sql/retention.py, `python -m appointments.worker`):
old messages, closed cases and past appointments go; recent and open ones stay. On SQLite
and a real PostgreSQL (a database of its own, so other suites' runs cannot drop its tables
mid-test); Rasa's trackers expire in a real Redis."""
from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, inspect, select

from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.retention import purge_expired
from appointments.adapters.sql.tables import appointments, handoff_cases, messages, metadata, utc_now
from tests.conftest import _postgres_test_url, listening

ROOT = Path(__file__).resolve().parents[2]
NOW = utc_now().replace(microsecond=0)
PHONE = "whatsapp:+5215512345678"


@pytest.fixture(scope="session")
def retention_postgres_url() -> str:
    return _postgres_test_url("appointments_retention_test")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def retention_url(request, sqlite_url) -> str:
    return sqlite_url if request.param == "sqlite" else request.getfixturevalue(
        "retention_postgres_url")


@pytest.fixture
def engine(retention_url):
    engine = create_database_engine(retention_url)
    metadata.drop_all(engine)
    create_schema(engine)
    yield engine
    engine.dispose()


def days_ago(days: float):
    return NOW - timedelta(days=days)


def add_message(engine, tag: str, age_days: float) -> None:
    with engine.begin() as connection:
        connection.execute(messages.insert().values(
            direction="in", phone=PHONE, body=tag, status="received",
            created_at=days_ago(age_days)))


def add_case(engine, tag: str, age_days: float, closed_days_ago=None) -> None:
    closed = closed_days_ago is not None
    with engine.begin() as connection:
        connection.execute(handoff_cases.insert().values(
            phone=PHONE, profile_name=tag, reason="user_request",
            summary='{"goal": "cita"}', transcript='[{"author": "user", "text": "hola"}]',
            status="closed" if closed else "open", created_at=days_ago(age_days),
            updated_at=days_ago(closed_days_ago if closed else age_days),
            closed_at=days_ago(closed_days_ago) if closed else None,
            closed_by="agent" if closed else None))


def add_appointment(engine, code: str, starts_days_ago: float, cancelled_days_ago=None,
                    booked_days_ago: float = 400) -> None:
    start = days_ago(starts_days_ago)
    cancelled = cancelled_days_ago is not None
    with engine.begin() as connection:
        connection.execute(appointments.insert().values(
            code=code, phone=PHONE, starts_at=start, ends_at=start + timedelta(minutes=30),
            status="cancelled" if cancelled else "booked", created_at=days_ago(booked_days_ago),
            cancelled_at=days_ago(cancelled_days_ago) if cancelled else None))


def remaining(engine, column) -> set:
    with engine.connect() as connection:
        return set(connection.execute(select(column)).scalars())


def test_old_rows_go_and_recent_or_open_ones_stay(engine):
    add_message(engine, "viejo", 200)
    add_message(engine, "casi", 179)
    add_message(engine, "nuevo", 1)
    add_case(engine, "cerrado-viejo", 300, closed_days_ago=200)
    add_case(engine, "cerrado-reciente", 300, closed_days_ago=10)
    add_case(engine, "abierto-viejo", 400)
    add_appointment(engine, "PASADA1", starts_days_ago=200)  # ended long ago
    add_appointment(engine, "RECIEN1", starts_days_ago=10)  # ended recently
    add_appointment(engine, "FUTURA1", starts_days_ago=-5)  # upcoming, booked 400 days ago
    add_appointment(engine, "CANCEL1", starts_days_ago=-5, cancelled_days_ago=190)
    add_appointment(engine, "CANCEL2", starts_days_ago=-5, cancelled_days_ago=3)

    result = purge_expired(engine, retention_days=180, now=NOW)

    assert (result.messages, result.handoff_cases, result.appointments) == (1, 1, 2)
    assert not result.stopped
    assert remaining(engine, messages.c.body) == {"casi", "nuevo"}
    assert remaining(engine, handoff_cases.c.profile_name) == {"cerrado-reciente", "abierto-viejo"}
    assert remaining(engine, appointments.c.code) == {"RECIEN1", "FUTURA1", "CANCEL2"}
    # a second run finds nothing more
    assert purge_expired(engine, retention_days=180, now=NOW).total == 0


def test_the_retention_period_is_the_one_given(engine):
    add_message(engine, "40 días", 40)
    add_message(engine, "20 días", 20)

    assert purge_expired(engine, retention_days=30, now=NOW).messages == 1
    assert remaining(engine, messages.c.body) == {"20 días"}


def test_rows_go_in_batches_one_transaction_each(engine):
    for number in range(10):
        add_message(engine, f"viejo {number}", 200 + number)
    add_message(engine, "nuevo", 1)
    commits = []
    event.listen(engine, "commit", lambda connection: commits.append(1))

    result = purge_expired(engine, retention_days=180, now=NOW, batch_size=3)

    assert result.messages == 10
    assert len(commits) >= 4  # 3 + 3 + 3 + 1 messages, then the other tables
    assert remaining(engine, messages.c.body) == {"nuevo"}


def test_a_stop_request_ends_the_purge_between_batches(engine):
    for number in range(10):
        add_message(engine, f"viejo {number}", 200)
    batches = []

    def stop_after_two() -> bool:
        batches.append(1)
        return len(batches) > 2

    result = purge_expired(engine, 180, now=NOW, batch_size=3, should_stop=stop_after_two)

    assert result.stopped and result.messages == 6
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(messages)).scalar() == 4


def test_the_message_index_for_the_purge_is_added_to_an_existing_database(engine):
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_messages_created_at")
    create_schema(engine)  # what every start does

    assert "ix_messages_created_at" in {i["name"] for i in inspect(engine).get_indexes("messages")}


def _wait_for(process: subprocess.Popen, lines: list, text: str, count: int, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and sum(text in line for line in lines) < count:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
    return sum(text in line for line in lines) >= count


def test_the_maintenance_process_purges_at_start_and_every_interval_then_stops_on_sigterm(
    engine, retention_url
):
    add_message(engine, "viejo", 40)
    add_message(engine, "nuevo", 1)
    add_case(engine, "cerrado-viejo", 50, closed_days_ago=40)
    env = dict(os.environ, DATABASE_URL=retention_url, RETENTION_DAYS="30",
               PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false")
    process = subprocess.Popen(
        [sys.executable, "-m", "appointments.worker", "--interval", "0.3"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list = []
    try:
        assert _wait_for(process, lines, "retention (30 days)", 2, timeout=60), "".join(lines)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    log = "".join(lines) + output

    assert process.returncode == 0, log
    assert "removed 1 messages, 1 handoff cases, 0 appointments" in log
    assert "SIGTERM received: stopped cleanly" in log
    assert "5512345678" not in log and "5678" not in log  # counts only, no phones
    assert remaining(engine, messages.c.body) == {"nuevo"}
    assert remaining(engine, handoff_cases.c.id) == set()


def test_the_maintenance_process_refuses_a_bad_interval():
    done = subprocess.run(
        [sys.executable, "-m", "appointments.worker", "--interval", "0"],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True,
        timeout=60)
    assert done.returncode == 2 and "--interval" in done.stderr


@pytest.mark.skipif(not listening("127.0.0.1", 6379), reason="no Redis on 127.0.0.1:6379")
def test_rasa_trackers_expire_in_redis_after_tracker_ttl_seconds(monkeypatch):
    """endpoints.yml gives Rasa's Redis tracker store `record_exp: ${TRACKER_TTL_SECONDS}`;
    each save sets the key's TTL again, so a conversation goes that long after its last
    turn. (This is why the database purge leaves trackers alone.)"""
    import redis
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    prefix = f"retentiontest{uuid.uuid4().hex[:8]}"
    endpoints_file = ROOT / "endpoints.yml"
    # what endpoints.yml reads that this test does not care about (action server...)
    for name in re.findall(r"\$\{(\w+)\}", endpoints_file.read_text()):
        monkeypatch.setenv(name, os.environ.get(name) or "placeholder")
    for name, value in {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379", "REDIS_DB": "0",
                        "REDIS_PASSWORD": "", "REDIS_KEY_PREFIX": prefix,
                        "TRACKER_TTL_SECONDS": "1234"}.items():
        monkeypatch.setenv(name, value)
    endpoints = AvailableEndpoints.read_endpoints(str(endpoints_file))
    store = TrackerStore.create(endpoints.tracker_store, domain=Domain.empty())
    tracker = DialogueStateTracker.from_events(PHONE, [UserUttered("hola")])
    client = redis.Redis(host="127.0.0.1", port=6379, db=0)
    key = store.key_prefix + PHONE
    try:
        asyncio.run(store.save(tracker))
        assert 1200 < client.ttl(key) <= 1234
    finally:
        client.delete(key)
