"""Booking a new appointment: the booking form and what happens when it is complete."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import answer_checks, formatting, reply_context, services
from actions.answer_checks import DATE
from actions.business_notices import notify_business
from actions.form_validation import LAST_CODE, AppointmentFormValidation
from actions.service_choice import service_name
from actions.slot_state import (
    DISPLAY_SLOTS,
    REQUESTED_SLOT,
    combine,
    menu_if_asked,
    parse_day,
    parse_time,
    reset_flow,
)
from appointments.domain import SlotUnavailable, TooManyAppointments
from appointments.domain.language import current_language
from appointments.services import handoff_summary

NAME_LENGTH = 120  # appointments.customer_name


def _at_the_cap(phone: Text) -> Optional[TooManyAppointments]:
    """The refusal when `phone` already holds the most upcoming appointments allowed."""
    try:
        services.appointment_service().check_upcoming_limit(phone)
    except TooManyAppointments as refused:
        return refused
    return None


def _say_too_many(dispatcher: CollectingDispatcher, refused: TooManyAppointments) -> None:
    dispatcher.utter_message(response="utter_too_many_appointments", limit=refused.limit)


class ValidateBookingForm(AppointmentFormValidation):
    form = "booking_form"
    required = ("appointment_service", "appointment_date", "appointment_time",
                "booking_confirmed")
    confirmation_slot = "booking_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        if tracker.get_slot(REQUESTED_SLOT) is None:  # the form is starting
            refused = _at_the_cap(tracker.sender_id)
            if refused is not None:
                # Say so before asking for a day, and end the form at once (an empty
                # requested_slot ends it; action_book_appointment then books nothing).
                _say_too_many(dispatcher, refused)
                cleared = self.required + DISPLAY_SLOTS
                return [SlotSet(slot, None) for slot in cleared] + [SlotSet(REQUESTED_SLOT, None)]
        return await super().run(dispatcher, tracker, domain)


class ActionBookAppointment(Action):
    def name(self) -> Text:
        return "action_book_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        day = parse_day(tracker.get_slot("appointment_date"))
        at = parse_time(tracker.get_slot("appointment_time"))
        confirmed = tracker.get_slot("booking_confirmed")
        if confirmed is not True or day is None or at is None:
            if confirmed is None and _at_the_cap(tracker.sender_id) is not None:
                return reset_flow()  # ended at its start: ValidateBookingForm said why
            dispatcher.utter_message(response="utter_booking_discarded")
            return reset_flow() + menu_if_asked(dispatcher, tracker)
        service = reply_context.tracker_scheduler(tracker, moving=False)
        start = combine(service.calendar, day, at)
        name = handoff_summary.profile_name(tracker.events)  # WhatsApp's, for the staff
        try:
            appointment = service.book(tracker.sender_id, start,
                                       customer_name=name[:NAME_LENGTH] if name else None,
                                       language=current_language())
        except TooManyAppointments as refused:  # booked elsewhere meanwhile
            _say_too_many(dispatcher, refused)
            return reset_flow()
        except SlotUnavailable:
            # Someone else took the slot between the question and the "sí": offer the
            # nearest free ones and go back to the time question with them listed.
            checked = answer_checks.check_time(dispatcher, day, at, service)
            return [
                SlotSet("appointment_date", day.isoformat() if DATE not in checked else None),
                SlotSet("appointment_time", None),
                SlotSet("booking_confirmed", None),
                SlotSet("appointment_service", tracker.get_slot("appointment_service")),
                SlotSet("offered_options", checked.get("offered_options")),
                FollowupAction("booking_form"),
            ]
        except SQLAlchemyError:
            dispatcher.utter_message(response="utter_booking_failed")
            return reset_flow()
        notify_business("booked", appointment, tracker)
        named = service_name(appointment.service)
        dispatcher.utter_message(
            response="utter_booking_done_service" if named else "utter_booking_done",
            service=named or "",
            code=appointment.code,
            date_text=formatting.day_text(appointment.start.date()),
            time=formatting.time_text(appointment.start),
        )
        return reset_flow() + [SlotSet(LAST_CODE, appointment.code)]
