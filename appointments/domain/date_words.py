"""Dates and times as a Spanish-speaking person reads them, in one place for the chat,
the reminders, the agents' notices and the console. Weekday and month names come from
Babel's Spanish locale data, so none is spelled out here."""
from __future__ import annotations

from datetime import date, datetime, time

from babel.dates import format_date

LOCALE = "es_MX"


def day_text(day: date) -> str:
    """'jueves 26 de noviembre'"""
    return format_date(day, "EEEE d 'de' MMMM", locale=LOCALE)


def time_text(moment: time | datetime) -> str:
    """'17:00'"""
    return moment.strftime("%H:%M")


def moment_text(moment: datetime) -> str:
    """'jueves 26 de noviembre, 17:00' (in the moment's own zone: business time)"""
    return f"{day_text(moment.date())}, {time_text(moment)}"
