"""The reminders' contract: planned with the booking, move and cancellation, claimed and
marked by workers, and the message log's once-only reservation. Every scenario runs on
the in-memory fakes (tests/fakes/reminders.py, ports.py) and on the SQL adapters over
SQLite and PostgreSQL. Concurrent workers: test_reminder_worker.py."""
import threading
from datetime import datetime, timedelta, timezone

import pytest

from appointments.adapters.sql import message_log as sql_message_log
from appointments.adapters.sql.appointments import SqlAppointmentRepository
from appointments.adapters.sql.message_log import SqlMessageLog
from appointments.adapters.sql.reminders import SqlReminderQueue
from appointments.domain import Appointment, SlotUnavailable
from appointments.domain.reminders import DEFAULT_OFFSETS
from tests.conftest import FIXED_NOW, TZ, Clock
from tests.fakes.ports import InMemoryAppointmentRepository, InMemoryMessageLog
from tests.fakes.reminders import InMemoryReminderQueue
from tests.integration.contract import backend, database_url  # noqa: F401 - fixtures

H = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
START = datetime(2026, 11, 27, 10, 0, tzinfo=TZ)  # Friday; FIXED_NOW is Wednesday 10:00
UTC_START = START.astimezone(timezone.utc)
ANA = "whatsapp:+5215500000001"
LEASE = 5 * MINUTE


@pytest.fixture
def parts(request, backend):
    """(repository, queue) sharing one store."""
    if backend == "memory":
        queue = InMemoryReminderQueue(lease=LEASE, max_attempts=3)
        return InMemoryAppointmentRepository(TZ, DEFAULT_OFFSETS, queue), queue
    engine = request.getfixturevalue("engine")
    return (SqlAppointmentRepository(engine, TZ, DEFAULT_OFFSETS),
            SqlReminderQueue(engine, lease=LEASE, max_attempts=3))


@pytest.fixture
def repository(parts):
    return parts[0]


@pytest.fixture
def queue(parts):
    return parts[1]


def book(repository, code="K7P-3QX", start=START, booked_at=FIXED_NOW) -> Appointment:
    return repository.add(Appointment(code=code, phone=ANA, start=start, end=start + H / 2,
                                      status="booked", created_at=booked_at))


def states(queue, code="K7P-3QX"):
    return {r.kind: (r.state, r.due_at) for r in queue.for_appointment(code)}


# --- planning with the appointment ---------------------------------------------------

def test_a_booking_plans_one_reminder_per_offset_still_to_come(repository, queue):
    book(repository)
    assert states(queue) == {"24h": ("pending", UTC_START - 24 * H),
                             "2h": ("pending", UTC_START - 2 * H)}
    book(repository, code="M4R-8TW", start=START + H, booked_at=START - 3 * H)  # inside 24 h
    assert states(queue, "M4R-8TW") == {"2h": ("pending", UTC_START - H)}
    book(repository, code="Q2W-5ER", start=START + 2 * H, booked_at=START + H / 2)  # inside 2 h
    assert states(queue, "Q2W-5ER") == {}


def test_a_refused_booking_plans_nothing(repository, queue):
    book(repository)
    with pytest.raises(SlotUnavailable):
        book(repository, code="M4R-8TW")
    assert states(queue, "M4R-8TW") == {}


def test_cancelling_cancels_the_reminders_not_sent_yet(repository, queue):
    book(repository)
    [first] = queue.claim_due(UTC_START - 23 * H, "w1", 10)
    assert queue.mark_sent(first, UTC_START - 23 * H, "SM1")
    assert repository.cancel("K7P-3QX", ANA, UTC_START - 20 * H)
    assert {k: s for k, (s, _) in states(queue).items()} == {"24h": "sent", "2h": "cancelled"}
    assert queue.claim_due(UTC_START, "w1", 10) == []
    assert not repository.cancel("K7P-3QX", ANA, UTC_START)  # nothing changes twice


def test_moving_plans_again_also_the_ones_already_sent(repository, queue):
    book(repository)
    [first] = queue.claim_due(UTC_START - 23 * H, "w1", 10)
    queue.mark_sent(first, UTC_START - 23 * H, "SM1")
    later = START + 24 * H
    assert repository.move("K7P-3QX", ANA, later, later + H / 2, at=UTC_START - 22 * H)
    utc_later = later.astimezone(timezone.utc)
    assert states(queue) == {"24h": ("pending", utc_later - 24 * H),
                             "2h": ("pending", utc_later - 2 * H)}
    [again] = queue.claim_due(utc_later - 24 * H, "w1", 10)
    assert again.kind == "24h" and again.message_sid is None and again.attempts == 0


