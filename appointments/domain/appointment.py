"""The appointment as the rest of the code sees it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

BOOKED = "booked"
CANCELLED = "cancelled"
# What an agent recorded after the time (the console's "Hoy" page); None: not recorded.
ATTENDED = "attended"
NO_SHOW = "no_show"
ATTENDANCE = (ATTENDED, NO_SHOW)


@dataclass(frozen=True)
class Appointment:
    """Immutable snapshot of one appointment row; changes go through the service so the
    database stays the single source of truth."""

    code: str
    phone: str
    start: datetime  # aware, in the business time zone
    end: datetime
    status: str  # BOOKED | CANCELLED
    created_at: datetime
    customer_name: Optional[str] = None
    service: Optional[str] = None  # the Offering.key booked (business.yml); None: unnamed
    confirmed_at: Optional[datetime] = None  # the customer confirmed it (e.g. a reminder)
    attendance: Optional[str] = None  # ATTENDED | NO_SHOW | None
    attendance_at: Optional[datetime] = None
    attendance_by: Optional[str] = None  # the console account that recorded it
    language: Optional[str] = None  # the customer's when booked ("en"); None: Spanish

    @property
    def length(self) -> timedelta:
        """How long it lasts, in elapsed time (also across a clock change)."""
        return self.end.astimezone(timezone.utc) - self.start.astimezone(timezone.utc)

    @property
    def is_booked(self) -> bool:
        return self.status == BOOKED

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None
