"""Retention: what is older than RETENTION_DAYS (default 180) leaves the database.

Three kinds of rows carry what people wrote or who they are, and each goes once it is
old enough:

- `messages`: every WhatsApp message in and out, by when it was sent or received;
- `handoff_cases`: closed cases, by when they were closed; the transcript and the summary
  are columns of the case, so they go with it. Open cases stay, however old;
- `appointments`: those that ended, or were cancelled, before the cutoff. Upcoming
  appointments stay, however long ago they were booked;
- `reminders`: those that were due before the cutoff, whatever became of them (they
  hold no phone, but name the appointment);
- `helpdesk_events`: the ids of helpdesk webhook events handled before the cutoff. A
  case's `helpdesk_links` go with the case (a foreign key with ON DELETE CASCADE).

Rows go in batches, one short transaction per batch, so the purge never holds locks long
and a stop between batches loses nothing. Plain SQL that SQLite and PostgreSQL both run.

Kept whatever its age: `opt_outs` (who asked for no more messages; without it they would
get them again).

What is not here, because it already expires by itself in Redis: Rasa's trackers
(`record_exp: ${TRACKER_TTL_SECONDS}` in endpoints.yml, 1 day by default, counted from
the conversation's last turn; they hold only the current session), the WhatsApp per-sender lines (24 h), message ids for
de-duplication (MESSAGE_DEDUP_SECONDS), offered buttons and rate-limit counters.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Optional

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.schema import Table

from appointments.domain.appointment import CANCELLED
from appointments.adapters.sql.handoffs import CLOSED
from appointments.adapters.sql.tables import (
    appointments,
    handoff_cases,
    helpdesk_events,
    messages,
    reminders,
    utc_now,
)

DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True)
class PurgeResult:
    """How many rows of each kind went (counts only: nothing about whom)."""

    messages: int = 0
    handoff_cases: int = 0
    appointments: int = 0
    reminders: int = 0
    helpdesk_events: int = 0
    stopped: bool = False  # asked to stop before everything old was gone

    @property
    def total(self) -> int:
        return (self.messages + self.handoff_cases + self.appointments + self.reminders
                + self.helpdesk_events)


def expired_messages(cutoff: datetime) -> ColumnElement:
    return messages.c.created_at < cutoff


def expired_handoff_cases(cutoff: datetime) -> ColumnElement:
    closed_at = handoff_cases.c.closed_at
    return and_(
        handoff_cases.c.status == CLOSED,
        or_(closed_at < cutoff, and_(closed_at.is_(None), handoff_cases.c.updated_at < cutoff)),
    )


def expired_appointments(cutoff: datetime) -> ColumnElement:
    return or_(
        appointments.c.ends_at < cutoff,
        and_(appointments.c.status == CANCELLED, appointments.c.cancelled_at < cutoff),
    )


def delete_in_batches(
    engine: Engine,
    table: Table,
    condition: ColumnElement,
    batch_size: int = DEFAULT_BATCH_SIZE,
    should_stop: Callable[[], bool] = lambda: False,
) -> tuple[int, bool]:
    """Delete the rows matching `condition`, `batch_size` at a time, each batch in its own
    transaction; return (rows deleted, whether it stopped early)."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    batch = select(table.c.id).where(condition).limit(batch_size)
    deleted = 0
    while True:
        if should_stop():
            return deleted, True
        with engine.begin() as connection:
            count = connection.execute(table.delete().where(table.c.id.in_(batch))).rowcount
        deleted += count
        if count < batch_size:
            return deleted, False


def purge_expired(
    engine: Engine,
    retention_days: int,
    now: Optional[datetime] = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    should_stop: Callable[[], bool] = lambda: False,
) -> PurgeResult:
    """Remove messages, closed handoff cases, past appointments and reminders older than
    `retention_days` (counted back from `now`, an aware datetime)."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    now = now or utc_now()
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    cutoff = now - timedelta(days=retention_days)
    counts = {}
    for name, table, condition in (
        ("messages", messages, expired_messages(cutoff)),
        ("handoff_cases", handoff_cases, expired_handoff_cases(cutoff)),
        ("appointments", appointments, expired_appointments(cutoff)),
        ("reminders", reminders, reminders.c.due_at < cutoff),
        ("helpdesk_events", helpdesk_events, helpdesk_events.c.received_at < cutoff),
    ):
        counts[name], stopped = delete_in_batches(
            engine, table, condition, batch_size, should_stop
        )
        if stopped:
            return PurgeResult(**counts, stopped=True)
    return PurgeResult(**counts)


__all__ = ["PurgeResult", "purge_expired", "delete_in_batches", "DEFAULT_BATCH_SIZE"]
