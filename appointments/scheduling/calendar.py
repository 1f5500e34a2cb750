"""When the business takes appointments: hours per weekday, holidays, slot grid, time
zone, booking horizon and minimum notice. No storage here: these rules hold whoever has
already booked."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Dict, List, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo

from appointments.scheduling.errors import Unavailability

Hours = Tuple[time, time]


@dataclass(frozen=True)
class BusinessCalendar:
    tz: ZoneInfo
    hours: Mapping[int, Hours]  # weekday (0 = Monday) -> (opens, closes); missing = closed
    slot_minutes: int = 30
    horizon_days: int = 30
    min_notice: timedelta = timedelta(minutes=60)
    holidays_country: Optional[str] = "MX"
    _holidays: Dict[int, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Any) -> "BusinessCalendar":
        return cls(
            tz=ZoneInfo(settings.timezone),
            hours=dict(settings.business_hours),
            slot_minutes=settings.slot_minutes,
            horizon_days=settings.booking_horizon_days,
            min_notice=timedelta(minutes=settings.min_notice_minutes),
            holidays_country=settings.holidays_country,
        )

    # --- time zone ---------------------------------------------------------------

    def localize(self, value: datetime) -> datetime:
        """Naive -> read as business local time; aware -> converted to it."""
        if value.tzinfo is None:
            return value.replace(tzinfo=self.tz)
        return value.astimezone(self.tz)

    def today(self, now: datetime) -> date:
        return self.localize(now).date()

    # --- days --------------------------------------------------------------------

    def holiday_name(self, day: date) -> Optional[str]:
        if not self.holidays_country:
            return None
        if day.year not in self._holidays:
            import holidays  # loaded on first use: building the tables takes a moment

            self._holidays[day.year] = holidays.country_holidays(
                self.holidays_country, years=day.year, language="es"
            )
        return self._holidays[day.year].get(day)

    def opening_hours(self, day: date) -> Optional[Hours]:
        if self.holiday_name(day):
            return None
        return self.hours.get(day.weekday())

    def slot_starts(self, day: date) -> List[datetime]:
        hours = self.opening_hours(day)
        if hours is None:
            return []
        opens, closes = (datetime.combine(day, t, tzinfo=self.tz) for t in hours)
        step = timedelta(minutes=self.slot_minutes)
        starts = []
        start = opens
        while start + step <= closes:
            starts.append(start)
            start += step
        return starts

    def check_day(self, day: date, now: datetime) -> Optional[Unavailability]:
        today = self.today(now)
        if day < today:
            return Unavailability.PAST
        if day > today + timedelta(days=self.horizon_days):
            return Unavailability.BEYOND_HORIZON
        if self.holiday_name(day):
            return Unavailability.HOLIDAY
        if day.weekday() not in self.hours:
            return Unavailability.CLOSED_DAY
        return None

    # --- moments -----------------------------------------------------------------

    def check_start(self, start: datetime, now: datetime) -> Optional[Unavailability]:
        start = self.localize(start)
        if start <= now:
            return Unavailability.PAST
        reason = self.check_day(start.date(), now)
        if reason is not None:
            return reason
        opens, closes = self.hours[start.weekday()]
        end = start + timedelta(minutes=self.slot_minutes)
        if start.time() < opens or end > datetime.combine(start.date(), closes, tzinfo=self.tz):
            return Unavailability.OUTSIDE_HOURS
        minutes_from_open = (
            start - datetime.combine(start.date(), opens, tzinfo=self.tz)
        ).total_seconds() / 60
        if minutes_from_open % self.slot_minutes:
            return Unavailability.OFF_GRID
        if start < now + self.min_notice:
            return Unavailability.TOO_SOON
        return None

    def resolve_hour(self, day: date, hour: int, minute: int, meridiem_explicit: bool) -> time:
        """"a las 5" is 17:00 when the business is closed at 05:00 but open at 17:00."""
        spoken = time(hour % 24, minute)
        if meridiem_explicit or not 1 <= hour <= 11:
            return spoken
        afternoon = time(hour + 12, minute)
        hours = self.opening_hours(day) or self.hours.get(day.weekday())
        if hours is None:
            return spoken
        opens, closes = hours
        inside = lambda t: opens <= t < closes  # noqa: E731
        return afternoon if not inside(spoken) and inside(afternoon) else spoken