def test_moving_inside_an_offset_cancels_that_reminder(repository, queue):
    book(repository)
    sooner = START - 20 * H  # Thursday 14:00: the 24 h reminder would be due already
    assert repository.move("K7P-3QX", ANA, sooner, sooner + H / 2, at=FIXED_NOW + 5 * H)
    assert {k: s for k, (s, _) in states(queue).items()} == {"24h": "cancelled", "2h": "pending"}


def test_a_refused_move_changes_no_reminder(repository, queue):
    book(repository)
    book(repository, code="M4R-8TW", start=START + H)
    before = states(queue)
    with pytest.raises(SlotUnavailable):
        repository.move("K7P-3QX", ANA, START + H, START + 2 * H, at=FIXED_NOW)
    assert states(queue) == before


def test_a_move_or_cancellation_by_another_phone_leaves_the_reminders_alone(repository, queue):
    book(repository)
    before = states(queue)
    assert not repository.move("K7P-3QX", "whatsapp:+5215500000009", START + H,
                               START + 3 * H / 2, at=FIXED_NOW)
    assert not repository.cancel("K7P-3QX", "whatsapp:+5215500000009", FIXED_NOW)
    assert not repository.move("Z9Z-9ZZ", ANA, START + H, START + 3 * H / 2, at=FIXED_NOW)
    assert states(queue) == before and states(queue, "Z9Z-9ZZ") == {}


# --- claiming and marking ------------------------------------------------------------

def test_only_due_reminders_are_claimed_soonest_first_and_once(repository, queue):
    book(repository)
    book(repository, code="M4R-8TW", start=START - H)
    assert queue.claim_due(UTC_START - 26 * H, "w1", 10) == []
    claimed = queue.claim_due(UTC_START - 23 * H, "w1", 1)
    assert [(r.appointment_code, r.kind, r.state) for r in claimed] == [("M4R-8TW", "24h", "claimed")]
    rest = queue.claim_due(UTC_START - 23 * H, "w2", 10)
    assert [(r.appointment_code, r.kind) for r in rest] == [("K7P-3QX", "24h")]
    assert rest[0].claimed_by.startswith("w2:") and rest[0].claimed_by != claimed[0].claimed_by
    assert queue.claim_due(UTC_START - 23 * H, "w3", 10) == []


def test_a_claim_left_by_a_dead_worker_is_taken_again_after_the_lease(repository, queue):
    book(repository)
    now = UTC_START - 23 * H
    [dead] = queue.claim_due(now, "w1", 10)
    assert queue.claim_due(now + LEASE - MINUTE, "w2", 10) == []
    [taken] = queue.claim_due(now + LEASE + MINUTE, "w2", 10)
    assert taken.id == dead.id
    assert not queue.mark_sent(dead, now, "SM-late")  # no longer the dead worker's
    assert queue.mark_skipped(taken, now, "why not")
    assert states(queue)["24h"][0] == "skipped"


def test_a_failed_send_is_retried_after_a_backoff_then_given_up(repository, queue):
    book(repository)
    now = UTC_START - 23 * H
    [first] = queue.claim_due(now, "w1", 10)
    assert queue.mark_failed(first, now, "500 code=20500 fake")
    assert queue.claim_due(now + MINUTE / 2, "w1", 10) == []  # 1 minute of backoff
    [second] = queue.claim_due(now + MINUTE, "w1", 10)
    assert second.attempts == 1 and second.last_error == "500 code=20500 fake"
    queue.mark_failed(second, now + MINUTE, "again")
    assert queue.claim_due(now + 2 * MINUTE, "w1", 10) == []  # then 2 minutes
    [third] = queue.claim_due(now + 3 * MINUTE, "w1", 10)
    queue.mark_failed(third, now + 3 * MINUTE, "x" * 900)  # the 3rd of max_attempts=3
    [row] = [r for r in queue.for_appointment("K7P-3QX") if r.kind == "24h"]
    assert (row.state, row.attempts, len(row.last_error)) == ("failed", 3, 500)
    assert queue.claim_due(now + 9 * H, "w1", 10) == []


