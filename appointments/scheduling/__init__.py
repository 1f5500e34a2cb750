"""Scheduling rules and use cases, in plain Python (no rasa, rasa_sdk, sanic or twilio)."""
from appointments.scheduling.calendar import BusinessCalendar
from appointments.scheduling.codes import CODE_REGEX, generate_code, normalize_code
from appointments.scheduling.errors import (
    AppointmentNotActive,
    AppointmentNotFound,
    SchedulingError,
    SlotUnavailable,
    Unavailability,
)
from appointments.scheduling.models import Appointment

__all__ = [
    "Appointment", "AppointmentNotActive", "AppointmentNotFound", "BusinessCalendar",
    "CODE_REGEX", "SchedulingError", "SlotUnavailable", "Unavailability",
    "generate_code", "normalize_code",
]
