"""Booking a new appointment: the booking form and what happens when it is complete."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import answer_checks, formatting, services
from actions.answer_checks import DATE
from actions.form_validation import LAST_CODE, AppointmentFormValidation
from actions.slot_state import combine, menu_if_asked, parse_day, parse_time, reset_flow
from appointments.scheduling import SlotUnavailable


class ValidateBookingForm(AppointmentFormValidation):
    form = "booking_form"
    required = ("appointment_date", "appointment_time", "booking_confirmed")
    confirmation_slot = "booking_confirmed"


class ActionBookAppointment(Action):
    def name(self) -> Text:
        return "action_book_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        day = parse_day(tracker.get_slot("appointment_date"))
        at = parse_time(tracker.get_slot("appointment_time"))
        if tracker.get_slot("booking_confirmed") is not True or day is None or at is None:
            dispatcher.utter_message(response="utter_booking_discarded")
            return reset_flow() + menu_if_asked(dispatcher, tracker)
        service = services.appointment_service()
        start = combine(service.calendar, day, at)
        try:
            appointment = service.book(tracker.sender_id, start)
        except SlotUnavailable:
            # Someone else took the slot between the question and the "sí": offer the
            # nearest free ones and go back to the time question with them listed.
            checked = answer_checks.check_time(dispatcher, day, at)
            return [
                SlotSet("appointment_date", day.isoformat() if DATE not in checked else None),
                SlotSet("appointment_time", None),
                SlotSet("booking_confirmed", None),
                SlotSet("offered_options", checked.get("offered_options")),
                FollowupAction("booking_form"),
            ]
        except SQLAlchemyError:
            dispatcher.utter_message(response="utter_booking_failed")
            return reset_flow()
        dispatcher.utter_message(
            response="utter_booking_done",
            code=appointment.code,
            date_text=formatting.day_text(appointment.start.date()),
            time=formatting.time_text(appointment.start),
        )
        return reset_flow() + [SlotSet(LAST_CODE, appointment.code)]