def test_a_released_reminder_is_pending_again(repository, queue):
    book(repository)
    now = UTC_START - 23 * H
    [claimed] = queue.claim_due(now, "w1", 10)
    assert queue.release(claimed) and not queue.release(claimed)
    assert [r.id for r in queue.claim_due(now, "w2", 10)] == [claimed.id]


def test_a_mark_does_not_undo_a_cancellation_or_a_move(repository, queue):
    book(repository)
    now = UTC_START - 23 * H
    [claimed] = queue.claim_due(now, "w1", 10)
    repository.move("K7P-3QX", ANA, START + 2 * H, START + 5 * H / 2, at=now)
    assert not queue.mark_sent(claimed, now, "SM1")
    assert states(queue)["24h"] == ("pending", UTC_START + 2 * H - 24 * H)
    [claimed] = queue.claim_due(now + 2 * H, "w1", 10)
    repository.cancel("K7P-3QX", ANA, now)
    assert not queue.mark_skipped(claimed, now, "x") and not queue.release(claimed)
    assert states(queue)["24h"][0] == "cancelled"


def test_a_reused_code_starts_with_fresh_reminders(request, backend, repository, queue):
    """Codes are unique among the appointments kept; the purge may free one."""
    book(repository)
    if backend == "memory":
        del repository._rows["K7P-3QX"]
    else:
        from appointments.adapters.sql.tables import appointments
        with request.getfixturevalue("engine").begin() as connection:
            connection.execute(appointments.delete())
    book(repository, start=START + 24 * H)
    assert {k: s for k, (s, _) in states(queue).items()} == {"24h": "pending", "2h": "pending"}


# --- the message log's side ----------------------------------------------------------

@pytest.fixture
def log(request, backend, monkeypatch):
    clock = Clock(FIXED_NOW.astimezone(timezone.utc))
    monkeypatch.setattr(sql_message_log, "utc_now", clock)
    log = InMemoryMessageLog(clock) if backend == "memory" else SqlMessageLog(
        request.getfixturevalue("engine"))
    return log, clock


def test_the_last_inbound_message_time_of_a_phone(log):
    log, clock = log
    assert log.last_inbound_at(ANA) is None
    log.record("in", ANA, "hola", "received")
    clock.now += H
    log.record("in", ANA, "otra", "received")
    last = clock.now
    clock.now += H
    log.record("out", ANA, "respuesta", "queued")
    log.record("in", "whatsapp:+5215500000002", "yo no", "received")
    assert log.last_inbound_at(ANA) == last and last.tzinfo is not None


def test_a_key_is_reserved_once_and_given_up_when_the_send_failed(log):
    log, _ = log
    first = log.reserve_outbound(ANA, "Recordatorio", "reminder:K:24h:x", "reminder")
    assert first is not None
    assert log.reserve_outbound(ANA, "Recordatorio", "reminder:K:24h:x", "reminder") is None
    assert log.find_by_key("reminder:K:24h:x")["status"] == "sending"
    log.finish_outbound(first, "failed", None, "63016")
    assert log.find_by_key("reminder:K:24h:x") is None
    second = log.reserve_outbound(ANA, "Recordatorio", "reminder:K:24h:x", "reminder")
    log.finish_outbound(second, "queued", "SM9")
    assert log.reserve_outbound(ANA, "Recordatorio", "reminder:K:24h:x", "reminder") is None
    found = log.find_by_key("reminder:K:24h:x")
    assert (found["id"], found["message_sid"], found["author"]) == (second, "SM9", "reminder")
    assert [(m["status"], m["author"]) for m in log.conversation(ANA)] == [
        ("failed", "reminder"), ("queued", "reminder")]
    assert log.count("reminder", FIXED_NOW) == 2


def test_workers_claiming_at_once_never_get_the_same_reminder(repository, queue):
    for n in range(40):
        start = START + n * MINUTE
        repository.add(Appointment(code=f"R{n:02d}-00X", phone=ANA, start=start,
                                   end=start + MINUTE, status="booked", created_at=FIXED_NOW))
    now, claimed, barrier = UTC_START, [], threading.Barrier(4)

    def work(name):
        barrier.wait()
        while True:
            batch = queue.claim_due(now, name, 3)
            if not batch:
                return
            claimed.extend(r.id for r in batch)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(claimed) == len(set(claimed)) == 80  # 24 h and 2 h of each, once
