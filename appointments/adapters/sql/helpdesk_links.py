"""Which handoff case is which conversation/ticket in which helpdesk, and which inbound
webhook events were handled already (appointments/domain/helpdesk.py, HelpdeskLinks).

Two processes may try to open the same pending link (the action that opened the case
and a worker retrying): `claim` moves the link's next_attempt_at only if nobody moved it
since it was read, so one of them does it. A replayed event is refused by the unique
(helpdesk, event_id) key.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, List, Optional

from sqlalchemy import and_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from appointments.adapters.sql.tables import handoff_cases, helpdesk_events, helpdesk_links
from appointments.domain.handoff import CLOSED as CASE_CLOSED, OPEN as CASE_OPEN
from appointments.domain.helpdesk import CLOSED, FAILED, OPEN, PENDING, Link

table = helpdesk_links
MAX_ERROR = 500


def _row(row: Any) -> Link:
    return dict(row._mapping)


class SqlHelpdeskLinks:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_pending(self, case_id: int, helpdesk: str, now: datetime) -> Link:
        try:
            with self.engine.begin() as connection:
                connection.execute(table.insert().values(
                    case_id=case_id, helpdesk=helpdesk, status=PENDING, attempts=0,
                    next_attempt_at=now, created_at=now, updated_at=now))
        except IntegrityError:
            pass  # asked twice for a person: the case's link is there already
        with self.engine.connect() as connection:
            row = connection.execute(select(table).where(
                table.c.case_id == case_id, table.c.helpdesk == helpdesk)).first()
        return _row(row)

    def get(self, link_id: int) -> Link:
        with self.engine.connect() as connection:
            row = connection.execute(select(table).where(table.c.id == link_id)).first()
        if row is None:
            raise KeyError(link_id)
        return _row(row)

    def claim(self, link: Link, now: datetime, until: datetime) -> bool:
        seen = link["next_attempt_at"]
        condition = table.c.next_attempt_at.is_(None) if seen is None else \
            table.c.next_attempt_at == seen
        with self.engine.begin() as connection:
            result = connection.execute(
                table.update()
                .where(table.c.id == link["id"], table.c.status == PENDING, condition)
                .values(next_attempt_at=until, updated_at=now))
        return result.rowcount == 1

    def due(self, now: datetime, limit: int) -> List[Link]:
        query = (
            select(table)
            .join(handoff_cases, handoff_cases.c.id == table.c.case_id)
            .where(table.c.status == PENDING, handoff_cases.c.status == CASE_OPEN,
                   table.c.next_attempt_at <= now)
            .order_by(table.c.next_attempt_at).limit(limit)
        )
        with self.engine.connect() as connection:
            return [_row(row) for row in connection.execute(query)]

    def _update(self, link_id: int, **values: Any) -> None:
        with self.engine.begin() as connection:
            connection.execute(table.update().where(table.c.id == link_id).values(**values))

    def mark_open(self, link_id: int, ref: str, now: datetime) -> None:
        self._update(link_id, status=OPEN, external_ref=ref, next_attempt_at=None,
                     last_error=None, attempts=table.c.attempts + 1, updated_at=now)

    def mark_retry(self, link_id: int, error: str, now: datetime,
                   next_attempt_at: Optional[datetime]) -> None:
        self._update(link_id, status=PENDING if next_attempt_at else FAILED,
                     next_attempt_at=next_attempt_at, last_error=error[:MAX_ERROR],
                     attempts=table.c.attempts + 1, updated_at=now)

    def mark_closed(self, link_id: int, now: datetime) -> None:
        self._update(link_id, status=CLOSED, updated_at=now)

    def for_case(self, case_id: int) -> List[Link]:
        query = select(table).where(table.c.case_id == case_id).order_by(table.c.id)
        with self.engine.connect() as connection:
            return [_row(row) for row in connection.execute(query)]

    def by_ref(self, helpdesk: str, ref: str) -> Optional[Link]:
        query = (select(table).where(table.c.helpdesk == helpdesk,
                                     table.c.external_ref == ref)
                 .order_by(table.c.id.desc()).limit(1))
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return _row(row) if row is not None else None

    def to_close(self, limit: int) -> List[Link]:
        query = (
            select(table)
            .join(handoff_cases, and_(handoff_cases.c.id == table.c.case_id,
                                      handoff_cases.c.status == CASE_CLOSED))
            .where(table.c.status == OPEN).order_by(table.c.id).limit(limit)
        )
        with self.engine.connect() as connection:
            return [_row(row) for row in connection.execute(query)]

    def first_time(self, helpdesk: str, event_id: str, now: datetime) -> bool:
        try:
            with self.engine.begin() as connection:
                connection.execute(helpdesk_events.insert().values(
                    helpdesk=helpdesk, event_id=event_id[:160], received_at=now))
        except IntegrityError:
            return False
        return True

    def forget_event(self, helpdesk: str, event_id: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(helpdesk_events.delete().where(
                helpdesk_events.c.helpdesk == helpdesk,
                helpdesk_events.c.event_id == event_id[:160]))


__all__ = ["SqlHelpdeskLinks", "PENDING", "OPEN", "FAILED", "CLOSED"]
