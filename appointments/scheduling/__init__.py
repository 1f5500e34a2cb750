"""Scheduling rules and use cases, in plain Python (no rasa, rasa_sdk, sanic or twilio).

`AppointmentService` and `build_service` are loaded on first access: the storage layer
imports `appointments.scheduling.errors`, so importing them here eagerly would be a
circular import.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appointments.scheduling.calendar import BusinessCalendar
from appointments.scheduling.codes import (
    CODE_DIGITS,
    CODE_LETTERS,
    CODE_REGEX,
    generate_code,
    normalize_code,
)
from appointments.scheduling.errors import (
    AppointmentNotActive,
    AppointmentNotFound,
    SchedulingError,
    SlotUnavailable,
    TooManyAppointments,
    Unavailability,
)
from appointments.scheduling.models import BOOKED, CANCELLED, Appointment

if TYPE_CHECKING:  # pragma: no cover
    from appointments.scheduling.bootstrap import build_service
    from appointments.scheduling.service import AppointmentService

__all__ = [
    "Appointment", "AppointmentNotActive", "AppointmentNotFound", "AppointmentService",
    "BOOKED", "BusinessCalendar", "CANCELLED", "CODE_DIGITS", "CODE_LETTERS", "CODE_REGEX",
    "SchedulingError", "SlotUnavailable", "TooManyAppointments", "Unavailability", "build_service",
    "generate_code", "normalize_code",
]


def __getattr__(name: str) -> Any:
    if name == "AppointmentService":
        from appointments.scheduling.service import AppointmentService

        return AppointmentService
    if name == "build_service":
        from appointments.scheduling.bootstrap import build_service

        return build_service
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
