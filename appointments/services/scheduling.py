"""The use cases: find free slots (availability.py), book, cancel, reschedule, list.

A service is bound to what it books: `for_offering` gives the sibling for one of the
business's offerings (its duration, and its key stored with each appointment); the
default books one slot of no named service. Rescheduling keeps the appointment's own
length and service.

The calendar rules are checked here first so people get a precise reason; the database
still has the last word on "taken" (a partial unique index on starts, and the refusal of
overlapping booked appointments), so two simultaneous bookings of one slot or of
overlapping intervals cannot both succeed whatever this code checked before.

Phones are compared in normal form (appointments/domain/phones.py; the repositories
store them so): an appointment booked from "+521..." is listed, found, cancelled and
moved from "+52..." too.

Likewise for the cap on how many upcoming appointments one phone may hold: `book`
checks it first (and `check_upcoming_limit` lets the conversation check it before
asking for a day), and the repository counts again in the transaction that inserts.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable, List, Optional

from appointments.domain.business import Offering
from appointments.domain.calendar import BusinessCalendar, instant
from appointments.domain.codes import generate_code, normalize_code
from appointments.domain.errors import (
    AppointmentNotActive,
    CodeCollision,
    AppointmentNotFound,
    SlotUnavailable,
    TooManyAppointments,
)
from appointments.domain.appointment import BOOKED, Appointment
from appointments.domain.phones import same_phone
from appointments.domain.ports import AppointmentRepository
from appointments.services.availability import Availability

# 23^4 * 8^2 ≈ 18 million codes: ten draws in a row colliding means something is broken.
CODE_ATTEMPTS = 10


class AppointmentService(Availability):
    def __init__(
        self,
        calendar: BusinessCalendar,
        repository: AppointmentRepository,
        clock: Callable[[], datetime],
        code_generator: Callable[[], str] = generate_code,
        max_upcoming_per_phone: Optional[int] = None,
        offering: Optional[Offering] = None,
    ) -> None:
        """`max_upcoming_per_phone`: how many booked appointments still to come one phone
        may hold (MAX_ACTIVE_APPOINTMENTS_PER_PHONE, wired by bootstrap); None: no cap.
        `offering`: what this service books (its duration and key); None: one slot."""
        self.calendar = calendar
        self.repository = repository
        self.clock = clock
        self.code_generator = code_generator
        self.max_upcoming_per_phone = max_upcoming_per_phone
        self.duration: timedelta = offering.duration if offering else calendar.slot_length
        self.service_key: Optional[str] = offering.key if offering else None
        self.ignoring: Optional[Appointment] = None  # see for_appointment

    def now(self) -> datetime:
        return self.calendar.localize(self.clock())

    def for_offering(self, offering: Optional[Offering]) -> "AppointmentService":
        """The same service (calendar, repository, clock, codes, cap) booking `offering`:
        free starts fit its duration, and bookings store its key. None: one slot."""
        return type(self)(
            self.calendar, self.repository, self.clock, self.code_generator,
            self.max_upcoming_per_phone, offering,
        )

    def for_appointment(self, appointment: Appointment) -> "AppointmentService":
        """The service to look for a new time for `appointment`: free starts fit its
        own length, and its own interval does not count as taken (what `reschedule`
        checks)."""
        sibling = self.for_offering(None)
        sibling.duration = appointment.length
        sibling.service_key = appointment.service
        sibling.ignoring = appointment
        return sibling

    # --- appointments ------------------------------------------------------------

    def check_upcoming_limit(self, phone: str) -> None:
        """TooManyAppointments if `phone` may not book one more appointment now (it
        already holds the most upcoming ones allowed). Advisory: `book` counts again
        atomically with the insert."""
        limit = self.max_upcoming_per_phone
        if limit is not None and len(self.upcoming(phone)) >= limit:
            raise TooManyAppointments(limit)

    def book(self, phone: str, start: datetime, customer_name: Optional[str] = None,
             language: Optional[str] = None) -> Appointment:
        """Book `start` for `phone`; TooManyAppointments or SlotUnavailable say why not.
        LANGUAGE is the customer's, for their reminders (None: the default, Spanish)."""
        start = self.calendar.localize(start)
        self.check_upcoming_limit(phone)  # first: no other answer matters at the cap
        reason = self._unavailability(start, self.duration)
        if reason is not None:
            raise SlotUnavailable(reason, start)
        for _ in range(CODE_ATTEMPTS):
            appointment = Appointment(
                code=self.code_generator(), phone=phone, start=start,
                end=self.calendar.slot_end(start, self.duration), status=BOOKED,
                created_at=self.now(), customer_name=customer_name, service=self.service_key,
                language=language,
            )
            try:
                return self.repository.add(appointment, self.max_upcoming_per_phone)
            except CodeCollision:
                continue
        raise RuntimeError(f"no unused appointment code after {CODE_ATTEMPTS} draws")

    def find(self, phone: str, code: str) -> Appointment:
        """The appointment with that code, if it belongs to `phone` (in any of its
        forms: "+521..." and "+52..." are one person)."""
        normalized = normalize_code(code)
        appointment = self.repository.get(normalized) if normalized else None
        if appointment is None or not same_phone(appointment.phone, phone):
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

    def confirm(self, phone: str, code: str) -> Appointment:
        """The customer says they will come (e.g. "1 Confirmar" to a reminder); errors as
        `cancel`. Confirming again is fine: the first confirmation's time stays."""
        appointment = self._active(phone, code)
        if not self.repository.confirm(appointment.code, phone, self.now()):
            raise AppointmentNotActive(appointment.code)  # cancelled meanwhile
        return self._reload(appointment.code)

    def reschedule(self, phone: str, code: str, new_start: datetime) -> Appointment:
        """Move a booked appointment to `new_start`, keeping its code, service and length
        (elapsed time); its own old interval does not stand in the way.

        One UPDATE of one row: the old interval is released and the new one taken in the
        same transaction, so on any failure the appointment is exactly as it was."""
        appointment = self._active(phone, code)
        new_start = self.calendar.localize(new_start)
        reason = self._unavailability(new_start, appointment.length, ignoring=appointment)
        if reason is not None:
            raise SlotUnavailable(reason, new_start)
        end = self.calendar.slot_end(new_start, appointment.length)
        if not self.repository.move(appointment.code, phone, new_start, end, self.now()):
            raise AppointmentNotActive(appointment.code)  # cancelled meanwhile
        return self._reload(appointment.code)

    def _reload(self, code: str) -> Appointment:
        appointment = self.repository.get(code)
        if appointment is None:  # rows are never deleted; kept for type checkers
            raise AppointmentNotFound(code)
        return appointment
