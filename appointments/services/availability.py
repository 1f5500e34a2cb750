"""What is free: the availability half of AppointmentService (scheduling.py).

A start is free for an appointment of `duration` when [start, start + duration) fits in
one opening period (the calendar's rules) and overlaps no booked appointment. The booked
intervals are read once per day, not once per slot.

When rescheduling, the appointment being moved does not stand in its own way (`ignoring`):
moving a 60-minute appointment 30 minutes later overlaps only its own old interval.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import List, Optional, Sequence, Tuple

from appointments.domain.appointment import Appointment
from appointments.domain.calendar import BusinessCalendar, instant
from appointments.domain.errors import Unavailability
from appointments.domain.ports import AppointmentRepository

Interval = Tuple[datetime, datetime]  # UTC instants, [start, end)


class Availability:
    """Free starts for appointments of `self.duration`. Needs from its subclass:
    `calendar`, `repository`, `duration`, `ignoring` and `now()`."""

    calendar: BusinessCalendar
    repository: AppointmentRepository
    duration: timedelta
    ignoring: Optional[Appointment]

    def now(self) -> datetime:
        raise NotImplementedError

    def _booked_on(self, day: date, ignoring: Optional[Appointment] = None) -> List[Interval]:
        """The booked intervals overlapping `day` (local midnight to midnight), in UTC,
        without the one of `ignoring` (booked intervals never overlap: it is there once)."""
        start = self.calendar.localize(datetime.combine(day, time(0)))
        end = self.calendar.localize(datetime.combine(day + timedelta(days=1), time(0)))
        booked = [(instant(s), instant(e)) for s, e in self.repository.booked_intervals(start, end)]
        if ignoring is not None and ignoring.is_booked:
            own = (instant(ignoring.start), instant(ignoring.end))
            if own in booked:
                booked.remove(own)
        return booked

    def _overlaps(self, start: datetime, length: timedelta, booked: Sequence[Interval]) -> bool:
        begins = instant(start)
        ends = instant(self.calendar.slot_end(start, length))
        return any(other_start < ends and other_end > begins for other_start, other_end in booked)

    def _unavailability(
        self, start: datetime, length: timedelta, ignoring: Optional[Appointment] = None
    ) -> Optional[Unavailability]:
        start = self.calendar.localize(start)
        reason = self.calendar.check_start(start, self.now(), length)
        if reason is None and self._overlaps(start, length, self._booked_on(start.date(), ignoring)):
            return Unavailability.TAKEN
        return reason

    def check_slot(self, start: datetime) -> Optional[Unavailability]:
        """Calendar rules first (the whole duration inside one opening period), then
        whether it overlaps a booked appointment."""
        return self._unavailability(start, self.duration, self.ignoring)

    def free_slots(
        self, day: date, window: Optional[Tuple[time, time]] = None
    ) -> List[datetime]:
        """Bookable, untaken starts that day, optionally within [window[0], window[1])."""
        now = self.now()
        if self.calendar.check_day(day, now) is not None:
            return []
        booked = self._booked_on(day, self.ignoring)
        free = [
            start
            for start in self.calendar.slot_starts(day, self.duration)
            if self.calendar.check_start(start, now, self.duration) is None
            and not self._overlaps(start, self.duration, booked)
        ]
        if window is not None:
            free = [s for s in free if window[0] <= s.time() < window[1]]
        return free

    def _bookable_days(self, start: date) -> List[date]:
        """From `start` (not before today) to the last day of the booking horizon."""
        today = self.calendar.today(self.now())
        last = today + timedelta(days=self.calendar.horizon_days)
        first = max(start, today)
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def days_with_space(
        self, start: Optional[date] = None, limit: int = 3
    ) -> List[Tuple[date, int]]:
        """The next days with at least one free start, and how many they have."""
        days: List[Tuple[date, int]] = []
        for day in self._bookable_days(start or self.calendar.today(self.now())):
            count = len(self.free_slots(day))
            if count:
                days.append((day, count))
                if len(days) == limit:
                    break
        return days

    def next_free_slots(self, limit: int = 3, after: Optional[datetime] = None) -> List[datetime]:
        """The earliest free starts at or after `after` (default: now)."""
        after = self.calendar.localize(after) if after else self.now()
        found: List[datetime] = []
        for day in self._bookable_days(after.date()):
            found += [s for s in self.free_slots(day) if instant(s) >= instant(after)]
            if len(found) >= limit:
                break
        return found[:limit]

    def nearest_free_slots(self, wanted: datetime, limit: int = 3) -> List[datetime]:
        """Alternatives to a refused time: the free starts of that day closest to it
        (before or after), topped up from the following days; chronological."""
        wanted = self.calendar.localize(wanted)
        same_day = sorted(
            self.free_slots(wanted.date()), key=lambda s: abs(instant(s) - instant(wanted))
        )
        chosen = same_day[:limit]
        if len(chosen) < limit:
            next_day = self.calendar.localize(
                datetime.combine(wanted.date() + timedelta(days=1), time(0))
            )
            chosen += self.next_free_slots(limit - len(chosen), after=next_day)
        return sorted(chosen, key=instant)
