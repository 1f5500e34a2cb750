"""What day and time a person asked for, read from Duckling `time` entities.

Pure Python: takes the entities Rasa's NLU produced and the business calendar, and
answers "which day, which time of day, or which part of the day" the way a receptionist
would: "a las 5" is 17:00 when the business is closed at 05:00; "a las 9" with no date
only gives a time; "en la tarde" is a window to offer slots in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Dict, Iterable, Optional, Tuple

from appointments.domain.calendar import BusinessCalendar

# "de la mañana" / "en la mañana" is a part of the day, not "tomorrow".
_MORNING = re.compile(r"\b(de|en|por|a)\s+la\s+ma[ñn]ana\b", re.IGNORECASE)
_DATE_WORDS = re.compile(
    r"\b(hoy|ayer|anteayer|ma[ñn]ana|pasado|lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo"
    r"|enero|febrero|marzo|abril|mayo|junio|julio|agosto|sept?iembre|octubre|noviembre"
    r"|diciembre|semana|mes|d[ií]a)\b|\b\d{1,2}\s*(de\s+(?!la\b)|/|-)|\b(el|del)\s+\d{1,2}\b"
    # English, as Duckling's EN_US locale reads it (interpret.date_text_en): "this afternoon"
    # names no day, like "en la tarde"; "tonight" is today.
    r"|\b(today|tonight|tomorrow|yesterday|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday|mon|tues?|wed|thu|thurs?|fri|sat|sun|january|february|march|april|may|june|july"
    r"|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov"
    r"|dec|week|weekend|month|day)\b|\b\d{1,2}(st|nd|rd|th)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RequestedTime:
    day: Optional[date] = None
    at: Optional[time] = None
    window: Optional[Tuple[time, time]] = None
    weekday_mismatch: bool = False
    weekday_alternative: Optional[date] = None  # the other reading of a mismatch

    @property
    def is_empty(self) -> bool:
        return self.day is None and self.at is None and self.window is None


def _mentions_date(text: str) -> bool:
    return bool(_DATE_WORDS.search(_MORNING.sub(" ", text)))


def _parse(iso: Optional[str], calendar: BusinessCalendar) -> Optional[datetime]:
    if not iso:
        return None
    try:
        return calendar.localize(datetime.fromisoformat(iso))
    except ValueError:
        return None


# "ya" (now), "este mes", "este año" are no day or hour anyone books
BOOKABLE_GRAINS = {"week", "day", "hour", "minute"}


def names_a_moment(entity: Dict[str, Any]) -> bool:
    """A `time` entity that names a week, a day, an hour or a part of a day."""
    info = entity.get("additional_info") or {}
    return entity.get("entity") == "time" and (
        info.get("type") == "interval" or info.get("grain") in BOOKABLE_GRAINS)


def _alternative(value: Any) -> Optional[date]:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _read_one(entity: Dict[str, Any], calendar: BusinessCalendar) -> RequestedTime:
    info = entity.get("additional_info") or {}
    text = info.get("read_as") or entity.get("text") or ""  # as rewritten for Duckling
    mismatch = bool(info.get("weekday_mismatch"))
    alternative = _alternative(info.get("weekday_alternative"))
    if info.get("type") == "interval":
        start = _parse((info.get("from") or {}).get("value"), calendar)
        end = _parse((info.get("to") or {}).get("value"), calendar)
        if start is None:
            return RequestedTime()
        day = start.date() if _mentions_date(text) else None
        if end is not None and end.date() == start.date():
            return RequestedTime(day, None, (start.time(), end.time()), mismatch, alternative)
        return RequestedTime(day, None, None, mismatch, alternative)
    moment = _parse(info.get("value") or entity.get("value"), calendar)
    if moment is None:
        return RequestedTime()
    if not names_a_moment(entity):
        return RequestedTime()
    grain = info.get("grain")
    if grain in ("hour", "minute", "second"):
        day = moment.date() if _mentions_date(text) else None
        hour = moment.hour
        if info.get("meridiem_ambiguous"):
            hour = hour % 12 or 12
            reference_day = day or moment.date()
            at = calendar.resolve_hour(reference_day, hour, moment.minute, False)
        else:
            at = time(hour, moment.minute)
        return RequestedTime(day, at, None, mismatch, alternative)
    # day, week, month...: the first day it names
    return RequestedTime(moment.date(), None, None, mismatch, alternative)


def read_requested_time(
    entities: Iterable[Dict[str, Any]], calendar: BusinessCalendar
) -> RequestedTime:
    """Merge all `time` entities of one message: the first day, the first time."""
    day: Optional[date] = None
    at: Optional[time] = None
    window: Optional[Tuple[time, time]] = None
    mismatch = False
    alternative: Optional[date] = None
    for entity in entities:
        if entity.get("entity") != "time":
            continue
        one = _read_one(entity, calendar)
        day = day or one.day
        at = at or one.at
        window = window or one.window
        mismatch = mismatch or one.weekday_mismatch
        alternative = alternative or one.weekday_alternative
    if day is not None and at is not None and window is not None:
        window = None
    return RequestedTime(day, at, window, mismatch, alternative)
