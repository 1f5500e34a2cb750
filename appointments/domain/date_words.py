"""Dates and times as the reader reads them, in one place for the chat, the reminders,
the agents' notices and the console. Weekday and month names come from Babel's locale
data, so none is spelled out here.

Every function writes in LANGUAGE when given, else in the conversation's current one
(appointments.domain.language): the chat passes nothing, what the business's staff read
passes BUSINESS_LANGUAGE.
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Optional

from babel.dates import format_date, format_time

from appointments.domain.language import ENGLISH, SPANISH, current_language, known

LOCALES = {SPANISH: "es_MX", ENGLISH: "en_US"}
LOCALE = LOCALES[SPANISH]
_DAY_PATTERNS = {SPANISH: "EEEE d 'de' MMMM", ENGLISH: "EEEE, MMMM d"}
_AT = {SPANISH: "a las", ENGLISH: "at"}


def _language(language: Optional[str]) -> str:
    return known(language) if language else current_language()


def locale_of(language: Optional[str] = None) -> str:
    return LOCALES[_language(language)]


def day_text(day: date, language: Optional[str] = None) -> str:
    """'jueves 26 de noviembre' / 'Thursday, November 26'"""
    lang = _language(language)
    return format_date(day, _DAY_PATTERNS[lang], locale=LOCALES[lang])


def time_text(moment: time | datetime, language: Optional[str] = None) -> str:
    """'17:00' / '5:00 PM'"""
    if _language(language) == ENGLISH:
        return format_time(moment, "h:mm a", locale=LOCALES[ENGLISH])
    return moment.strftime("%H:%M")


def moment_text(moment: datetime, language: Optional[str] = None) -> str:
    """'jueves 26 de noviembre, 17:00' / 'Thursday, November 26, 5:00 PM' (in the
    moment's own zone: business time)"""
    return f"{day_text(moment.date(), language)}, {time_text(moment, language)}"


def day_time_text(moment: datetime, language: Optional[str] = None) -> str:
    """'jueves 26 de noviembre a las 17:00' / 'Thursday, November 26 at 5:00 PM'"""
    lang = _language(language)
    return f"{day_text(moment.date(), lang)} {_AT[lang]} {time_text(moment, lang)}"
