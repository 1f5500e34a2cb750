"""Reminder rows in SQL: planned with the appointment, claimed and marked by workers.

Planning (`plan_new`, `replan`, `cancel_open`) runs on the connection of the booking's,
move's or cancellation's own transaction (sql/appointments.py), so an appointment and its
reminders never disagree.

`SqlReminderQueue` is what workers use, several at once safely:

- `claim_due` takes up to `limit` due rows and stamps them with a fresh claim token.
  PostgreSQL: one UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n)
  RETURNING: a row locked by another worker's claim is skipped, not waited for, and a row
  another worker claimed meanwhile no longer matches. SQLite: one UPDATE (SQLite runs one
  writer at a time) stamping the token, then a SELECT by token.
- A claim older than `lease` (its worker crashed or was killed) is claimable again.
- `mark_sent`, `mark_skipped`, `mark_failed` and `release` change a row only while it is
  still under the same claim: a row cancelled or re-planned (the appointment moved)
  meanwhile keeps its new state.
- `mark_failed` puts the row back for another attempt after a growing pause
  (1, 2, 4 ... minutes, at most an hour), and gives up after `max_attempts`.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Connection, Engine, Row

from appointments.adapters.sql.tables import reminders as table
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

def _rearmed(due_at: datetime) -> Dict[str, Any]:
    return dict(due_at=due_at, state=PENDING, attempts=0, next_attempt_at=None,
                last_error=None, claimed_at=None, claimed_by=None, sent_at=None,
                message_sid=None)


# --- planning, inside the appointment's transaction ------------------------------------

def plan_new(connection: Connection, code: str, start: datetime, now: datetime,
             offsets: Sequence[timedelta]) -> None:
    """The reminders of a new booking: one per offset still to come. Rows left under
    the code by an appointment the retention purge removed go first (codes are unique
    among the appointments kept, not forever)."""
    if not offsets:
        return
    connection.execute(table.delete().where(table.c.appointment_code == code))
    rows = [dict(appointment_code=code, kind=kind, **_rearmed(due))
            for kind, due in plan(start, now, offsets)]
    if rows:
        connection.execute(table.insert(), rows)


def replan(connection: Connection, code: str, start: datetime, now: datetime,
           offsets: Sequence[timedelta]) -> None:
    """After a move: every offset still to come for the new start is pending at its new
    due time, also one already sent for the old time (a moved appointment deserves new
    reminders); any other reminder not sent yet is cancelled. Sent ones inside the
    offset stay as they were (history)."""
    due = dict(plan(start, now, offsets))
    existing = {row.kind: row for row in connection.execute(
        select(table.c.kind, table.c.state).where(table.c.appointment_code == code))}
    for kind, due_at in due.items():
        if kind in existing:
            connection.execute(table.update().where(and_(
                table.c.appointment_code == code, table.c.kind == kind)).values(**_rearmed(due_at)))
        else:
            connection.execute(table.insert().values(
                appointment_code=code, kind=kind, **_rearmed(due_at)))
    stale = [kind for kind, row in existing.items()
             if kind not in due and row.state in (PENDING, CLAIMED)]
    if stale:
        connection.execute(table.update().where(and_(
            table.c.appointment_code == code, table.c.kind.in_(stale)))
            .values(state=CANCELLED, claimed_by=None))


def cancel_open(connection: Connection, code: str) -> None:
    """The appointment was cancelled: its reminders not sent yet are cancelled."""
    connection.execute(table.update().where(and_(
        table.c.appointment_code == code, table.c.state.in_((PENDING, CLAIMED))))
        .values(state=CANCELLED, claimed_by=None))


# --- the queue the workers use ---------------------------------------------------------

def _to_model(row: Row) -> Reminder:
    return Reminder(
        id=row.id, appointment_code=row.appointment_code, kind=row.kind, due_at=row.due_at,
        state=row.state, attempts=row.attempts, last_error=row.last_error,
        claimed_by=row.claimed_by, message_sid=row.message_sid,
    )


class SqlReminderQueue:
    def __init__(self, engine: Engine, lease: timedelta = DEFAULT_LEASE,
                 max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> None:
        self.engine = engine
        self.lease = lease
        self.max_attempts = max_attempts

    def _claimable(self, now: datetime) -> Any:
        return or_(
            and_(table.c.state == PENDING, table.c.due_at <= now,
                 or_(table.c.next_attempt_at.is_(None), table.c.next_attempt_at <= now)),
            and_(table.c.state == CLAIMED, table.c.claimed_at < now - self.lease),
        )

    def claim_due(self, now: datetime, worker_id: str, limit: int) -> List[Reminder]:
        """Up to `limit` due reminders, soonest first, now claimed by this call alone."""
        token = f"{worker_id}:{uuid.uuid4().hex[:12]}"[-100:]
        due = select(table.c.id).where(self._claimable(now)).order_by(
            table.c.due_at, table.c.id).limit(limit)
        claim = dict(state=CLAIMED, claimed_at=now, claimed_by=token)
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
                rows = connection.execute(table.update().where(
                    table.c.id.in_(due.scalar_subquery())).values(**claim)
                    .returning(*table.c)).all()
            else:
                connection.execute(table.update().where(
                    table.c.id.in_(due.scalar_subquery())).values(**claim))
                rows = connection.execute(select(table).where(table.c.claimed_by == token)).all()
        return sorted((_to_model(row) for row in rows), key=lambda r: (r.due_at, r.id))

    def _mark(self, reminder: Reminder, **values: Any) -> bool:
        with self.engine.begin() as connection:
            result = connection.execute(table.update().where(and_(
                table.c.id == reminder.id, table.c.state == CLAIMED,
                table.c.claimed_by == reminder.claimed_by)).values(**values))
        return result.rowcount == 1

    def mark_sent(self, reminder: Reminder, now: datetime, message_sid: Optional[str]) -> bool:
        return self._mark(reminder, state=SENT, sent_at=now, message_sid=message_sid,
                          last_error=None)

    def mark_skipped(self, reminder: Reminder, now: datetime, reason: str) -> bool:
        return self._mark(reminder, state=SKIPPED, last_error=reason[:ERROR_LENGTH])

    def mark_failed(self, reminder: Reminder, now: datetime, error: str) -> bool:
        """Another attempt after the backoff, or FAILED after the last one."""
        attempts = reminder.attempts + 1
        if attempts >= self.max_attempts:
            return self._mark(reminder, state=FAILED, attempts=attempts,
                              last_error=error[:ERROR_LENGTH])
        return self._mark(reminder, state=PENDING, attempts=attempts,
                          next_attempt_at=now + backoff(attempts),
                          last_error=error[:ERROR_LENGTH], claimed_by=None, claimed_at=None)

    def release(self, reminder: Reminder) -> bool:
        """Give a claimed reminder back untouched (the worker is stopping)."""
        return self._mark(reminder, state=PENDING, claimed_by=None, claimed_at=None)

    def for_appointment(self, code: str) -> List[Reminder]:
        """Its reminders, longest offset first (tests and the console)."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(table).where(table.c.appointment_code == code)).all()
        return sorted((_to_model(r) for r in rows), key=lambda r: -r.offset)


__all__ = ["DEFAULT_LEASE", "SqlReminderQueue", "cancel_open", "plan_new", "replan"]
