"""The business as its owner describes it in business.yml: who, where, when, what it
offers and at what price, how to pay, and the answers to frequent questions.

Plain frozen data: `appointments.adapters.business_file` reads and validates the file;
the calendar, the scheduling service and the answers read these objects.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Dict, Mapping, Optional, Tuple

Period = Tuple[time, time]  # opens, closes (wall clock)
WeeklyHours = Mapping[int, Tuple[Period, ...]]  # weekday (0 = Monday) -> periods; missing = closed


@dataclass(frozen=True)
class Offering:
    """A service the business offers ("Limpieza dental"); `key` is its stable id in the
    database and the conversation; `aliases` are the words customers use for it."""

    key: str
    name: str
    duration_minutes: int
    price_from: Optional[int] = None  # whole currency units; None: price not published
    price_to: Optional[int] = None  # a range "desde 800 hasta 1,200"; None: a fixed price
    description: str = ""
    preparation: str = ""
    aliases: Tuple[str, ...] = ()

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class FaqEntry:
    key: str
    questions: Tuple[str, ...]  # ways customers ask it
    answer: str


DEFAULT_HOURS: Dict[int, Tuple[Period, ...]] = {
    **{weekday: ((time(9), time(18)),) for weekday in range(5)},
    5: ((time(9), time(13)),),
}


@dataclass(frozen=True)
class BusinessProfile:
    name: str = "Consultorio"
    address: str = ""
    map_url: str = ""
    phone: str = ""
    directions: str = ""  # how to get there: landmarks, metro, entrance
    timezone: str = "America/Mexico_City"
    hours: WeeklyHours = field(default_factory=lambda: dict(DEFAULT_HOURS))
    closed_dates: Mapping[date, str] = field(default_factory=dict)  # date -> reason
    holidays_country: Optional[str] = "MX"
    slot_minutes: int = 30
    booking_horizon_days: int = 30
    min_notice_minutes: int = 60
    currency: str = "MXN"
    services: Tuple[Offering, ...] = ()
    payment_methods: Tuple[str, ...] = ()
    parking: str = ""
    accessibility: str = ""
    cancellation_policy: str = ""
    faq: Tuple[FaqEntry, ...] = ()

    @property
    def offerings(self) -> Tuple[Offering, ...]:
        """What can be booked: the configured services, or one unnamed service of one
        slot when business.yml lists none (the booking flow then never asks)."""
        if self.services:
            return self.services
        return (Offering(key="cita", name="Cita", duration_minutes=self.slot_minutes),)

    @property
    def asks_for_service(self) -> bool:
        return len(self.services) > 1

    def offering(self, key: Optional[str]) -> Optional[Offering]:
        return next((o for o in self.offerings if o.key == key), None)

    @property
    def default_offering(self) -> Offering:
        """The service a booking gets when there is only one to choose."""
        return self.offerings[0]
