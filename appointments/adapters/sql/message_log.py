"""The message log: every WhatsApp message received and sent, with its status.

Phones are stored and looked up in normal form (appointments/domain/phones.py): one
person's conversation is one, whether WhatsApp wrote "+521..." or "+52...".

A message that must go out at most once (a reminder) is reserved before it is sent:
its row carries a unique `idempotency_key`, so a second worker's reservation fails and
it does not send it again (`reserve_outbound`, `finish_outbound`)."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from appointments.adapters.sql.tables import messages as table
from appointments.domain.handoff import utc_now
from appointments.domain.messages import INBOUND, OUTBOUND
from appointments.domain.phones import normalize_phone

SENDING, FAILED = "sending", "failed"

__all__ = ["INBOUND", "OUTBOUND", "SqlMessageLog"]


def _storable(text: Optional[str]) -> Optional[str]:
    """PostgreSQL text cannot hold NUL (psycopg2 refuses the whole row): keep the rest."""
    return text.replace("\x00", "\ufffd") if text else text


def _phone(phone: str) -> str:
    return _storable(normalize_phone(phone)) or ""


class SqlMessageLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(
        self,
        direction: str,
        phone: str,
        body: str,
        status: str,
        message_sid: Optional[str] = None,
        media: Sequence[Dict[str, str]] = (),
        error: Optional[str] = None,
        author: Optional[str] = None,
        agent_name: Optional[str] = None,
    ) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(
                table.insert().values(
                    direction=direction, phone=_phone(phone), body=_storable(body),
                    status=status, message_sid=_storable(message_sid),
                    media=json.dumps(list(media)), error=_storable(error),
                    author=author or ("user" if direction == INBOUND else "bot"),
                    agent_name=_storable(agent_name[:60]) if agent_name else None,
                    created_at=utc_now(),
                )
            )
        return int(result.inserted_primary_key[0])

    def update_status(self, message_sid: str, status: str, error: Optional[str] = None) -> bool:
        """Apply a Twilio status callback (queued -> sent -> delivered -> read, or failed)."""
        values: Dict[str, Any] = {"status": status}
        if error:
            values["error"] = error
        with self.engine.begin() as connection:
            result = connection.execute(
                table.update().where(table.c.message_sid == message_sid).values(**values)
            )
        return result.rowcount > 0

    def conversation(self, phone: str, since: Optional[datetime] = None) -> List[Dict[str, Any]]:
        query = select(table).where(table.c.phone == _phone(phone)).order_by(table.c.id)
        if since is not None:
            query = query.where(table.c.created_at >= since)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def count(self, author: str, since: datetime, phone: Optional[str] = None) -> int:
        """Messages of `author` from `since` on, of one phone or of all (the LLM caps)."""
        query = select(func.count()).select_from(table).where(
            table.c.author == author, table.c.created_at >= since
        )
        if phone is not None:
            query = query.where(table.c.phone == _phone(phone))
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar() or 0)

    def last_inbound_at(self, phone: str) -> Optional[datetime]:
        """When `phone` last wrote (the start of WhatsApp's 24-hour window)."""
        query = select(func.max(table.c.created_at)).where(
            table.c.phone == _phone(phone), table.c.direction == INBOUND)
        with self.engine.connect() as connection:
            return connection.execute(query).scalar()  # max() keeps the column's type

    def last_outbound_key(self, phone: str) -> Optional[str]:
        """The idempotency key of the last message sent to `phone` (None: not a reminder)."""
        query = (select(table.c.idempotency_key)
                 .where(table.c.phone == _phone(phone), table.c.direction == OUTBOUND)
                 .order_by(table.c.id.desc()).limit(1))
        with self.engine.connect() as connection:
            return connection.execute(query).scalar()

    def reserve_outbound(self, phone: str, body: str, idempotency_key: str,
                         author: str) -> Optional[int]:
        """The new row's id, or None when a row holds the key already."""
        try:
            with self.engine.begin() as connection:
                result = connection.execute(table.insert().values(
                    direction=OUTBOUND, phone=_phone(phone), body=_storable(body),
                    status=SENDING, media="[]", author=author, created_at=utc_now(),
                    idempotency_key=idempotency_key))
        except IntegrityError:
            return None
        return int(result.inserted_primary_key[0])

    def finish_outbound(self, message_id: int, status: str, message_sid: Optional[str] = None,
                        error: Optional[str] = None) -> None:
        values: Dict[str, Any] = {"status": status, "message_sid": _storable(message_sid),
                                  "error": _storable(error)}
        if status == FAILED:
            values["idempotency_key"] = None  # a later attempt may reserve it again
        with self.engine.begin() as connection:
            connection.execute(table.update().where(table.c.id == message_id).values(**values))

    def find_by_key(self, idempotency_key: str) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(table).where(table.c.idempotency_key == idempotency_key)).first()
        return dict(row._mapping) if row else None
