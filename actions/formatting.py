"""How dates, times and numbered lists look in a WhatsApp message.

Words such as weekday and month names come from Babel's Spanish locale data, so no
Spanish text is spelled out here; whole sentences live in domain.yml.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Optional

from babel.dates import get_day_names

# day_text, time_text, moment_text: callers use them as formatting.day_text etc.
from appointments.domain.date_words import LOCALE, day_text, moment_text, time_text  # noqa: F401

# Labels of the two halves of a day in a time list (the sentence around it is in domain.yml).
MORNING, AFTERNOON = "Mañana", "Tarde"


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


def appointment_line(appointment: Any, service: Optional[str] = None,
                     mark: Optional[str] = None) -> str:
    """'jueves 26 de noviembre, 17:00 · K7P-3QX', with the service's name when the
    business offers several: 'jueves 26 de noviembre, 17:00 · Limpieza dental · K7P-3QX',
    and a mark after it when given ('… · K7P-3QX · ✅ confirmada')."""
    named = f" · {service}" if service else ""
    marked = f" · {mark}" if mark else ""
    return f"{moment_text(appointment.start)}{named} · {appointment.code}{marked}"


def response_text(domain: Any, name: str) -> str:
    """The text of response `name`'s unconditioned (Spanish) variation in the domain Rasa
    sent with the action (for a piece of a line, such as a mark); '' when it is missing."""
    variations = ((domain or {}).get("responses") or {}).get(name) or [{}]
    default = next((v for v in variations if not v.get("condition")), variations[0])
    return default.get("text") or ""


# --- business answers (the sentences around these are in domain.yml)
UNTIL, AND, CLOSED = "a", "y", "cerrado"
BULLET = "•"


def weekday_name(weekday: int) -> str:
    """'sábado' (0 = Monday)."""
    return get_day_names("wide", locale=LOCALE)[weekday]


def periods_text(periods: Iterable[Any]) -> str:
    """'09:00 a 14:00 y 16:00 a 19:00'"""
    return f" {AND} ".join(f"{time_text(o)} {UNTIL} {time_text(c)}" for o, c in periods)


def weekdays_text(weekdays: Iterable[int]) -> str:
    """'lunes a viernes', 'sábado'"""
    days = list(weekdays)
    if len(days) == 1:
        return weekday_name(days[0])
    return f"{weekday_name(days[0])} {UNTIL} {weekday_name(days[-1])}"


def week_text(rows: Iterable[Any]) -> str:
    """'• lunes a viernes: 09:00 a 18:00\n• domingo: cerrado'"""
    return "\n".join(
        f"{BULLET} {weekdays_text(row.weekdays)}: {periods_text(row.periods) or CLOSED}"
        for row in rows
    )


def money(amount: int, currency: str) -> str:
    """'$1,200' (pesos, dollars) or '1,200 EUR'."""
    figure = f"{amount:,}"
    return f"${figure}" if currency in ("MXN", "USD") else f"{figure} {currency}"


def price_text(offering: Any, currency: str) -> str:
    """'$400' or '$800 a $1,200'"""
    low = money(offering.price_from, currency)
    if offering.price_to is None:
        return low
    return f"{low} {UNTIL} {money(offering.price_to, currency)}"


def duration_text(minutes: int) -> str:
    """'30 min', '1 h', '1 h 30 min'"""
    hours, rest = divmod(minutes, 60)
    parts = ([f"{hours} h"] if hours else []) + ([f"{rest} min"] if rest else [])
    return " ".join(parts)


def bullets(lines: Iterable[str]) -> str:
    return "\n".join(f"{BULLET} {line}" for line in lines)
