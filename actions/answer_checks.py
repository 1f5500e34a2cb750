"""Checking what a form answer holds against the scheduling rules, and explaining any
problem in the user's words: a code that is not theirs, a day that is closed or past,
a weekday that does not match the date, a time that is taken.

Each check returns the slots to set; a refused value is cleared so the form asks again,
with the options worth offering in `offered_options`.
"""
from __future__ import annotations

from datetime import date, time
from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import formatting, reply_context, services
from actions.slot_state import combine, parse_day, parse_time, slot_time
from appointments.domain import AppointmentNotActive, AppointmentNotFound, Unavailability
from appointments.services.scheduling import AppointmentService

DATE, TIME, CODE = "appointment_date", "appointment_time", "appointment_code"
SERVICE = "appointment_service"
OFFERED = "offered_options"
# Reasons explained with utter_time_<reason>; the others are about the day (utter_date_*).
TIME_REASONS = {"past", "too_soon", "outside_hours", "off_grid", "taken"}
ALTERNATIVES = 4


def validate(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    current: Dict[Text, Any],
    found: Dict[Text, Any],
    weekday_alternative: Optional[Text] = None,
) -> Dict[Text, Any]:
    result: Dict[Text, Any] = {}
    service = reply_context.scheduler(tracker.sender_id, {**current, **found})
    if CODE in found and found[CODE]:
        result.update(check_code(dispatcher, tracker.sender_id, found[CODE]))
    if DATE in found and found[DATE]:
        if weekday_alternative and weekday_alternative != found[DATE]:
            # "el viernes 12" and the 12th is a Saturday: ask which of the two
            return {DATE: None, OFFERED: [weekday_alternative, found[DATE]]}
        result.update(check_date(dispatcher, found[DATE], service))
    day = parse_day(result.get(DATE, current.get(DATE)))
    at = parse_time(current.get(TIME))
    # again when the length became known (the service, the appointment being moved)
    if day is not None and at is not None and any(k in found for k in (TIME, DATE, SERVICE, CODE)):
        result.update(check_time(dispatcher, day, at, service))
    day = parse_day(result.get(DATE, current.get(DATE)))
    if day is not None:  # the confirmation question reads it: never "el None"
        result["appointment_date_text"] = formatting.day_text(day)
    return result


def check_code(dispatcher: CollectingDispatcher, phone: Text, code: Text) -> Dict[Text, Any]:
    service = services.appointment_service()
    try:
        appointment = service.find(phone, code)
        if appointment.status != "booked" or appointment.start <= service.now():
            raise AppointmentNotActive(code)
    except AppointmentNotFound:
        dispatcher.utter_message(response="utter_code_not_found", code=code)
        return {CODE: None}
    except AppointmentNotActive:
        dispatcher.utter_message(response="utter_appointment_not_active", code=code)
        return {CODE: None}
    return {
        CODE: appointment.code,
        "selected_appointment_text": formatting.day_time_text(appointment.start),
        OFFERED: None,
    }


def check_date(
    dispatcher: CollectingDispatcher, value: Text, service: AppointmentService
) -> Dict[Text, Any]:
    calendar = service.calendar
    day = parse_day(value)
    if day is None:
        dispatcher.utter_message(response="utter_date_not_understood")
        return {DATE: None}
    reason = calendar.check_day(day, service.now())
    if reason is None and not service.free_slots(day):
        reason = Unavailability.FULL_DAY
    if reason is not None:
        dispatcher.utter_message(
            response=f"utter_date_{reason.value}",
            date_text=formatting.day_text(day),
            holiday=calendar.holiday_name(day) or "",
            horizon_days=calendar.horizon_days,
        )
        return {DATE: None, TIME: None, "appointment_date_text": None, OFFERED: None}
    return {DATE: day.isoformat(), "appointment_date_text": formatting.day_text(day)}


def check_time(
    dispatcher: CollectingDispatcher, day: date, at: time, service: AppointmentService
) -> Dict[Text, Any]:
    """Whether `at` on `day` can be booked with `service` (bound to the duration being
    booked); if not, say why and offer the nearest free times."""
    start = combine(service.calendar, day, at)
    reason = service.check_slot(start)
    if reason is None:
        return {TIME: slot_time(at), OFFERED: None}
    periods = service.calendar.periods(day)
    day_level = reason.value not in TIME_REASONS
    response = f"utter_{'date' if day_level else 'time'}_{reason.value}"
    if reason is Unavailability.OUTSIDE_HOURS and service.calendar.check_start(
            start, service.now()) is None:  # it starts in hours but runs past closing
        response = "utter_time_does_not_fit"
    dispatcher.utter_message(
        response=response,
        duration=formatting.duration_text(int(service.duration.total_seconds() // 60)),
        date_text=formatting.day_text(day),
        time=formatting.time_text(at),
        holiday=service.calendar.holiday_name(day) or "",
        horizon_days=service.calendar.horizon_days,
        min_notice_minutes=int(service.calendar.min_notice.total_seconds() // 60),
        slot_minutes=service.calendar.slot_minutes,
        opening_hours=formatting.periods_text(periods),
    )
    if day_level:
        return {DATE: None, TIME: None, "appointment_date_text": None, OFFERED: None}
    # The free times of that day nearest to the one asked; the time question lists them.
    nearest = [s for s in service.nearest_free_slots(start, ALTERNATIVES) if s.date() == day]
    if not nearest:
        dispatcher.utter_message(response="utter_date_full_day",
                                 date_text=formatting.day_text(day))
        return {DATE: None, TIME: None, "appointment_date_text": None, OFFERED: None}
    return {TIME: None, OFFERED: [slot.isoformat() for slot in nearest]}
