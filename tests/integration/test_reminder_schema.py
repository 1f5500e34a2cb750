"""What reminders add to the schema: the message log's unique idempotency key, added to
a database made before it (every start runs create_schema), and reminder rows leaving
with the retention purge. On SQLite and PostgreSQL."""
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from appointments.adapters.sql.database import create_schema
from appointments.adapters.sql.message_log import SqlMessageLog
from appointments.adapters.sql.retention import purge_expired
from appointments.adapters.sql.tables import reminders, utc_now

PHONE = "whatsapp:+5215512345678"


def test_an_old_messages_table_gets_the_unique_idempotency_key(engine):
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX uq_messages_idempotency_key"))
        connection.execute(text("ALTER TABLE messages DROP COLUMN idempotency_key"))  # as shipped
    create_schema(engine)
    create_schema(engine)  # twice: nothing to add the second time
    assert "idempotency_key" in {c["name"] for c in inspect(engine).get_columns("messages")}
    [index] = [i for i in inspect(engine).get_indexes("messages")
               if i["name"] == "uq_messages_idempotency_key"]
    assert index["unique"]
    log = SqlMessageLog(engine)
    log.record("out", PHONE, "sin llave", "queued")
    log.record("out", PHONE, "sin llave", "queued")  # NULL keys never clash
    assert log.reserve_outbound(PHONE, "una vez", "reminder:K:24h:x", "reminder") is not None
    assert log.reserve_outbound(PHONE, "una vez", "reminder:K:24h:x", "reminder") is None


def test_reminders_due_before_the_retention_cutoff_are_purged(engine):
    now = utc_now()
    with engine.begin() as connection:
        for code, age in (("OLD-01X", 200), ("NEW-01X", 10), ("NEXT-1X", -1)):
            connection.execute(reminders.insert().values(
                appointment_code=code, kind="24h", due_at=now - timedelta(days=age),
                state="sent" if age > 0 else "pending", attempts=0))
    result = purge_expired(engine, retention_days=180, now=now)
    assert result.reminders == 1 and result.total == 1
    with engine.connect() as connection:
        left = set(connection.execute(select(reminders.c.appointment_code)).scalars())
    assert left == {"NEW-01X", "NEXT-1X"}


def test_the_table_refuses_two_reminders_of_one_kind_for_one_appointment(engine):
    row = dict(appointment_code="K7P-3QX", kind="24h", due_at=utc_now(), state="pending",
               attempts=0)
    with engine.begin() as connection:
        connection.execute(reminders.insert().values(**row))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(reminders.insert().values(**row))
    with engine.begin() as connection:  # another kind is fine
        connection.execute(reminders.insert().values(**{**row, "kind": "2h"}))
