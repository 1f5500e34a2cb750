"""Reminder workers as real processes (`python -m appointments.worker`) against the local
fake of Twilio over HTTP: two at once on PostgreSQL never send one reminder twice, and a
worker killed while Twilio holds its answer, then started again, leaves exactly one
message at Twilio (on SQLite and PostgreSQL). The reminders are due by the real clock."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from appointments.adapters.sql.appointments import SqlAppointmentRepository
from appointments.adapters.sql.tables import appointments, messages, reminders
from appointments.domain import Appointment
from appointments.domain.handoff import utc_now
from appointments.domain.reminders import DEFAULT_OFFSETS
from tests.conftest import TZ
from tests.fakes.twilio_api import FakeTwilio
from tests.integration.test_reminder_worker import twilio_env

ROOT = Path(__file__).resolve().parents[2]
H = timedelta(hours=1)


def book_due(engine, count: int, due_in: timedelta = -21 * H) -> list:
    """`count` appointments a minute apart, booked two days ago, whose 24 h reminder is
    due `due_in` from now (by default already, and the 2 h one in an hour). Their phones."""
    repository = SqlAppointmentRepository(engine, TZ, DEFAULT_OFFSETS)
    now = utc_now().replace(microsecond=0)
    phones = []
    for n in range(count):
        start = now + 24 * H + due_in + n * timedelta(minutes=1)
        phone = f"whatsapp:+525590{n:06d}"
        repository.add(Appointment(code=f"R{n:02d}-00X", phone=phone, start=start,
                                   end=start + timedelta(minutes=1), status="booked",
                                   created_at=now - 48 * H, service="consulta"))
        phones.append(phone)
    return phones


def bring_forward(engine, by: timedelta) -> None:
    """Every appointment and its reminders `by` earlier, in one transaction."""
    with engine.begin() as connection:
        for row in connection.execute(select(appointments)).all():
            connection.execute(appointments.update().where(appointments.c.id == row.id).values(
                starts_at=row.starts_at - by, ends_at=row.ends_at - by))
        for row in connection.execute(select(reminders)).all():
            connection.execute(reminders.update().where(reminders.c.id == row.id).values(
                due_at=row.due_at - by))


def start_worker(url: str, fake: FakeTwilio, log: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false",
               **twilio_env(url, fake, TWILIO_TEMPLATE_REMINDER_SID="HXtemplate"))
    return subprocess.Popen(
        [sys.executable, "-m", "appointments.worker", "--reminder-interval", "0.2", *args],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def wait_until(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def reminder_rows(engine, kind: str = "24h"):
    with engine.connect() as connection:
        return connection.execute(select(reminders).where(reminders.c.kind == kind)).all()


def stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


@pytest.fixture
def fake(twilio):
    """The local fake of Twilio (conftest's `twilio`)."""
    return twilio


@pytest.mark.postgres
def test_two_workers_at_once_never_send_one_reminder_twice(postgres_url, fake, tmp_path):
    from appointments.adapters.sql.database import create_database_engine, create_schema
    from appointments.adapters.sql.tables import metadata

    engine = create_database_engine(postgres_url)
    metadata.drop_all(engine)
    create_schema(engine)
    phones = book_due(engine, 60, due_in=H)
    fake.delay = 0.02  # each send takes a moment, so both workers are busy at once
    logs = [tmp_path / "w1.log", tmp_path / "w2.log"]
    workers = [start_worker(postgres_url, fake, log) for log in logs]
    try:
        assert wait_until(lambda: all("maintenance started" in log.read_text() for log in logs))
        bring_forward(engine, 22 * H)  # all due at once, with both workers polling
        assert wait_until(lambda: {r.state for r in reminder_rows(engine)} == {"sent"}), \
            [(r.state, r.last_error) for r in reminder_rows(engine)]
    finally:
        codes = [stop(worker) for worker in workers]
        engine.dispose()
    output = "".join(log.read_text() for log in logs)
    assert codes == [0, 0], output
    assert sorted(m["To"] for m in fake.sent) == sorted(phones)  # each exactly once
    sent_by = {row.claimed_by.rsplit(":", 1)[0] for row in reminder_rows(engine)}
    assert len(sent_by) == 2, "one worker did all the work: no concurrency was tested"


def test_a_worker_killed_mid_send_and_started_again_sends_it_exactly_once(
        engine, database_url, fake, tmp_path):
    [phone] = book_due(engine, 1)
    fake.delay = 60  # Twilio has the message but holds its answer
    first = start_worker(database_url, fake, tmp_path / "first.log", "--claim-timeout", "1")
    try:
        assert wait_until(lambda: fake.requests == 1)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    [row] = reminder_rows(engine)
    assert row.state == "claimed"  # nobody recorded the outcome
    fake.delay = 0
    second = start_worker(database_url, fake, tmp_path / "second.log", "--claim-timeout", "1")
    try:
        assert wait_until(lambda: reminder_rows(engine)[0].state != "claimed")
        time.sleep(0.5)  # a few more rounds: nothing else goes out
    finally:
        assert stop(second) == 0, (tmp_path / "second.log").read_text()
    [row] = reminder_rows(engine)
    assert (row.state, row.last_error) == (
        "skipped", "an earlier attempt was interrupted mid-send: not sent again (at most once)")
    assert fake.requests == 1 and [m["To"] for m in fake.sent] == [phone]
    with engine.connect() as connection:
        logged = connection.execute(select(messages.c.status, messages.c.author)).all()
    assert [tuple(m) for m in logged] == [("sending", "reminder")]


def test_without_twilio_the_worker_says_once_why_it_sends_no_reminders(sqlite_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    done = subprocess.run(
        [sys.executable, "-m", "appointments.worker", "--once"], cwd=ROOT, timeout=60,
        env=dict(env, DATABASE_URL=sqlite_url, PYTHONPATH=str(ROOT)), capture_output=True,
        text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("reminders off: TWILIO_ACCOUNT_SID") == 1
    assert "maintenance started: retention every 3600 s\n" in done.stderr


def test_the_worker_refuses_a_bad_reminder_interval():
    done = subprocess.run(
        [sys.executable, "-m", "appointments.worker", "--reminder-interval", "-1"], cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--reminder-interval" in done.stderr
