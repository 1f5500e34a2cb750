"""The worker's daily agenda (DAILY_AGENDA=true) over a real database (SQLite and
PostgreSQL) to a local fake of Twilio: sent at the first round after opening, once per
business day even with several workers at once, and tried again after a failed send."""
import threading
from datetime import datetime, timedelta

import pytest

from appointments.adapters.notifiers import TwilioAgentNotifier
from appointments.adapters.sql.daily_runs import SqlDailyRuns
from appointments.adapters.twilio import TwilioSender
from appointments.domain import Appointment
from appointments.services.agenda import Agenda
from appointments.settings import Settings
from appointments.worker.daily_agenda import DailyAgendaTask

from tests.conftest import FIXED_NOW, TZ, Clock
from tests.integration.handoff_notices import AGENT_WHATSAPP, BOT_NUMBER

WEDNESDAY = datetime(2026, 11, 25, 0, 0, tzinfo=TZ)


@pytest.fixture
def task(calendar, repository, engine, twilio):
    """task(clock): a worker's task; several share the database, each has its clock."""
    settings = Settings.from_env({"AGENT_CONSOLE_URL": "https://citas.example.com/"})

    def phone():
        sender = TwilioSender("ACtest", "token", BOT_NUMBER, base_url=twilio.url,
                              backoff_seconds=0.01)
        return [TwilioAgentNotifier(sender, AGENT_WHATSAPP, close_sender=True)]

    def make(clock):
        agenda = Agenda(calendar, repository, clock)
        return DailyAgendaTask(settings, lambda: agenda, lambda: SqlDailyRuns(engine), phone)

    return make


def add(repository, code, hour, minute=0, status="booked", name=None):
    start = WEDNESDAY.replace(hour=hour, minute=minute)
    repository.add(Appointment(code=code, phone="whatsapp:+5215512345678", start=start,
                               end=start + timedelta(minutes=30), status="booked",
                               created_at=FIXED_NOW - timedelta(days=1), customer_name=name))
    if status == "cancelled":
        repository.cancel(code, "whatsapp:+5215512345678", FIXED_NOW)


def never(*_args) -> bool:
    return False


def test_sent_at_the_first_round_after_opening_then_not_again(task, repository, twilio):
    add(repository, "B3B-3BB", 11)
    add(repository, "A2A-2AA", 9, name="Ana")
    add(repository, "C4C-4CC", 12, status="cancelled")
    repository.confirm("A2A-2AA", "whatsapp:+5215512345678", FIXED_NOW)
    clock = Clock(WEDNESDAY.replace(hour=8, minute=30))  # before opening (9:00)
    worker = task(clock)
    worker(never)
    assert twilio.sent == []
    clock.now = WEDNESDAY.replace(hour=9, minute=20)
    worker(never)
    [text] = twilio.to(AGENT_WHATSAPP)
    assert text.splitlines() == [
        "🗓️ Agenda de hoy, miércoles 25 de noviembre: 2 citas",
        "09:00 · Ana (+525512345678) ✅", "11:00 · +525512345678",
        "Detalle: https://citas.example.com/agent/today"]
    clock.now = WEDNESDAY.replace(hour=10, minute=20)
    worker(never)
    assert len(twilio.sent) == 1
    clock.now += timedelta(days=1)  # Thursday: a new day, a new agenda (empty)
    worker(never)
    assert twilio.to(AGENT_WHATSAPP)[-1] == "🗓️ Hoy, jueves 26 de noviembre, no hay citas agendadas."


def test_several_workers_at_once_send_it_once(task, twilio):
    workers = [task(Clock(WEDNESDAY.replace(hour=9, minute=5))) for _ in range(6)]
    gate = threading.Barrier(len(workers))

    def round_(worker):
        gate.wait()
        worker(never)

    threads = [threading.Thread(target=round_, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(twilio.to(AGENT_WHATSAPP)) == 1


def test_a_failed_send_is_tried_again_at_the_next_round(task, twilio):
    worker = task(Clock(WEDNESDAY.replace(hour=9, minute=5)))
    twilio.failures = [400]  # refused, not retried
    worker(never)
    assert twilio.sent == []
    worker(never)
    assert len(twilio.to(AGENT_WHATSAPP)) == 1


def test_nothing_on_a_closed_day_or_after_closing(task, twilio):
    task(Clock(datetime(2026, 11, 29, 10, 0, tzinfo=TZ)))(never)  # Sunday
    task(Clock(WEDNESDAY.replace(hour=18, minute=30)))(never)  # closed at 18:00
    assert twilio.sent == []


def test_the_flag_is_off_unless_set():
    assert Settings.from_env({}).daily_agenda is False
    assert Settings.from_env({"DAILY_AGENDA": "true"}).daily_agenda is True
