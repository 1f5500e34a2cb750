"""A day's appointments for the business (the console's "Hoy" page, the daily agenda
message) and what an agent records about them afterwards: attended or no-show.

Days are business days: from midnight to midnight in the business time zone, however
long a clock change makes them. Blocking (database) calls: async callers run them in a
thread.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Callable, List, Optional, Tuple

from appointments.domain.appointment import ATTENDANCE, Appointment
from appointments.domain.calendar import BusinessCalendar, instant
from appointments.domain.codes import normalize_code
from appointments.domain.errors import AppointmentNotActive, AppointmentNotFound
from appointments.domain.ports import AppointmentRepository


class Agenda:
    def __init__(self, calendar: BusinessCalendar, repository: AppointmentRepository,
                 clock: Callable[[], datetime]) -> None:
        self.calendar = calendar
        self.repository = repository
        self.clock = clock

    def now(self) -> datetime:
        return self.calendar.localize(self.clock())

    def today(self) -> date:
        return self.calendar.today(self.clock())

    def bounds(self, day: date) -> Tuple[datetime, datetime]:
        """[start, end) of `day` in business time."""
        def midnight(of: date) -> datetime:
            return self.calendar.localize(datetime.combine(of, time.min))

        return midnight(day), midnight(day + timedelta(days=1))

    def open_today(self) -> Optional[date]:
        """Today, if the business has opened today and not yet closed for the day (when
        the day's agenda is worth sending); None on a closed day or outside that span."""
        today = self.today()
        span = self.calendar.opening_hours(today)
        if span is None:
            return None
        local = self.now()
        opens = self.calendar.localize(datetime.combine(today, span[0]))
        closes = self.calendar.localize(datetime.combine(today, span[1]))
        return today if instant(opens) <= instant(local) < instant(closes) else None

    def day(self, day: date) -> List[Appointment]:
        """Every appointment of `day` (booked and cancelled), by start."""
        return self.repository.appointments_on(*self.bounds(day))

    def mark(self, code: str, attendance: str, agent: str) -> Appointment:
        """Record that the customer came (ATTENDED) or not (NO_SHOW), by `agent`; a later
        mark replaces an earlier one (a slip of the finger). AppointmentNotFound for an
        unknown code; AppointmentNotActive for a cancelled appointment or one of a day
        still to come; ValueError for another attendance."""
        if attendance not in ATTENDANCE:
            raise ValueError(f"attendance must be one of {ATTENDANCE}, got {attendance!r}")
        normalized = normalize_code(code)
        appointment = self.repository.get(normalized) if normalized else None
        if appointment is None:
            raise AppointmentNotFound(code)
        _, end_of_today = self.bounds(self.today())
        if not appointment.is_booked or instant(appointment.start) >= instant(end_of_today):
            raise AppointmentNotActive(appointment.code)
        if not self.repository.mark_attendance(appointment.code, attendance, agent, self.now()):
            raise AppointmentNotActive(appointment.code)  # cancelled meanwhile
        marked = self.repository.get(appointment.code)
        assert marked is not None  # rows are never deleted
        return marked
