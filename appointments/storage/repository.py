"""Appointments in SQL. Each method is one transaction."""
from __future__ import annotations

from datetime import datetime
from typing import List, Optional, Set
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.engine import Engine, Row
from sqlalchemy.exc import IntegrityError

from appointments.scheduling.errors import SlotUnavailable, Unavailability
from appointments.scheduling.models import BOOKED, CANCELLED, Appointment
from appointments.storage.tables import appointments as table


class CodeCollision(Exception):
    """The random code already exists; the caller draws another one."""


class SqlAppointmentRepository:
    def __init__(self, engine: Engine, tz: ZoneInfo) -> None:
        self.engine = engine
        self.tz = tz

    def _to_model(self, row: Row) -> Appointment:
        return Appointment(
            code=row.code,
            phone=row.phone,
            start=row.starts_at.astimezone(self.tz),
            end=row.ends_at.astimezone(self.tz),
            status=row.status,
            created_at=row.created_at.astimezone(self.tz),
            customer_name=row.customer_name,
        )

    def _code_exists(self, code: str) -> bool:
        with self.engine.connect() as connection:
            found = connection.execute(select(table.c.id).where(table.c.code == code)).first()
        return found is not None

    def add(self, appointment: Appointment) -> Appointment:
        """Insert a booked appointment; the unique index refuses a taken slot."""
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    table.insert().values(
                        code=appointment.code,
                        phone=appointment.phone,
                        starts_at=appointment.start,
                        ends_at=appointment.end,
                        status=BOOKED,
                        customer_name=appointment.customer_name,
                        created_at=appointment.created_at,
                    )
                )
        except IntegrityError:
            if self._code_exists(appointment.code):
                raise CodeCollision(appointment.code) from None
            raise SlotUnavailable(Unavailability.TAKEN, appointment.start) from None
        return appointment

    def get(self, code: str) -> Optional[Appointment]:
        with self.engine.connect() as connection:
            row = connection.execute(select(table).where(table.c.code == code)).first()
        return self._to_model(row) if row else None

    def booked_starts(self, start: datetime, end: datetime) -> Set[datetime]:
        """Start times of booked appointments with start <= t < end."""
        query = select(table.c.starts_at).where(
            and_(table.c.status == BOOKED, table.c.starts_at >= start, table.c.starts_at < end)
        )
        with self.engine.connect() as connection:
            return {row.starts_at.astimezone(self.tz) for row in connection.execute(query)}

    def booked_for_phone(self, phone: str, after: datetime) -> List[Appointment]:
        query = (
            select(table)
            .where(and_(table.c.phone == phone, table.c.status == BOOKED, table.c.starts_at > after))
            .order_by(table.c.starts_at)
        )
        with self.engine.connect() as connection:
            return [self._to_model(row) for row in connection.execute(query)]

    def cancel(self, code: str, phone: str, at: datetime) -> bool:
        """Cancel if still booked by that phone; False when nothing changed."""
        with self.engine.begin() as connection:
            result = connection.execute(
                table.update()
                .where(and_(table.c.code == code, table.c.phone == phone, table.c.status == BOOKED))
                .values(status=CANCELLED, cancelled_at=at)
            )
        return result.rowcount == 1

    def move(self, code: str, phone: str, start: datetime, end: datetime) -> bool:
        """Move a booked appointment in one statement: the unique index guards the new
        slot, and the old one is free the moment the row changes. False when the
        appointment is no longer booked by that phone."""
        try:
            with self.engine.begin() as connection:
                result = connection.execute(
                    table.update()
                    .where(and_(table.c.code == code, table.c.phone == phone, table.c.status == BOOKED))
                    .values(starts_at=start, ends_at=end)
                )
        except IntegrityError:
            raise SlotUnavailable(Unavailability.TAKEN, start) from None
        return result.rowcount == 1
