"""Cancelling an appointment: only the phone number that booked it can cancel it."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import formatting, services
from actions.booking import reset_flow
from actions.form_validation import AppointmentFormValidation
from appointments.scheduling import AppointmentNotActive, AppointmentNotFound


class ValidateCancellationForm(AppointmentFormValidation):
    form = "cancellation_form"
    required = ("appointment_code", "cancellation_confirmed")
    confirmation_slot = "cancellation_confirmed"


class ActionCancelAppointment(Action):
    def name(self) -> Text:
        return "action_cancel_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        code = tracker.get_slot("appointment_code")
        if tracker.get_slot("cancellation_confirmed") is not True or not code:
            dispatcher.utter_message(response="utter_cancellation_discarded")
            return reset_flow()
        try:
            appointment = services.appointment_service().cancel(tracker.sender_id, code)
        except AppointmentNotFound:
            dispatcher.utter_message(response="utter_code_not_found", code=code)
        except AppointmentNotActive:
            dispatcher.utter_message(response="utter_appointment_not_active", code=code)
        except SQLAlchemyError:
            dispatcher.utter_message(response="utter_booking_failed")
        else:
            dispatcher.utter_message(
                response="utter_cancellation_done",
                code=appointment.code,
                appointment_text=formatting.moment_text(appointment.start),
            )
        return reset_flow()
