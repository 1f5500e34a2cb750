"""Confirming an appointment from the answer to a reminder (*1* Confirmar).

The WhatsApp channel turns that answer into `/confirm_appointment{"appointment_code": ...}`
(appointments/rasa/channels/reminder_answers.py); the intent has no NLU examples, so a
"sí, confirmo" inside a booking is never read as it.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.outcomes import apply_change


class ActionConfirmAppointment(Action):
    def name(self) -> Text:
        return "action_confirm_appointment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        code = next(tracker.get_latest_entity_values("appointment_code"), None)
        if not code:
            upcoming = services.appointment_service().upcoming(tracker.sender_id)
            if not upcoming:
                dispatcher.utter_message(response="utter_no_appointments")
                return []
            code = upcoming[0].code
        return apply_change(
            dispatcher,
            code,
            lambda: services.appointment_service().confirm(tracker.sender_id, code),
            "utter_appointment_confirmed",
        )
