"""Cancelling an appointment: only the phone number that booked it can cancel it."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.business_notices import notify_business
from actions.form_validation import AppointmentFormValidation
from actions.outcomes import apply_change
from actions.slot_state import menu_if_asked, reset_flow


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
            return reset_flow() + menu_if_asked(dispatcher, tracker)
        return apply_change(
            dispatcher,
            code,
            lambda: services.appointment_service().cancel(tracker.sender_id, code),
            "utter_cancellation_done",
            lambda cancelled: notify_business("cancelled", cancelled, tracker),
        )
