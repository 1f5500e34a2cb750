"""How dates, times and numbered lists look in a WhatsApp message.

Words such as weekday and month names come from Babel's Spanish locale data, so no
Spanish text is spelled out here; whole sentences live in domain.yml.
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Iterable

from babel.dates import format_date

LOCALE = "es_MX"
# Labels of the two halves of a day in a time list (the sentence around it is in domain.yml).
MORNING, AFTERNOON = "Mañana", "Tarde"


def day_text(day: date) -> str:
    """'jueves 26 de noviembre'"""
    return format_date(day, "EEEE d 'de' MMMM", locale=LOCALE)


def time_text(moment: time | datetime) -> str:
    """'17:00'"""
    return moment.strftime("%H:%M")


def moment_text(moment: datetime) -> str:
    """'jueves 26 de noviembre, 17:00'"""
    return f"{day_text(moment.date())}, {time_text(moment)}"


def day_time_text(moment: datetime) -> str:
    """'jueves 26 de noviembre a las 17:00'"""
    return f"{day_text(moment.date())} a las {time_text(moment)}"


def grouped_times(moments: Iterable[datetime]) -> str:
    """'Mañana: 09:00, 09:30\nTarde: 12:00, 16:30' — a whole day at a glance."""
    groups: dict = {}
    for moment in moments:
        groups.setdefault(moment.hour < 12, []).append(time_text(moment))
    lines = []
    for morning, label in ((True, MORNING), (False, AFTERNOON)):
        if groups.get(morning):
            lines.append(f"{label}: {', '.join(groups[morning])}")
    return "\n".join(lines)


def numbered(lines: Iterable[str]) -> str:
    """'1. …\n2. …' — users answer with the number."""
    return "\n".join(f"{index}. {line}" for index, line in enumerate(lines, start=1))


def appointment_line(appointment: Any) -> str:
    """'jueves 26 de noviembre, 17:00 · K7P-3QX'"""
    return f"{moment_text(appointment.start)} · {appointment.code}"
