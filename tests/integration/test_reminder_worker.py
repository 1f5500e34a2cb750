"""Reminders through the real worker task (appointments/worker/reminders.py, wired by
bootstrap.Parts) on SQLite and PostgreSQL, sending to the local fake of Twilio over HTTP,
with a clock the test moves. Several workers at once and a worker killed mid-send, as
real processes: test_reminder_workers.py."""
from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from sqlalchemy import select

from appointments.adapters.sql import message_log as sql_message_log
from appointments.adapters.sql.tables import messages, reminders
from appointments.bootstrap import Parts
from appointments.settings import Settings
from appointments.worker.reminders import ReminderTask
from tests.conftest import FIXED_NOW, ONE_SERVICE_BUSINESS, Clock
from tests.fakes.twilio_api import FakeTwilio

H = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
FRIDAY_10 = FIXED_NOW + 2 * 24 * H  # booked Wednesday 10:00 for Friday 10:00
# phones in their stored form (+52 + 10 digits): what the worker sends to
ANA, BETO, CARLA = (f"whatsapp:+5255123456{n}" for n in (71, 72, 73))


def twilio_env(url: str, fake: FakeTwilio, **extra: str) -> dict:
    return {"BUSINESS_FILE": ONE_SERVICE_BUSINESS, "DATABASE_URL": url,
            "TWILIO_ACCOUNT_SID": "ACtest", "TWILIO_AUTH_TOKEN": "token",
            "TWILIO_PHONE_NUMBER": "whatsapp:+14155238886", "TWILIO_API_BASE_URL": fake.url,
            **extra}


class Worker:
    """The worker's reminder task with its parts, on a clock the test moves."""

    def __init__(self, url: str, fake: FakeTwilio, clock: Clock, **extra: str) -> None:
        self.clock = clock
        self.parts = Parts(Settings.from_env(twilio_env(url, fake, **extra)), clock)
        self.task = ReminderTask(lambda: self.parts.reminders("test-worker"),
                                 close_sender=lambda: self.parts.twilio_sender().close())
        self.scheduling = self.parts.appointments().for_offering(
            self.parts.settings.business.default_offering)

    def run_at(self, moment) -> None:
        self.clock.now = moment
        self.task(lambda: False)

    def says(self, phone: str, moment) -> None:
        self.clock.now = moment
        self.parts.message_log().record("in", phone, "hola", "received")

    def states(self, code: str) -> dict:
        with self.parts.engine().connect() as connection:
            rows = connection.execute(select(reminders).where(
                reminders.c.appointment_code == code)).all()
        return {row.kind: (row.state, row.last_error) for row in rows}

    def close(self) -> None:
        self.task.close()
        self.parts.close()


@pytest.fixture
def fake(twilio):
    """The local fake of Twilio (conftest's `twilio`)."""
    return twilio


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(FIXED_NOW)
    monkeypatch.setattr(sql_message_log, "utc_now", lambda: clock.now.astimezone(timezone.utc))
    return clock


@pytest.fixture
def worker(engine, database_url, fake, clock):
    worker = Worker(database_url, fake, clock)
    yield worker
    worker.close()


