"""Wire the real service from settings (called on first use, never at import)."""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Optional

from appointments.domain.calendar import BusinessCalendar
from appointments.services.scheduling import AppointmentService
from appointments.settings import Settings
from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.appointments import SqlAppointmentRepository


def _clock(settings: Settings, calendar: BusinessCalendar) -> Callable[[], datetime]:
    """The real clock, or the fixed "now" of NLU_REFERENCE_TIME (tests only), so the
    business rules and the date reader agree on what "mañana" is."""
    fixed = settings.nlu_reference_time
    if fixed is not None:
        return lambda: fixed
    return lambda: datetime.now(calendar.tz)


def build_service(
    settings: Settings, clock: Optional[Callable[[], datetime]] = None
) -> AppointmentService:
    calendar = BusinessCalendar.from_settings(settings)
    engine = create_database_engine(settings.database_url)
    create_schema(engine)
    return AppointmentService(
        calendar,
        SqlAppointmentRepository(engine, calendar.tz),
        clock or _clock(settings, calendar),
        max_upcoming_per_phone=settings.max_active_appointments_per_phone,
    )
