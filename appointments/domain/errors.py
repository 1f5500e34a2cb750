"""Why a booking cannot happen, as values the conversation layer turns into words."""
from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Optional


class Unavailability(str, Enum):
    PAST = "past"
    TOO_SOON = "too_soon"
    BEYOND_HORIZON = "beyond_horizon"
    CLOSED_DAY = "closed_day"
    HOLIDAY = "holiday"
    OUTSIDE_HOURS = "outside_hours"
    OFF_GRID = "off_grid"  # not on a slot boundary
    TAKEN = "taken"
    FULL_DAY = "full_day"  # a whole day with no free slot left


class SchedulingError(Exception):
    """Base of the errors a use case can raise on purpose."""


class SlotUnavailable(SchedulingError):
    def __init__(self, reason: Unavailability, start: Optional[datetime] = None) -> None:
        super().__init__(f"{reason.value} at {start}")
        self.reason = reason
        self.start = start


class AppointmentNotFound(SchedulingError):
    """Unknown code, or a code booked by another phone: the same answer, so nobody can
    learn about other people's appointments by guessing codes."""


class AppointmentNotActive(SchedulingError):
    """Already cancelled, or already in the past."""


class TooManyAppointments(SchedulingError):
    """The phone already holds `limit` booked appointments still to come: no new booking
    until one is cancelled or has passed (moving one to another time is still allowed)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"already {limit} upcoming appointments, the most one phone may hold")
        self.limit = limit


class CodeCollision(Exception):
    """The random code already exists; the service draws another one."""