def test_reminders_go_at_their_times_for_bookings_moves_and_cancellations(worker, fake):
    kept = worker.scheduling.book(ANA, FRIDAY_10)
    moved = worker.scheduling.book(BETO, FRIDAY_10 + H)
    cancelled = worker.scheduling.book(CARLA, FRIDAY_10 + 2 * H)
    for phone in (ANA, BETO, CARLA):
        worker.says(phone, FRIDAY_10 - 25 * H)
    worker.clock.now = FRIDAY_10 - 30 * H
    worker.scheduling.cancel(CARLA, cancelled.code)
    monday = FRIDAY_10 + 3 * 24 * H + H
    worker.scheduling.reschedule(BETO, moved.code, monday)

    worker.run_at(FRIDAY_10 - 24 * H - MINUTE)
    assert fake.sent == []
    worker.run_at(FRIDAY_10 - 24 * H)
    assert [len(fake.to(p)) for p in (ANA, BETO, CARLA)] == [1, 0, 0]
    assert "viernes 27 de noviembre a las 10:00" in fake.to(ANA)[0]
    assert f"(código {kept.code})" in fake.to(ANA)[0]
    worker.run_at(FRIDAY_10 - 2 * H)
    worker.run_at(FRIDAY_10 - H)  # Beto's old 24 h time has passed too: nothing for him
    assert [len(fake.to(p)) for p in (ANA, BETO, CARLA)] == [2, 0, 0]
    worker.says(BETO, monday - 25 * H)
    worker.run_at(monday - 24 * H)
    worker.run_at(monday - 2 * H)
    assert [len(fake.to(p)) for p in (ANA, BETO, CARLA)] == [2, 2, 0]
    assert "lunes 30 de noviembre a las 11:00" in fake.to(BETO)[1]
    assert worker.states(cancelled.code) == {"24h": ("cancelled", None), "2h": ("cancelled", None)}
    with worker.parts.engine().connect() as connection:
        logged = connection.execute(select(messages.c.phone, messages.c.status, messages.c.body)
                                    .where(messages.c.author == "reminder")).all()
    assert sorted(phone for phone, _, _ in logged) == [ANA, ANA, BETO, BETO]
    assert {status for _, status, _ in logged} == {"queued"}


def test_outside_24_hours_the_template_goes_with_its_variables(engine, database_url, fake, clock):
    worker = Worker(database_url, fake, clock, TWILIO_TEMPLATE_REMINDER_SID="HXtemplate")
    try:
        booked = worker.scheduling.book(ANA, FRIDAY_10, customer_name="Ana López")
        worker.run_at(FRIDAY_10 - 24 * H)
    finally:
        worker.close()
    [form] = fake.sent
    assert "Body" not in form and form["From"] == "whatsapp:+14155238886"
    assert fake.templates(ANA) == [("HXtemplate", {
        "1": "Ana López", "2": "Consulta", "3": "viernes 27 de noviembre", "4": "10:00",
        "5": booked.code})]


def test_without_a_template_outside_24_hours_it_is_recorded_as_skipped(worker, fake):
    booked = worker.scheduling.book(ANA, FRIDAY_10)
    worker.says(ANA, FRIDAY_10 - 49 * H)  # two days ago: outside the window
    worker.run_at(FRIDAY_10 - 24 * H)
    assert fake.requests == 0
    assert worker.states(booked.code) == {"24h": ("skipped", "outside 24 h, no template"),
                                          "2h": ("pending", None)}


def test_clock_jumps_neither_lose_nor_repeat_a_reminder(worker, fake):
    booked = worker.scheduling.book(ANA, FRIDAY_10)
    worker.says(ANA, FRIDAY_10 - 25 * H)
    worker.run_at(FRIDAY_10 - 24 * H)
    worker.run_at(FRIDAY_10 - 40 * H)  # the clock jumps back...
    worker.run_at(FRIDAY_10 - 24 * H + MINUTE)  # ...and forward again
    assert len(fake.to(ANA)) == 1
    worker.says(ANA, FRIDAY_10 - 3 * H)
    worker.run_at(FRIDAY_10 - 2 * H + 30 * MINUTE)  # not due yet
    worker.run_at(FRIDAY_10 - H)  # a jump over the due time
    worker.run_at(FRIDAY_10 - 3 * H)
    worker.run_at(FRIDAY_10 - H / 2)
    assert len(fake.to(ANA)) == 2
    assert worker.states(booked.code) == {"24h": ("sent", None), "2h": ("sent", None)}


def test_a_refused_send_is_kept_for_another_attempt(worker, fake):
    booked = worker.scheduling.book(ANA, FRIDAY_10)
    worker.says(ANA, FRIDAY_10 - 25 * H)
    fake.failures = [(400, 21211)]  # Twilio: invalid number (no retry inside the client)
    worker.run_at(FRIDAY_10 - 24 * H)
    assert fake.sent == []
    state, error = worker.states(booked.code)["24h"]
    assert state == "pending" and "code=21211" in error
    worker.run_at(FRIDAY_10 - 24 * H + 2 * MINUTE)
    assert len(fake.to(ANA)) == 1 and worker.states(booked.code)["24h"] == ("sent", None)
