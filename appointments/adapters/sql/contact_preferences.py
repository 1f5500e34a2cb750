"""Who opted out of our messages, in SQL (the ContactPreferences port).

One row per person who ever opted out (the phone in normal form is unique): its state
("out" or "in"), when that state last changed and why. Each call is one statement that
only changes a row whose state differs (an upsert for opting out), so two replicas
recording the same "BAJA" at once leave one row with the first one's time and source.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from appointments.adapters.sql.tables import opt_outs as table
from appointments.domain.contact import OPTED_IN, OPTED_OUT, SOURCE_USER, SOURCES
from appointments.domain.phones import normalize_phone

_INSERTS = {"postgresql": postgres_insert, "sqlite": sqlite_insert}


class SqlContactPreferences:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert = _INSERTS[engine.dialect.name]

    def opt_out(self, phone: str, at: datetime, source: str) -> bool:
        """Insert the row, or turn an opted-in one out; an opted-out one stays as it was
        (its time and source)."""
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}")
        statement = self._insert(table).values(
            phone=normalize_phone(phone), state=OPTED_OUT, changed_at=at, source=source)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.phone],
            set_={"state": OPTED_OUT, "changed_at": statement.excluded.changed_at,
                  "source": statement.excluded.source},
            where=table.c.state != OPTED_OUT,
        )
        with self.engine.begin() as connection:
            return connection.execute(statement).rowcount == 1

    def opt_in(self, phone: str, at: datetime) -> bool:
        """Only an opted-out row changes; a phone never opted out gets no row."""
        with self.engine.begin() as connection:
            return connection.execute(
                table.update()
                .where(table.c.phone == normalize_phone(phone), table.c.state == OPTED_OUT)
                .values(state=OPTED_IN, changed_at=at, source=SOURCE_USER)
            ).rowcount == 1

    def is_opted_out(self, phone: str) -> bool:
        query = select(table.c.state).where(table.c.phone == normalize_phone(phone))
        with self.engine.connect() as connection:
            return connection.execute(query).scalar() == OPTED_OUT
