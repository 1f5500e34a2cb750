"""How dates, times and numbered lists look in a WhatsApp message.

Words such as weekday and month names come from Babel's Spanish locale data, so no
Spanish text is spelled out here; whole sentences live in domain.yml.
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Iterable

from babel.dates import format_date

LOCALE = "es_MX"


def day_text(day: date) -> str:
    """'jueves 26 de noviembre'"""
    return format_date(day, "EEEE d 'de' MMMM", locale=LOCALE)


def time_text(moment: time | datetime) -> str:
    """'17:00'"""
    return moment.strftime("%H:%M")


def moment_text(moment: datetime) -> str:
    """'jueves 26 de noviembre, 17:00'"""
    return f"{day_text(moment.date())}, {time_text(moment)}"


def numbered(lines: Iterable[str]) -> str:
    """'1. …\n2. …' — users answer with the number."""
    return "\n".join(f"{index}. {line}" for index, line in enumerate(lines, start=1))


def appointment_line(appointment: Any) -> str:
    """'jueves 26 de noviembre, 17:00 · K7P-3QX'"""
    return f"{moment_text(appointment.start)} · {appointment.code}"
