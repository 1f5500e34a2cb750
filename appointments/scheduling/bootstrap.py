"""Wire the real service from settings (called on first use, never at import)."""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Optional

from appointments.scheduling.calendar import BusinessCalendar
from appointments.scheduling.service import AppointmentService
from appointments.settings import Settings
from appointments.storage.database import create_database_engine, create_schema
from appointments.storage.repository import SqlAppointmentRepository


def build_service(
    settings: Settings, clock: Optional[Callable[[], datetime]] = None
) -> AppointmentService:
    calendar = BusinessCalendar.from_settings(settings)
    engine = create_database_engine(settings.database_url)
    create_schema(engine)
    return AppointmentService(
        calendar,
        SqlAppointmentRepository(engine, calendar.tz),
        clock or (lambda: datetime.now(calendar.tz)),
    )
