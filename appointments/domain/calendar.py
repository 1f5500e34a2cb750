"""When the business takes appointments: hours per weekday, holidays, slot grid, time
zone, booking horizon and minimum notice. No storage here: these rules hold whoever has
already booked.

Two notions of time are kept apart on purpose, so that days when the clocks change
behave: the slot grid and the opening hours are *wall-clock* times ("09:00, 09:30, ..."
as printed on the door), while "is it in the past", "is there enough notice" and slot
lengths are *elapsed* time, computed on UTC instants. (Python compares and subtracts two
datetimes that share a tzinfo by wall clock, which is wrong across a DST change.)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Dict, List, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo

from appointments.domain.errors import Unavailability

Hours = Tuple[time, time]
UTC = timezone.utc


def instant(value: datetime) -> datetime:
    """The same moment in UTC, for comparisons and arithmetic in elapsed time."""
    return value.astimezone(UTC)


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

    @property
    def slot_length(self) -> timedelta:
        return timedelta(minutes=self.slot_minutes)

    # --- time zone ---------------------------------------------------------------

    def localize(self, value: datetime) -> datetime:
        """Naive -> read as business local time; aware -> converted to it.

        The round trip through UTC also turns a wall time the clocks skipped (02:30 on
        a spring-forward night) into the real moment it denotes (03:30)."""
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.tz)
        return instant(value).astimezone(self.tz)

    def at(self, day: date, wall: time) -> Optional[datetime]:
        """The aware moment `wall` o'clock on `day`, or None if the clocks skip it."""
        moment = datetime.combine(day, wall, tzinfo=self.tz)
        exists = self.localize(moment).replace(tzinfo=None) == moment.replace(tzinfo=None)
        return moment if exists else None

    def today(self, now: datetime) -> date:
        return self.localize(now).date()

    def slot_end(self, start: datetime) -> datetime:
        """A slot lasts `slot_minutes` of real time, even across a clock change."""
        return (instant(start) + self.slot_length).astimezone(self.tz)

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
        """None when the business is closed that day (weekday off or holiday)."""
        if self.holiday_name(day):
            return None
        return self.hours.get(day.weekday())

    def slot_starts(self, day: date) -> List[datetime]:
        """Every slot start of the day on the wall-clock grid from opening time; the
        last slot ends by closing time. Wall times the clocks skip are left out."""
        hours = self.opening_hours(day)
        if hours is None:
            return []
        wall = datetime.combine(day, hours[0])
        closes = datetime.combine(day, hours[1])
        starts = []
        while wall + self.slot_length <= closes:
            start = self.at(day, wall.time())
            if start is not None:
                starts.append(start)
            wall += self.slot_length
        return starts

    def is_open(self, moment: datetime) -> bool:
        """Whether the business is open (someone can answer) at `moment`."""
        local = self.localize(moment)
        hours = self.opening_hours(local.date())
        return hours is not None and hours[0] <= local.time() < hours[1]

    def next_opening(self, moment: datetime, days: int = 31) -> Optional[datetime]:
        """The next moment the business opens after `moment` (None if closed for
        `days` days, e.g. no business hours configured)."""
        local = self.localize(moment)
        for offset in range(days + 1):
            day = local.date() + timedelta(days=offset)
            hours = self.opening_hours(day)
            opens = self.at(day, hours[0]) if hours else None
            if opens is not None and opens > local:
                return opens
        return None

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
        """Why `start` cannot be booked at `now` (calendar rules only), or None.

        Precedence: PAST, BEYOND_HORIZON, HOLIDAY, CLOSED_DAY, OUTSIDE_HOURS, OFF_GRID,
        TOO_SOON, so the answer names the most fundamental problem."""
        start, now = self.localize(start), self.localize(now)
        if instant(start) <= instant(now):
            return Unavailability.PAST
        reason = self.check_day(start.date(), now)
        if reason is not None:
            return reason
        opens, closes = self.hours[start.weekday()]
        wall = start.replace(tzinfo=None)
        opening = datetime.combine(start.date(), opens)
        if wall < opening or wall + self.slot_length > datetime.combine(start.date(), closes):
            return Unavailability.OUTSIDE_HOURS
        if (wall - opening) % self.slot_length:
            return Unavailability.OFF_GRID
        if instant(start) < instant(now) + self.min_notice:
            return Unavailability.TOO_SOON
        return None

    def resolve_hour(self, day: date, hour: int, minute: int, meridiem_explicit: bool) -> time:
        """"a las 5" is 17:00 when the business is closed at 05:00 but open at 17:00.

        On a holiday the weekday's usual hours decide, so the hour is still read the way
        the person meant it and the holiday is reported afterwards."""
        spoken = time(hour % 24, minute)
        if meridiem_explicit or not 1 <= hour <= 11:
            return spoken
        afternoon = time(hour + 12, minute)
        hours = self.opening_hours(day) or self.hours.get(day.weekday())
        if hours is None:
            return spoken
        opens, closes = hours

        def inside(moment: time) -> bool:
            return opens <= moment < closes

        return afternoon if not inside(spoken) and inside(afternoon) else spoken
