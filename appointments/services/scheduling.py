"""The use cases: find free slots, book, cancel, reschedule, list.

The calendar rules are checked here first so people get a precise reason; the database
still has the last word on "taken" (a partial unique index), so two simultaneous
bookings of one slot cannot both succeed whatever this code checked before.

Likewise for the cap on how many upcoming appointments one phone may hold: `book`
checks it first (and `check_upcoming_limit` lets the conversation check it before
asking for a day), and the repository counts again in the transaction that inserts.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Callable, List, Optional, Set, Tuple

from appointments.domain.calendar import BusinessCalendar, instant
from appointments.domain.codes import generate_code, normalize_code
from appointments.domain.errors import (
    AppointmentNotActive,
    CodeCollision,
    AppointmentNotFound,
    SlotUnavailable,
    TooManyAppointments,
    Unavailability,
)
from appointments.domain.appointment import BOOKED, Appointment
from appointments.domain.ports import AppointmentRepository

# 23^4 * 8^2 ≈ 18 million codes: ten draws in a row colliding means something is broken.
CODE_ATTEMPTS = 10


class AppointmentService:
    def __init__(
        self,
        calendar: BusinessCalendar,
        repository: AppointmentRepository,
        clock: Callable[[], datetime],
        code_generator: Callable[[], str] = generate_code,
        max_upcoming_per_phone: Optional[int] = None,
    ) -> None:
        """`max_upcoming_per_phone`: how many booked appointments still to come one phone
        may hold (MAX_ACTIVE_APPOINTMENTS_PER_PHONE, wired by bootstrap); None: no cap."""
        self.calendar = calendar
        self.repository = repository
        self.clock = clock
        self.code_generator = code_generator
        self.max_upcoming_per_phone = max_upcoming_per_phone

    def now(self) -> datetime:
        return self.calendar.localize(self.clock())

    # --- availability ------------------------------------------------------------

    def _booked_on(self, day: date) -> Set[datetime]:
        """UTC instants of the booked starts that day (UTC: exact set membership)."""
        start = self.calendar.localize(datetime.combine(day, time(0)))
        end = self.calendar.localize(datetime.combine(day + timedelta(days=1), time(0)))
        return {instant(s) for s in self.repository.booked_starts(start, end)}

    def check_slot(self, start: datetime) -> Optional[Unavailability]:
        """Calendar rules first, then whether someone already holds the slot."""
        start = self.calendar.localize(start)
        reason = self.calendar.check_start(start, self.now())
        if reason is None and instant(start) in self._booked_on(start.date()):
            return Unavailability.TAKEN
        return reason

    def free_slots(
        self, day: date, window: Optional[Tuple[time, time]] = None
    ) -> List[datetime]:
        """Bookable, untaken starts that day, optionally within [window[0], window[1])."""
        now = self.now()
        if self.calendar.check_day(day, now) is not None:
            return []
        taken = self._booked_on(day)
        free = [
            start
            for start in self.calendar.slot_starts(day)
            if instant(start) not in taken and self.calendar.check_start(start, now) is None
        ]
        if window is not None:
            free = [s for s in free if window[0] <= s.time() < window[1]]
        return free

    def _bookable_days(self, start: date) -> List[date]:
        """From `start` (not before today) to the last day of the booking horizon."""
        today = self.calendar.today(self.now())
        last = today + timedelta(days=self.calendar.horizon_days)
        first = max(start, today)
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def days_with_space(
        self, start: Optional[date] = None, limit: int = 3
    ) -> List[Tuple[date, int]]:
        """The next days with at least one free slot, and how many they have."""
        days: List[Tuple[date, int]] = []
        for day in self._bookable_days(start or self.calendar.today(self.now())):
            count = len(self.free_slots(day))
            if count:
                days.append((day, count))
                if len(days) == limit:
                    break
        return days

    def next_free_slots(self, limit: int = 3, after: Optional[datetime] = None) -> List[datetime]:
        """The earliest free slots starting at or after `after` (default: now)."""
        after = self.calendar.localize(after) if after else self.now()
        found: List[datetime] = []
        for day in self._bookable_days(after.date()):
            found += [s for s in self.free_slots(day) if instant(s) >= instant(after)]
            if len(found) >= limit:
                break
        return found[:limit]

    def nearest_free_slots(self, wanted: datetime, limit: int = 3) -> List[datetime]:
        """Alternatives to a refused time: the free slots of that day closest to it
        (before or after), topped up from the following days; chronological."""
        wanted = self.calendar.localize(wanted)
        same_day = sorted(
            self.free_slots(wanted.date()), key=lambda s: abs(instant(s) - instant(wanted))
        )
        chosen = same_day[:limit]
        if len(chosen) < limit:
            next_day = self.calendar.localize(
                datetime.combine(wanted.date() + timedelta(days=1), time(0))
            )
            chosen += self.next_free_slots(limit - len(chosen), after=next_day)
        return sorted(chosen, key=instant)

    # --- appointments ------------------------------------------------------------

    def check_upcoming_limit(self, phone: str) -> None:
        """TooManyAppointments if `phone` may not book one more appointment now (it
        already holds the most upcoming ones allowed). Advisory: `book` counts again
        atomically with the insert."""
        limit = self.max_upcoming_per_phone
        if limit is not None and len(self.upcoming(phone)) >= limit:
            raise TooManyAppointments(limit)

    def book(self, phone: str, start: datetime, customer_name: Optional[str] = None) -> Appointment:
        """Book `start` for `phone`; TooManyAppointments or SlotUnavailable say why not."""
        start = self.calendar.localize(start)
        self.check_upcoming_limit(phone)  # first: no other answer matters at the cap
        reason = self.check_slot(start)
        if reason is not None:
            raise SlotUnavailable(reason, start)
        for _ in range(CODE_ATTEMPTS):
            appointment = Appointment(
                code=self.code_generator(), phone=phone, start=start,
                end=self.calendar.slot_end(start), status=BOOKED, created_at=self.now(),
                customer_name=customer_name,
            )
            try:
                return self.repository.add(appointment, self.max_upcoming_per_phone)
            except CodeCollision:
                continue
        raise RuntimeError(f"no unused appointment code after {CODE_ATTEMPTS} draws")

    def find(self, phone: str, code: str) -> Appointment:
        """The appointment with that code, if it belongs to `phone`."""
        normalized = normalize_code(code)
        appointment = self.repository.get(normalized) if normalized else None
        if appointment is None or appointment.phone != phone:
            raise AppointmentNotFound(code)
        return appointment

    def _active(self, phone: str, code: str) -> Appointment:
        appointment = self.find(phone, code)
        if not appointment.is_booked or instant(appointment.start) <= instant(self.now()):
            raise AppointmentNotActive(appointment.code)
        return appointment

    def upcoming(self, phone: str) -> List[Appointment]:
        """Booked appointments of `phone` still to come, soonest first."""
        return self.repository.booked_for_phone(phone, self.now())

    def cancel(self, phone: str, code: str) -> Appointment:
        appointment = self._active(phone, code)
        if not self.repository.cancel(appointment.code, phone, self.now()):
            raise AppointmentNotActive(appointment.code)  # cancelled meanwhile
        return self._reload(appointment.code)

    def reschedule(self, phone: str, code: str, new_start: datetime) -> Appointment:
        """Move a booked appointment to `new_start`, keeping its code.

        One UPDATE of one row: the old slot is released and the new one taken in the
        same transaction, so on any failure the appointment is exactly as it was."""
        appointment = self._active(phone, code)
        new_start = self.calendar.localize(new_start)
        reason = self.check_slot(new_start)
        if reason is not None:
            raise SlotUnavailable(reason, new_start)
        end = self.calendar.slot_end(new_start)
        if not self.repository.move(appointment.code, phone, new_start, end):
            raise AppointmentNotActive(appointment.code)  # cancelled meanwhile
        return self._reload(appointment.code)

    def _reload(self, code: str) -> Appointment:
        appointment = self.repository.get(code)
        if appointment is None:  # rows are never deleted; kept for type checkers
            raise AppointmentNotFound(code)
        return appointment
