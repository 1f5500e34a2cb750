"""The use cases: find free slots, book, cancel, reschedule, list."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Callable, List, Optional, Tuple

from appointments.scheduling.calendar import BusinessCalendar
from appointments.scheduling.codes import generate_code, normalize_code
from appointments.scheduling.errors import (
    AppointmentNotActive,
    AppointmentNotFound,
    SlotUnavailable,
    Unavailability,
)
from appointments.scheduling.models import Appointment, BOOKED
from appointments.storage.repository import CodeCollision, SqlAppointmentRepository

CODE_ATTEMPTS = 10


class AppointmentService:
    def __init__(
        self,
        calendar: BusinessCalendar,
        repository: SqlAppointmentRepository,
        clock: Callable[[], datetime],
        code_generator: Callable[[], str] = generate_code,
    ) -> None:
        self.calendar = calendar
        self.repository = repository
        self.clock = clock
        self.code_generator = code_generator

    def now(self) -> datetime:
        return self.calendar.localize(self.clock())

    # --- availability ------------------------------------------------------------

    def _booked_on(self, day: date) -> set:
        start = datetime.combine(day, time(0), tzinfo=self.calendar.tz)
        return self.repository.booked_starts(start, start + timedelta(days=1))

    def check_slot(self, start: datetime) -> Optional[Unavailability]:
        start = self.calendar.localize(start)
        reason = self.calendar.check_start(start, self.now())
        if reason is None and start in self._booked_on(start.date()):
            return Unavailability.TAKEN
        return reason

    def free_slots(
        self, day: date, window: Optional[Tuple[time, time]] = None
    ) -> List[datetime]:
        now = self.now()
        if self.calendar.check_day(day, now) is not None:
            return []
        taken = self._booked_on(day)
        free = [
            start
            for start in self.calendar.slot_starts(day)
            if start not in taken and self.calendar.check_start(start, now) is None
        ]
        if window is not None:
            free = [s for s in free if window[0] <= s.time() < window[1]]
        return free

    def _bookable_days(self, start: date) -> List[date]:
        today = self.calendar.today(self.now())
        last = today + timedelta(days=self.calendar.horizon_days)
        first = max(start, today)
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def days_with_space(
        self, start: Optional[date] = None, limit: int = 3
    ) -> List[Tuple[date, int]]:
        days = []
        for day in self._bookable_days(start or self.calendar.today(self.now())):
            count = len(self.free_slots(day))
            if count:
                days.append((day, count))
                if len(days) == limit:
                    break
        return days

    def next_free_slots(self, limit: int = 3, after: Optional[datetime] = None) -> List[datetime]:
        after = self.calendar.localize(after) if after else self.now()
        found: List[datetime] = []
        for day in self._bookable_days(after.date()):
            found += [s for s in self.free_slots(day) if s >= after]
            if len(found) >= limit:
                break
        return found[:limit]

    def nearest_free_slots(self, wanted: datetime, limit: int = 3) -> List[datetime]:
        """The free slots closest to the wanted time: that day first, then the next days."""
        wanted = self.calendar.localize(wanted)
        same_day = sorted(self.free_slots(wanted.date()), key=lambda s: abs(s - wanted))
        chosen = same_day[:limit]
        if len(chosen) < limit:
            later = self.next_free_slots(
                limit - len(chosen),
                after=datetime.combine(wanted.date() + timedelta(days=1), time(0), tzinfo=self.calendar.tz),
            )
            chosen += later
        return sorted(chosen)

    # --- appointments ------------------------------------------------------------

    def book(self, phone: str, start: datetime, customer_name: Optional[str] = None) -> Appointment:
        start = self.calendar.localize(start)
        reason = self.check_slot(start)
        if reason is not None:
            raise SlotUnavailable(reason, start)
        end = start + timedelta(minutes=self.calendar.slot_minutes)
        for _ in range(CODE_ATTEMPTS):
            appointment = Appointment(
                code=self.code_generator(), phone=phone, start=start, end=end,
                status=BOOKED, created_at=self.now(), customer_name=customer_name,
            )
            try:
                return self.repository.add(appointment)
            except CodeCollision:
                continue
        raise RuntimeError("could not draw an unused appointment code")

    def find(self, phone: str, code: str) -> Appointment:
        normalized = normalize_code(code)
        appointment = self.repository.get(normalized) if normalized else None
        if appointment is None or appointment.phone != phone:
            raise AppointmentNotFound(code)
        return appointment

    def _active(self, phone: str, code: str) -> Appointment:
        appointment = self.find(phone, code)
        if not appointment.is_booked or appointment.start <= self.now():
            raise AppointmentNotActive(appointment.code)
        return appointment

    def upcoming(self, phone: str) -> List[Appointment]:
        return self.repository.booked_for_phone(phone, self.now())

    def cancel(self, phone: str, code: str) -> Appointment:
        appointment = self._active(phone, code)
        if not self.repository.cancel(appointment.code, phone, self.now()):
            raise AppointmentNotActive(appointment.code)  # cancelled meanwhile
        return self.repository.get(appointment.code)

    def reschedule(self, phone: str, code: str, new_start: datetime) -> Appointment:
        appointment = self._active(phone, code)
        new_start = self.calendar.localize(new_start)
        reason = self.check_slot(new_start)
        if reason is not None:
            raise SlotUnavailable(reason, new_start)
        end = new_start + timedelta(minutes=self.calendar.slot_minutes)
        if not self.repository.move(appointment.code, phone, new_start, end):
            raise AppointmentNotActive(appointment.code)
        return self.repository.get(appointment.code)
