"""When the business takes appointments: opening periods per weekday (several when it
closes for a break), holidays and extra closed dates, slot grid, time zone, booking
horizon and minimum notice. No storage here: these rules hold whoever has already booked.

Two notions of time are kept apart on purpose, so that days when the clocks change
behave: the slot grid and the opening hours are *wall-clock* times ("09:00, 09:30, ..."
as printed on the door), while "is it in the past", "is there enough notice" and slot
lengths are *elapsed* time, computed on UTC instants. (Python compares and subtracts two
datetimes that share a tzinfo by wall clock, which is wrong across a DST change.)

An appointment of some length must fit inside one opening period: it starts on the
period's wall-clock grid and its end (start + length in elapsed time) is not after the
period's closing moment, so it never straddles a break or closing time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Dict, List, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo

from appointments.domain.business import BusinessProfile, Period, WeeklyHours
from appointments.domain.errors import Unavailability

Hours = Tuple[time, time]  # a day's span: first opening, last closing
UTC = timezone.utc


def instant(value: datetime) -> datetime:
    """The same moment in UTC, for comparisons and arithmetic in elapsed time."""
    return value.astimezone(UTC)


def _periods(value: Any) -> Tuple[Period, ...]:
    """One weekday's hours as sorted periods; a bare (opens, closes) pair (the shape
    settings.parse_business_hours used to return) is one period."""
    if len(value) == 2 and all(isinstance(part, time) for part in value):
        value = (value,)
    return tuple(sorted((opens, closes) for opens, closes in value))


def normalize_hours(hours: Mapping[int, Any]) -> Dict[int, Tuple[Period, ...]]:
    """{weekday: periods} with the days that have no period left out (closed)."""
    normalized = {weekday: _periods(value) for weekday, value in hours.items()}
    return {weekday: periods for weekday, periods in normalized.items() if periods}


@dataclass(frozen=True)
class BusinessCalendar:
    tz: ZoneInfo
    hours: WeeklyHours  # weekday (0 = Monday) -> periods (opens, closes); missing = closed
    slot_minutes: int = 30
    horizon_days: int = 30
    min_notice: timedelta = timedelta(minutes=60)
    holidays_country: Optional[str] = "MX"
    closed_dates: Mapping[date, str] = field(default_factory=dict)  # date -> reason
    _holidays: Dict[int, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hours", normalize_hours(self.hours))
        object.__setattr__(self, "closed_dates", dict(self.closed_dates))

    @classmethod
    def from_profile(cls, profile: BusinessProfile) -> "BusinessCalendar":
        return cls(
            tz=ZoneInfo(profile.timezone),
            hours=profile.hours,
            slot_minutes=profile.slot_minutes,
            horizon_days=profile.booking_horizon_days,
            min_notice=timedelta(minutes=profile.min_notice_minutes),
            holidays_country=profile.holidays_country,
            closed_dates=profile.closed_dates,
        )

    @classmethod
    def from_settings(cls, settings: Any) -> "BusinessCalendar":
        """The calendar of the settings' business (business.yml and its overrides)."""
        return cls.from_profile(settings.business)

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

    def slot_end(self, start: datetime, length: Optional[timedelta] = None) -> datetime:
        """An appointment lasts `length` (default: one slot) of real time, even across a
        clock change."""
        return (instant(start) + (length or self.slot_length)).astimezone(self.tz)

    # --- days --------------------------------------------------------------------

    def holiday_name(self, day: date) -> Optional[str]:
        """Why the business is closed on `day` beyond its weekly hours: an extra closed
        date (its reason) or a public holiday of `holidays_country`; None otherwise."""
        if day in self.closed_dates:
            return self.closed_dates[day]
        if not self.holidays_country:
            return None
        if day.year not in self._holidays:
            import holidays  # loaded on first use: building the tables takes a moment

            self._holidays[day.year] = holidays.country_holidays(
                self.holidays_country, years=day.year, language="es"
            )
        return self._holidays[day.year].get(day)

    def periods(self, day: date) -> Tuple[Period, ...]:
        """The opening periods of `day`, in order; empty when closed (day off, holiday
        or closed date)."""
        if self.holiday_name(day):
            return ()
        return tuple(self.hours.get(day.weekday(), ()))

    def opening_hours(self, day: date) -> Optional[Hours]:
        """The day's span (first opening, last closing), breaks included; None when the
        business is closed that day."""
        periods = self.periods(day)
        return (periods[0][0], periods[-1][1]) if periods else None

    def _closing(self, day: date, closes: time) -> datetime:
        """The moment a period closes (a wall time the clocks skip: the moment it
        denotes; a repeated one: its first occurrence)."""
        return self.localize(datetime.combine(day, closes))

    def slot_starts(self, day: date, length: Optional[timedelta] = None) -> List[datetime]:
        """Every start of the day on each period's wall-clock grid (from its opening
        time) where an appointment of `length` (default: one slot) ends by the period's
        closing time. Wall times the clocks skip are left out."""
        starts = []
        for opens, closes in self.periods(day):
            wall = datetime.combine(day, opens)
            closing = instant(self._closing(day, closes))
            while wall < datetime.combine(day, closes):
                start = self.at(day, wall.time())
                if start is not None:
                    if instant(self.slot_end(start, length)) > closing:
                        break
                    starts.append(start)
                wall += self.slot_length
        return starts

    def _period_at(self, local: datetime) -> Optional[Period]:
        wall = local.time()
        return next((p for p in self.periods(local.date()) if p[0] <= wall < p[1]), None)

    def is_open(self, moment: datetime) -> bool:
        """Whether the business is open (someone can answer) at `moment`."""
        return self._period_at(self.localize(moment)) is not None

    def next_opening(self, moment: datetime, days: int = 31) -> Optional[datetime]:
        """The next moment the business opens after `moment` (after a break: when it
        reopens; None if closed for `days` days, e.g. no business hours configured)."""
        local = self.localize(moment)
        for offset in range(days + 1):
            day = local.date() + timedelta(days=offset)
            for opens, _ in self.periods(day):
                start = self.at(day, opens)
                if start is not None and start > local:
                    return start
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

    def check_start(
        self, start: datetime, now: datetime, length: Optional[timedelta] = None
    ) -> Optional[Unavailability]:
        """Why an appointment of `length` (default: one slot) cannot start at `start` at
        `now` (calendar rules only), or None.

        Precedence: PAST, BEYOND_HORIZON, HOLIDAY, CLOSED_DAY, OUTSIDE_HOURS (not
        inside one opening period from start to end), OFF_GRID (relative to the
        period's opening), TOO_SOON, so the answer names the most fundamental problem."""
        start, now = self.localize(start), self.localize(now)
        if instant(start) <= instant(now):
            return Unavailability.PAST
        reason = self.check_day(start.date(), now)
        if reason is not None:
            return reason
        period = self._period_at(start)
        if period is None or instant(self.slot_end(start, length)) > instant(
            self._closing(start.date(), period[1])
        ):
            return Unavailability.OUTSIDE_HOURS
        opening = datetime.combine(start.date(), period[0])
        if (start.replace(tzinfo=None) - opening) % self.slot_length:
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
        periods = self.periods(day) or self.hours.get(day.weekday(), ())
        if not periods:
            return spoken

        def inside(moment: time) -> bool:
            return any(opens <= moment < closes for opens, closes in periods)

        return afternoon if not inside(spoken) and inside(afternoon) else spoken
