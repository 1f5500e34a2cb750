"""Answers to what customers ask about the business, from business.yml alone.

Which service a question names, which frequent question it asks, whether the business
opens on a given day and why not, the week's hours grouped the way a door sign shows
them. The wording is the actions' and domain.yml's; this decides what is true.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import List, Optional, Tuple

from appointments.domain.business import BusinessProfile, FaqEntry, Offering, Period
from appointments.domain.calendar import BusinessCalendar
from appointments.interpret.phrases import find_named, match_question


@dataclass(frozen=True)
class DayHours:
    day: date
    periods: Tuple[Period, ...]  # empty: closed
    closed_reason: Optional[str] = None  # a holiday or closed date's name


@dataclass(frozen=True)
class WeekRow:
    weekdays: Tuple[int, ...]  # consecutive weekdays sharing the same hours
    periods: Tuple[Period, ...]  # empty: closed


class BusinessAnswers:
    def __init__(self, profile: BusinessProfile, calendar: BusinessCalendar) -> None:
        self.profile = profile
        self.calendar = calendar

    def offering_named(self, text: str) -> Optional[Offering]:
        """The configured service the text names ("la limpieza"), if any."""
        services = self.profile.services
        found = find_named(text, [(s.name, s.key, *s.aliases) for s in services])
        return services[found] if found is not None else None

    def faq_for(self, text: str) -> Optional[FaqEntry]:
        faq = self.profile.faq
        found = match_question(text, [entry.questions for entry in faq])
        return faq[found] if found is not None else None

    def day(self, day: date) -> DayHours:
        reason = self.calendar.holiday_name(day)
        if reason:
            return DayHours(day, (), reason)
        return DayHours(day, tuple(self.profile.hours.get(day.weekday(), ())))

    def weekday(self, weekday: int) -> Tuple[Period, ...]:
        return tuple(self.profile.hours.get(weekday, ()))

    def week(self) -> List[WeekRow]:
        """Monday to Sunday, neighbours with equal hours in one row ("lunes a viernes")."""
        rows: List[WeekRow] = []
        for weekday in range(7):
            periods = self.weekday(weekday)
            if rows and rows[-1].periods == periods:
                rows[-1] = WeekRow(rows[-1].weekdays + (weekday,), periods)
            else:
                rows.append(WeekRow((weekday,), periods))
        return rows

    def with_preparation(self) -> List[Offering]:
        return [s for s in self.profile.services if s.preparation]

    def with_price(self) -> List[Offering]:
        return [s for s in self.profile.offerings if s.price_from is not None]
