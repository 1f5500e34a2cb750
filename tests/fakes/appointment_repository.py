"""In-memory fake of the AppointmentRepository port (appointments/domain/ports.py),
with the SQL adapter's semantics (tests/integration/test_repository_contract.py holds it
to them). Re-exported by tests/fakes/ports.py with the other fakes."""
from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Dict, List, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

from appointments.domain.appointment import ATTENDANCE, BOOKED, CANCELLED, Appointment
from appointments.domain.errors import (
    CodeCollision,
    SlotUnavailable,
    TooManyAppointments,
    Unavailability,
)
from appointments.domain.handoff import utc_now
from appointments.domain.phones import normalize_phone
from tests.fakes.reminders import InMemoryReminderQueue


def _utc(value: datetime) -> datetime:
    """What the database stores: an aware time as UTC. A naive one is refused, as the
    SQL column type refuses it."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database: times must be aware")
    return value.astimezone(timezone.utc)


# --- appointments -------------------------------------------------------------------

@dataclass
class _AppointmentRow:
    code: str
    phone: str
    start: datetime  # UTC, as stored
    end: datetime
    status: str
    created_at: datetime
    customer_name: Optional[str]
    service: Optional[str] = None
    cancelled_at: Optional[datetime] = None
    confirmed_at: Optional[datetime] = None
    attendance: Optional[str] = None
    attendance_at: Optional[datetime] = None
    attendance_by: Optional[str] = None
    language: Optional[str] = None


class InMemoryAppointmentRepository:
    """SqlAppointmentRepository in a dict. Like the SQL tables: codes are unique whatever
    the status, at most one BOOKED appointment per start instant and no two BOOKED ones
    overlapping in time ([start, end) half-open), the per-phone cap is
    checked before the insert (so at the cap the cap is the answer, not "taken"), a code
    clash is told apart from a taken slot, rows are never deleted, and phones are stored and
    looked up in normal form (normalize_phone). With reminder offsets, bookings, moves and
    cancellations plan their reminders in `reminders` (an InMemoryReminderQueue) under the
    same lock, as SQL does in the same transaction."""

    def __init__(self, tz: ZoneInfo, reminder_offsets: Sequence[timedelta] = (),
                 reminders: Optional[InMemoryReminderQueue] = None) -> None:
        self.tz = tz  # appointments come out in business time, as from the database
        self.reminder_offsets = tuple(reminder_offsets)
        self.reminders = reminders if reminders is not None else InMemoryReminderQueue()
        self._rows: Dict[str, _AppointmentRow] = {}
        self._lock = threading.RLock()

    def _to_model(self, row: _AppointmentRow) -> Appointment:
        return Appointment(
            code=row.code, phone=row.phone, start=row.start.astimezone(self.tz),
            end=row.end.astimezone(self.tz), status=row.status,
            created_at=row.created_at.astimezone(self.tz), customer_name=row.customer_name,
            service=row.service, confirmed_at=self._local(row.confirmed_at),
            attendance=row.attendance, attendance_at=self._local(row.attendance_at),
            attendance_by=row.attendance_by, language=row.language,
        )

    def _local(self, moment: Optional[datetime]) -> Optional[datetime]:
        return moment.astimezone(self.tz) if moment is not None else None

    def _booked(self) -> List[_AppointmentRow]:
        return [row for row in self._rows.values() if row.status == BOOKED]

    def _taken(self, start: datetime, end: datetime, other_than: Optional[str] = None) -> bool:
        """The unique index (same start) and the overlap guard (tables.py), as SQL has them."""
        return any(
            row.code != other_than and (row.start == start or (row.start < end and row.end > start))
            for row in self._booked()
        )

    def _booked_by(self, code: str, phone: str) -> Optional[_AppointmentRow]:
        row = self._rows.get(code)
        mine = row is not None and row.phone == normalize_phone(phone)
        return row if mine and row.status == BOOKED else None

    def add(self, appointment: Appointment, max_upcoming: Optional[int] = None) -> Appointment:
        appointment = replace(appointment, phone=normalize_phone(appointment.phone))
        row = _AppointmentRow(
            code=appointment.code, phone=appointment.phone, start=_utc(appointment.start),
            end=_utc(appointment.end), status=BOOKED, created_at=_utc(appointment.created_at),
            customer_name=appointment.customer_name, service=appointment.service,
            language=appointment.language,
        )
        with self._lock:
            if max_upcoming is not None:
                held = [r for r in self._booked()
                        if r.phone == row.phone and r.start > row.created_at]
                if len(held) >= max_upcoming:
                    raise TooManyAppointments(max_upcoming)
            if row.code in self._rows:
                raise CodeCollision(row.code)
            if self._taken(row.start, row.end):
                raise SlotUnavailable(Unavailability.TAKEN, appointment.start)
            self._rows[row.code] = row
            self.reminders.plan_new(row.code, row.start, row.created_at, self.reminder_offsets)
            return self._to_model(row)

    def get(self, code: str) -> Optional[Appointment]:
        with self._lock:
            row = self._rows.get(code)
            return self._to_model(row) if row is not None else None

    def booked_intervals(self, start: datetime, end: datetime) -> List[Tuple[datetime, datetime]]:
        start, end = _utc(start), _utc(end)
        with self._lock:
            found = sorted((r.start, r.end) for r in self._booked() if r.start < end and r.end > start)
            return [(s.astimezone(self.tz), e.astimezone(self.tz)) for s, e in found]

    def booked_for_phone(self, phone: str, after: datetime) -> List[Appointment]:
        after, phone = _utc(after), normalize_phone(phone)
        with self._lock:
            mine = [r for r in self._booked() if r.phone == phone and r.start > after]
            return [self._to_model(r) for r in sorted(mine, key=lambda r: r.start)]

    def cancel(self, code: str, phone: str, at: datetime) -> bool:
        at = _utc(at)
        with self._lock:
            row = self._booked_by(code, phone)
            if row is None:
                return False
            row.status, row.cancelled_at = CANCELLED, at
            self.reminders.cancel_open(code)
            return True

    def move(self, code: str, phone: str, start: datetime, end: datetime,
             at: Optional[datetime] = None) -> bool:
        new_start, new_end = _utc(start), _utc(end)
        with self._lock:
            row = self._booked_by(code, phone)
            if row is None:
                return False  # checked first: the UPDATE matches no row, nothing clashes
            if self._taken(new_start, new_end, other_than=code):
                raise SlotUnavailable(Unavailability.TAKEN, start)
            row.start, row.end, row.confirmed_at = new_start, new_end, None
            self.reminders.replan(code, new_start, at or utc_now(), self.reminder_offsets)
            return True

    def confirm(self, code: str, phone: str, at: datetime) -> bool:
        at = _utc(at)
        with self._lock:
            row = self._booked_by(code, phone)
            if row is None:
                return False
            row.confirmed_at = row.confirmed_at or at
            return True

    def mark_attendance(self, code: str, attendance: str, agent: str, at: datetime) -> bool:
        if attendance not in ATTENDANCE:
            raise ValueError(f"attendance must be one of {ATTENDANCE}, got {attendance!r}")
        at = _utc(at)
        with self._lock:
            row = self._rows.get(code)
            if row is None or row.status != BOOKED:
                return False
            row.attendance, row.attendance_at, row.attendance_by = attendance, at, agent
            return True

    def appointments_on(self, day_start: datetime, day_end: datetime) -> List[Appointment]:
        day_start, day_end = _utc(day_start), _utc(day_end)
        with self._lock:
            found = [r for r in self._rows.values() if day_start <= r.start < day_end]
            return [self._to_model(r) for r in sorted(found, key=lambda r: (r.start, r.code))]


# --- handoff cases ------------------------------------------------------------------
