"""How many reminders per minute one worker (`python -m appointments.worker`) sends, and
its memory (RSS), against the local fake of Twilio served over HTTP (it answers at
once, so this is our own cost per reminder: claim, checks, message log, HTTP, marks).

Books `--count` appointments whose 24 h reminder is already due (the template path:
nobody wrote in the last 24 h), starts one worker and times it from the first message
at the fake to the last reminder marked sent. On SQLite (a temporary file) and, when it
answers, on PostgreSQL (database `appointments_bench` on TEST_POSTGRES_URL's server).

    .venv/bin/python bench/reminders_throughput.py [--count 600]
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Optional
from zoneinfo import ZoneInfo

import psutil
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appointments.adapters.sql.appointments import SqlAppointmentRepository  # noqa: E402
from appointments.adapters.sql.database import create_database_engine, create_schema  # noqa: E402
from appointments.adapters.sql.tables import metadata, reminders  # noqa: E402
from appointments.domain import Appointment  # noqa: E402
from appointments.domain.handoff import utc_now  # noqa: E402
from appointments.domain.reminders import DEFAULT_OFFSETS  # noqa: E402
from tests.fakes.twilio_api import FakeTwilio  # noqa: E402

H = timedelta(hours=1)
TZ = ZoneInfo("America/Mexico_City")
BUSINESS = ROOT / "tests" / "business_one_service.yml"


def postgres_url() -> Optional[str]:
    base = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        admin = create_engine(base, isolation_level="AUTOCOMMIT", future=True,
                              connect_args={"connect_timeout": 3})
        with admin.connect() as connection:
            if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = "
                                           "'appointments_bench'")).first():
                connection.execute(text('CREATE DATABASE "appointments_bench"'))
        admin.dispose()
        url = str(make_url(base).set(database="appointments_bench"))
        bench = create_engine(url, future=True)
        with bench.begin() as connection:  # a search_path given in the URL's options
            schema = connection.execute(text("SHOW search_path")).scalar()
            schema = schema.split(",")[0].strip().strip('"')
            if schema != "$user":
                connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        bench.dispose()
    except Exception as error:  # noqa: BLE001 - no PostgreSQL: SQLite only
        print(f"PostgreSQL not reachable ({error.__class__.__name__}): SQLite only")
        return None
    return url


def book_due(url: str, count: int) -> None:
    engine = create_database_engine(url)
    metadata.drop_all(engine)
    create_schema(engine)
    repository = SqlAppointmentRepository(engine, TZ, DEFAULT_OFFSETS)
    now = utc_now().replace(microsecond=0)
    for n in range(count):
        start = now + 3 * H + n * timedelta(seconds=20)
        repository.add(Appointment(
            code=f"B{n // 1000}{n // 100 % 10}-{n % 100:02d}X", phone=f"whatsapp:+52155{n:08d}",
            start=start, end=start + timedelta(seconds=20), status="booked",
            created_at=now - 48 * H, service="consulta"))
    engine.dispose()


def sent_count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(reminders).where(
            reminders.c.state == "sent")).scalar_one()


def measure(name: str, url: str, count: int) -> None:
    book_due(url, count)
    fake = FakeTwilio()
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    env = dict(os.environ, PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false",
               BUSINESS_FILE=str(BUSINESS), DATABASE_URL=url, TWILIO_ACCOUNT_SID="ACbench",
               TWILIO_AUTH_TOKEN="bench", TWILIO_PHONE_NUMBER="whatsapp:+14155238886",
               TWILIO_API_BASE_URL=fake.url, TWILIO_TEMPLATE_REMINDER_SID="HXbench")
    worker = subprocess.Popen([sys.executable, "-m", "appointments.worker",
                               "--reminder-interval", "1"], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    process = psutil.Process(worker.pid)
    engine = create_database_engine(url)
    peak = 0
    try:
        while fake.requests == 0 and worker.poll() is None:
            time.sleep(0.01)
        began = time.perf_counter()
        idle = process.memory_info().rss
        while sent_count(engine) < count and worker.poll() is None:
            peak = max(peak, process.memory_info().rss)
            time.sleep(0.05)
        elapsed = time.perf_counter() - began
        peak = max(peak, process.memory_info().rss)
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
        engine.dispose()
        fake.stop()
    duplicates = len(fake.sent) - len({m["To"] for m in fake.sent})
    print(f"{name:<11} {count} reminders in {elapsed:5.1f} s: {count / elapsed * 60:7.0f} per "
          f"minute; worker RSS {idle / 2**20:.0f} MB at the first send, {peak / 2**20:.0f} MB "
          f"at most; {duplicates} sent twice")
    os.unlink(log.name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=600, help="reminders due at once")
    args = parser.parse_args()
    print("One reminder worker against the fake Twilio over HTTP (template path)")
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", f"sqlite:///{folder}/bench.db", args.count)
    url = postgres_url()
    if url:
        measure("PostgreSQL", url, args.count)

if __name__ == "__main__":
    main()
