"""Requests to talk to a person, kept until someone picks them up."""
from __future__ import annotations

from typing import Any, Dict, List

from sqlalchemy import select
from sqlalchemy.engine import Engine

from appointments.storage.tables import handoff_requests as table
from appointments.storage.tables import utc_now


class SqlHandoffRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, phone: str, reason: str, summary: str) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(
                table.insert().values(
                    phone=phone, reason=reason, summary=summary, status="open",
                    created_at=utc_now(),
                )
            )
        return int(result.inserted_primary_key[0])

    def list_open(self) -> List[Dict[str, Any]]:
        query = select(table).where(table.c.status == "open").order_by(table.c.created_at)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]
