"""What the bot just asked, as the interpreter sees it: the options it listed, typed.

`offered_options` holds ISO dates (a day list), ISO date-times (times or slots) or
appointment codes; here they become `interpret.choices.Option`s with their day, time
and code, so a reply can be matched by position, hour, weekday, date or code.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Dict, List, Optional, Sequence, Text

from actions import services
from appointments.interpret.choices import Option
from appointments.services.scheduling import AppointmentService

DATE, TIME, CODE = "appointment_date", "appointment_time", "appointment_code"
SERVICE = "appointment_service"
# A short time list (alternatives, a part of the day) is numbered; a whole day is
# grouped by morning and afternoon, and answered with the hour.
MAX_NUMBERED_TIMES = 6


def times_are_numbered(count: int) -> bool:
    return count <= MAX_NUMBERED_TIMES


def option_for(value: Text, appointments: Dict[Text, Any]) -> Option:
    if value in appointments:
        start = appointments[value].start
        return Option(value, start.date(), start.time().replace(tzinfo=None), value)
    if "T" in value:
        moment = datetime.fromisoformat(value)
        return Option(value, moment.date(), moment.time().replace(tzinfo=None))
    try:
        return Option(value, date.fromisoformat(value))
    except ValueError:
        return Option(value)


def upcoming_by_code(phone: Text) -> Dict[Text, Any]:
    return {a.code: a for a in services.appointment_service().upcoming(phone)}


def scheduler(phone: Text, slots: Dict[Text, Any]) -> AppointmentService:
    """The scheduling service for this flow: the chosen service's duration, or the
    duration of the appointment being moved (`slots`: the form's current values)."""
    code = slots.get(CODE)
    moving = upcoming_by_code(phone).get(code) if code else None
    return services.scheduling(slots.get(SERVICE), moving)


def tracker_scheduler(tracker: Any, moving: bool) -> AppointmentService:
    """`moving`: an appointment is being moved (the reschedule flow), so its code counts;
    a booking never takes a leftover code's length and service."""
    return scheduler(tracker.sender_id, {CODE: tracker.get_slot(CODE) if moving else None,
                                         SERVICE: tracker.get_slot(SERVICE)})


def today() -> date:
    service = services.appointment_service()
    return service.calendar.today(service.now())


def options(values: Sequence[Text], appointments: Dict[Text, Any]) -> List[Option]:
    """`appointments`: the user's upcoming ones by code, when `values` are codes."""
    return [option_for(v, appointments) for v in values]


def numbered(requested: Optional[Text], values: Sequence[Text]) -> bool:
    if requested == TIME:
        return times_are_numbered(len(values))
    return True
