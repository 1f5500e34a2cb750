"""Handoff cases: conversations handed to a person, kept until given back.

A case's `phone` is in normal form (appointments/domain/phones.py), and every lookup by
phone normalises too, so "+521..." and "+52..." find the same case; `sender_id` keeps
the conversation's id in Rasa as the channel wrote it (what pause, resume and the
agent's replies address).
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.engine import Engine

from appointments.adapters.sql.tables import handoff_cases as table
from appointments.domain.handoff import CLOSED, OPEN, CaseClosed, CaseNotFound, utc_now
from appointments.domain.phones import normalize_phone

__all__ = ["CLOSED", "OPEN", "CaseClosed", "CaseNotFound", "SqlHandoffRepository"]


def _decode(row: Any) -> Dict[str, Any]:
    case = dict(row._mapping)
    case["summary"] = json.loads(case["summary"] or "{}")
    case["transcript"] = json.loads(case["transcript"] or "[]")
    return case


class SqlHandoffRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open_case(
        self,
        phone: str,
        reason: str,
        summary: Dict[str, Any],
        transcript: Sequence[Dict[str, Any]] = (),
        profile_name: Optional[str] = None,
    ) -> int:
        """Open a case, or refresh the one already open for this phone (asking twice
        for a person must not make two cases). `phone`: the conversation's sender id,
        kept as `sender_id` (the latest one, when the case is refreshed)."""
        now = utc_now()
        sender_id, phone = phone, normalize_phone(phone)
        values = dict(
            summary=json.dumps(summary, ensure_ascii=False, default=str),
            transcript=json.dumps(list(transcript), ensure_ascii=False, default=str),
            updated_at=now, sender_id=sender_id,
        )
        with self.engine.begin() as connection:
            existing = connection.execute(
                select(table.c.id).where(table.c.phone == phone, table.c.status == OPEN)
            ).scalar()
            if existing is not None:
                connection.execute(table.update().where(table.c.id == existing).values(**values))
                return int(existing)
            result = connection.execute(
                table.insert().values(
                    phone=phone, profile_name=profile_name, reason=reason, status=OPEN,
                    created_at=now, **values,
                )
            )
        return int(result.inserted_primary_key[0])

    def get(self, case_id: int) -> Dict[str, Any]:
        with self.engine.connect() as connection:
            row = connection.execute(select(table).where(table.c.id == case_id)).first()
        if row is None:
            raise CaseNotFound(case_id)
        return _decode(row)

    def open_case_for(self, phone: str) -> Optional[Dict[str, Any]]:
        query = (select(table).where(table.c.phone == normalize_phone(phone),
                                     table.c.status == OPEN).order_by(table.c.id))
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return _decode(row) if row is not None else None

    def list_open(self) -> List[Dict[str, Any]]:
        query = select(table).where(table.c.status == OPEN).order_by(table.c.created_at)
        with self.engine.connect() as connection:
            return [_decode(row) for row in connection.execute(query)]

    def touch(self, phone: str) -> None:
        """Note activity on the phone's open case (a message in or out)."""
        with self.engine.begin() as connection:
            connection.execute(
                table.update()
                .where(table.c.phone == normalize_phone(phone), table.c.status == OPEN)
                .values(updated_at=utc_now())
            )

    def close(self, case_id: int, closed_by: str,
              agent_name: Optional[str] = None) -> Dict[str, Any]:
        """Close an open case; CaseClosed if someone (or the timeout) already did.
        `agent_name`: the console account that gave it back, for the audit trail."""
        now = utc_now()
        with self.engine.begin() as connection:
            result = connection.execute(
                table.update()
                .where(table.c.id == case_id, table.c.status == OPEN)
                .values(status=CLOSED, closed_at=now, closed_by=closed_by, updated_at=now,
                        closed_agent=agent_name[:60] if agent_name else None)
            )
        if result.rowcount == 0:
            self.get(case_id)  # raises CaseNotFound for an unknown id
            raise CaseClosed(case_id)
        return self.get(case_id)

    def reopen(self, case_id: int) -> None:
        """Undo `close` when giving the conversation back failed half-way."""
        with self.engine.begin() as connection:
            connection.execute(
                table.update()
                .where(table.c.id == case_id)
                .values(status=OPEN, closed_at=None, closed_by=None, closed_agent=None,
                        updated_at=utc_now())
            )

    def idle_since(self, moment: datetime) -> List[Dict[str, Any]]:
        """Open cases with no activity since `moment` (for the auto-resume timeout)."""
        query = select(table).where(table.c.status == OPEN, table.c.updated_at < moment)
        with self.engine.connect() as connection:
            return [_decode(row) for row in connection.execute(query)]
