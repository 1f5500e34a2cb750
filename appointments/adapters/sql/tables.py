"""The database schema (SQLAlchemy 1.4 Core)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    DDL,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.types import TypeDecorator

from appointments.domain.handoff import utc_now

metadata = MetaData()


class UtcDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which drops the zone) and
    PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database: times must be aware")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


__all__ = ["metadata", "utc_now"]  # utc_now: appointments.domain.handoff


appointments = Table(
    "appointments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(7), nullable=False, unique=True),
    Column("phone", String(64), nullable=False, index=True),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("customer_name", String(120)),
    Column("created_at", UtcDateTime, nullable=False, default=utc_now),
    Column("cancelled_at", UtcDateTime),
    Column("service", String(40)),  # Offering.key (business.yml); NULL: one unnamed service
    Column("language", String(5)),  # the conversation's when booked; NULL: Spanish
    Column("confirmed_at", UtcDateTime),  # the customer confirmed (e.g. answering a reminder)
    Column("attendance", String(16)),  # "attended" | "no_show" | NULL: not recorded
    Column("attendance_at", UtcDateTime),
    Column("attendance_by", String(60)),  # the console account that recorded it
)

# Double booking is impossible in the database itself, not only in Python: at most one
# booked appointment per start time.
Index(
    "uq_appointments_booked_start",
    appointments.c.starts_at,
    unique=True,
    sqlite_where=text("status = 'booked'"),
    postgresql_where=text("status = 'booked'"),
)

# ... nor may two booked appointments overlap in time ([start, end) half-open, so back to
# back is fine). PostgreSQL: an exclusion constraint on the range (core GiST range_ops,
# no extension). SQLite, which serializes writers: triggers that abort the write, which
# the driver reports as an IntegrityError like any constraint. Made with the table, and
# added to existing databases by database.create_schema.
NO_OVERLAP = "ex_appointments_booked_overlap"
POSTGRES_NO_OVERLAP = DDL(
    f"ALTER TABLE appointments ADD CONSTRAINT {NO_OVERLAP} "
    "EXCLUDE USING gist (tstzrange(starts_at, ends_at, '[)') WITH &&) "
    "WHERE (status = 'booked')"
)
_OVERLAPS = (
    "SELECT RAISE(ABORT, 'booked appointments overlap') WHERE EXISTS ("
    "SELECT 1 FROM appointments WHERE status = 'booked' AND starts_at < NEW.ends_at "
    "AND ends_at > NEW.starts_at{other})"
)
SQLITE_NO_OVERLAP = [
    DDL(
        "CREATE TRIGGER IF NOT EXISTS appointments_no_overlap_insert BEFORE INSERT ON "
        f"appointments WHEN NEW.status = 'booked' BEGIN {_OVERLAPS.format(other='')}; END"
    ),
    DDL(
        "CREATE TRIGGER IF NOT EXISTS appointments_no_overlap_update BEFORE UPDATE OF "
        "starts_at, ends_at, status ON appointments WHEN NEW.status = 'booked' BEGIN "
        f"{_OVERLAPS.format(other=' AND id <> OLD.id')}; END"
    ),
]
event.listen(appointments, "after_create", POSTGRES_NO_OVERLAP.execute_if(dialect="postgresql"))
for _trigger in SQLITE_NO_OVERLAP:
    event.listen(appointments, "after_create", _trigger.execute_if(dialect="sqlite"))

# A conversation handed to a person: open until an agent gives it back to the assistant
# (or it times out). The transcript is the conversation up to the handoff; what is said
# afterwards is in `messages`.
handoff_cases = Table(
    "handoff_cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("phone", String(64), nullable=False, index=True),  # normalize_phone's form
    # the conversation's id in Rasa (the phone as the channel wrote it): pause, resume
    # and the agent's replies go there
    Column("sender_id", String(64)),
    Column("profile_name", String(120)),
    Column("reason", String(32), nullable=False),  # "user_request" | "fallback" | ...
    Column("summary", Text, nullable=False, default="{}"),  # JSON: goal, filled slots
    Column("transcript", Text, nullable=False, default="[]"),  # JSON: [{author, text, at}]
    Column("status", String(16), nullable=False, default="open"),  # "open" | "closed"
    Column("created_at", UtcDateTime, nullable=False, default=utc_now),
    Column("updated_at", UtcDateTime, nullable=False, default=utc_now),  # last activity
    Column("closed_at", UtcDateTime),
    Column("closed_by", String(32)),  # "agent" | "timeout" | "user"
    Column("closed_agent", String(60)),  # the console account that gave it back
)

# A handoff case in a helpdesk (appointments/domain/helpdesk.py): one row per case and
# product (HELPDESK), pending until the product gave its conversation/ticket id, retried
# with backoff by the worker. Goes with its case (retention) through the foreign key.
helpdesk_links = Table(
    "helpdesk_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("handoff_cases.id", ondelete="CASCADE"),
           nullable=False),
    Column("helpdesk", String(32), nullable=False),  # "chatwoot", "zendesk", ...
    Column("external_ref", String(120)),  # the conversation/ticket id there
    Column("status", String(16), nullable=False),  # pending | open | failed | closed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime),  # pending: not before (also a worker's claim)
    Column("last_error", Text),  # why the last attempt failed (no secrets, no phones)
    Column("created_at", UtcDateTime, nullable=False, default=utc_now),
    Column("updated_at", UtcDateTime, nullable=False, default=utc_now),
    UniqueConstraint("case_id", "helpdesk", name="uq_helpdesk_links_case_helpdesk"),
)
Index("ix_helpdesk_links_ref", helpdesk_links.c.helpdesk, helpdesk_links.c.external_ref)
Index("ix_helpdesk_links_status", helpdesk_links.c.status, helpdesk_links.c.next_attempt_at)

# Inbound helpdesk webhook events already handled: the unique key makes a replay's
# insert fail, so nothing happens twice. Purged by age (retention).
helpdesk_events = Table(
    "helpdesk_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("helpdesk", String(32), nullable=False),
    Column("event_id", String(160), nullable=False),
    Column("received_at", UtcDateTime, nullable=False, default=utc_now),
    UniqueConstraint("helpdesk", "event_id", name="uq_helpdesk_events_event"),
)

# Once-a-day jobs (the daily agenda to AGENT_PHONE_NUMBER): the worker that inserts the
# (job, day) row does the job; the others, finding it, do not.
daily_runs = Table(
    "daily_runs",
    metadata,
    Column("job", String(32), primary_key=True),
    Column("day", Date, primary_key=True),  # the business day
    Column("claimed_at", UtcDateTime, nullable=False, default=utc_now),
)

# Every WhatsApp message in and out (the original product's message log).
messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("direction", String(8), nullable=False),  # "in" | "out"
    Column("message_sid", String(64), index=True),
    Column("phone", String(64), nullable=False, index=True),
    Column("body", Text, nullable=False, default=""),
    Column("media", Text, nullable=False, default="[]"),  # JSON list of {url, content_type}
    Column("status", String(32), nullable=False),
    Column("error", Text),
    Column("author", String(8)),  # "user" | "bot" | "agent"
    Column("agent_name", String(60)),  # the console account that wrote it (author "agent")
    Column("created_at", UtcDateTime, nullable=False, default=utc_now),
    # Set on a message that must go out once only (a reminder): the unique index makes a
    # second worker's insert fail, so it does not send it again. NULL for all others.
    Column("idempotency_key", String(120)),
)

# Who opted out of our messages ("BAJA", or Twilio's 21610) and who opted back in
# ("ALTA"): one row per person, kept whatever RETENTION_DAYS says (it is what stops us
# writing to them). appointments/domain/contact.py.
opt_outs = Table(
    "opt_outs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("phone", String(64), nullable=False, unique=True),  # normalize_phone's form
    Column("state", String(8), nullable=False),  # "out" | "in"
    Column("changed_at", UtcDateTime, nullable=False),  # when the state last changed
    Column("source", String(16), nullable=False),  # "user" | "twilio_21610"
)

# The retention purge (appointments/adapters/sql/retention.py) finds old messages by age.
Index("ix_messages_created_at", messages.c.created_at)
Index("uq_messages_idempotency_key", messages.c.idempotency_key, unique=True)

# Reminders of upcoming appointments (appointments/domain/reminders.py): written in the
# same transaction as the booking, move or cancellation (sql/appointments.py), claimed
# and marked by the worker (sql/reminders.py).
reminders = Table(
    "reminders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("appointment_code", String(7), nullable=False),
    Column("kind", String(8), nullable=False),  # "24h", "2h", "30m"
    Column("due_at", UtcDateTime, nullable=False),
    Column("state", String(16), nullable=False),  # pending|claimed|sent|skipped|failed|cancelled
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime),  # after a failed send: not before
    Column("last_error", Text),  # why it failed or was skipped
    Column("claimed_at", UtcDateTime),
    Column("claimed_by", String(100)),  # the claim's token (worker id + random)
    Column("sent_at", UtcDateTime),
    Column("message_sid", String(64)),
    UniqueConstraint("appointment_code", "kind", name="uq_reminders_appointment_kind"),
)
Index("ix_reminders_state_due", reminders.c.state, reminders.c.due_at)
