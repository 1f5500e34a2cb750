"""The business in plain Python: appointments, handoff cases, the calendar, codes, errors
and the ports (typing.Protocol) the services need. Imports nothing of storage, channels,
HTTP or Rasa (tests/unit/test_layers.py checks it)."""
from appointments.domain.appointment import BOOKED, CANCELLED, Appointment
from appointments.domain.calendar import BusinessCalendar
from appointments.domain.codes import (
    CODE_DIGITS,
    CODE_LETTERS,
    CODE_REGEX,
    generate_code,
    normalize_code,
)
from appointments.domain.errors import (
    AppointmentNotActive,
    AppointmentNotFound,
    SchedulingError,
    SlotUnavailable,
    TooManyAppointments,
    Unavailability,
)

__all__ = [
    "Appointment", "AppointmentNotActive", "AppointmentNotFound", "BOOKED", "BusinessCalendar",
    "CANCELLED", "CODE_DIGITS", "CODE_LETTERS", "CODE_REGEX", "SchedulingError",
    "SlotUnavailable", "TooManyAppointments", "Unavailability", "generate_code", "normalize_code",
]
