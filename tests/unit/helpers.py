"""Helpers for the AppointmentService tests (the clock stands at Wednesday 2026-11-25
10:00, Mexico City: tests/conftest.py)."""
from datetime import date, datetime

from tests.conftest import TZ

THURSDAY = date(2026, 11, 26)
SATURDAY = date(2026, 11, 28)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in November 2026, business time."""
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def hhmm(slots):
    return [s.strftime("%d %H:%M") for s in slots]


def fill(service, day, keep=()):
    """Book every free slot of `day` except the times in `keep`."""
    for n, slot in enumerate(service.free_slots(day)):
        if slot.time() not in keep:
            service.book(f"filler-{n}", slot)
