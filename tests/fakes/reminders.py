"""In-memory fake of the ReminderQueue port (appointments/domain/ports.py), with the
planning the SQL repository does in the booking's transaction (sql/reminders.py):
InMemoryAppointmentRepository calls `plan_new`, `replan` and `cancel_open` under its
lock. tests/integration/test_reminder_queue_contract.py holds it to the SQL semantics."""
from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Dict, List, Optional, Sequence, Tuple

from appointments.domain.reminders import (
    CANCELLED,
    CLAIMED,
    DEFAULT_LEASE,
    DEFAULT_MAX_ATTEMPTS,
    ERROR_LENGTH,
    FAILED,
    PENDING,
    SENT,
    SKIPPED,
    Reminder,
    backoff,
    plan,
)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database: times must be aware")
    return value.astimezone(timezone.utc)


class InMemoryReminderQueue:
    """The reminders table in a dict keyed by (code, kind), with its extra columns."""

    def __init__(self, lease: timedelta = DEFAULT_LEASE,
                 max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> None:
        self.lease = lease
        self.max_attempts = max_attempts
        self._rows: Dict[Tuple[str, str], Reminder] = {}
        self._extra: Dict[int, dict] = {}  # id -> claimed_at, next_attempt_at, sent_at
        self._next_id = 1
        self._lock = threading.RLock()

    # --- planning (called by the fake repository) ----------------------------------

    def _arm(self, code: str, kind: str, due: datetime) -> None:
        existing = self._rows.get((code, kind))
        if existing is None:
            ident, self._next_id = self._next_id, self._next_id + 1
        else:
            ident = existing.id
        self._rows[(code, kind)] = Reminder(ident, code, kind, _utc(due), PENDING)
        self._extra[ident] = {}

    def plan_new(self, code: str, start: datetime, now: datetime,
                 offsets: Sequence[timedelta]) -> None:
        with self._lock:
            for key in [k for k in self._rows if k[0] == code]:  # left by a purged one
                del self._rows[key]
            for kind, due in plan(start, _utc(now), offsets):
                self._arm(code, kind, due)

    def replan(self, code: str, start: datetime, now: datetime,
               offsets: Sequence[timedelta]) -> None:
        with self._lock:
            due = dict(plan(start, _utc(now), offsets))
            for kind, due_at in due.items():
                self._arm(code, kind, due_at)
            for (row_code, kind), row in list(self._rows.items()):
                if row_code == code and kind not in due and row.state in (PENDING, CLAIMED):
                    self._rows[(code, kind)] = replace(row, state=CANCELLED, claimed_by=None)

    def cancel_open(self, code: str) -> None:
        with self._lock:
            for key, row in list(self._rows.items()):
                if key[0] == code and row.state in (PENDING, CLAIMED):
                    self._rows[key] = replace(row, state=CANCELLED, claimed_by=None)

    # --- the port ------------------------------------------------------------------

    def _claimable(self, row: Reminder, now: datetime) -> bool:
        extra = self._extra[row.id]
        if row.state == PENDING:
            waiting = extra.get("next_attempt_at")
            return row.due_at <= now and (waiting is None or waiting <= now)
        return row.state == CLAIMED and extra["claimed_at"] < now - self.lease

    def claim_due(self, now: datetime, worker_id: str, limit: int) -> List[Reminder]:
        now = _utc(now)
        token = f"{worker_id}:{uuid.uuid4().hex[:12]}"[-100:]
        with self._lock:
            due = sorted((r for r in self._rows.values() if self._claimable(r, now)),
                         key=lambda r: (r.due_at, r.id))[:limit]
            claimed = []
            for row in due:
                taken = replace(row, state=CLAIMED, claimed_by=token)
                self._rows[(row.appointment_code, row.kind)] = taken
                self._extra[row.id]["claimed_at"] = now
                claimed.append(taken)
            return claimed

    def _mark(self, reminder: Reminder, **changes) -> bool:
        with self._lock:
            key = (reminder.appointment_code, reminder.kind)
            row = self._rows.get(key)
            if row is None or row.id != reminder.id or row.state != CLAIMED \
                    or row.claimed_by != reminder.claimed_by:
                return False
            extra = {k: changes.pop(k) for k in ("next_attempt_at", "sent_at", "claimed_at")
                     if k in changes}
            self._rows[key] = replace(row, **changes)
            self._extra[row.id].update(extra)
            return True

    def mark_sent(self, reminder: Reminder, now: datetime, message_sid: Optional[str]) -> bool:
        return self._mark(reminder, state=SENT, sent_at=_utc(now), message_sid=message_sid,
                          last_error=None)

    def mark_skipped(self, reminder: Reminder, now: datetime, reason: str) -> bool:
        return self._mark(reminder, state=SKIPPED, last_error=reason[:ERROR_LENGTH])

    def mark_failed(self, reminder: Reminder, now: datetime, error: str) -> bool:
        attempts = reminder.attempts + 1
        if attempts >= self.max_attempts:
            return self._mark(reminder, state=FAILED, attempts=attempts,
                              last_error=error[:ERROR_LENGTH])
        return self._mark(reminder, state=PENDING, attempts=attempts,
                          next_attempt_at=_utc(now) + backoff(attempts),
                          last_error=error[:ERROR_LENGTH], claimed_by=None, claimed_at=None)

    def release(self, reminder: Reminder) -> bool:
        return self._mark(reminder, state=PENDING, claimed_by=None, claimed_at=None)

    def for_appointment(self, code: str) -> List[Reminder]:
        with self._lock:
            found = [row for key, row in self._rows.items() if key[0] == code]
        return sorted(found, key=lambda r: -r.offset)
