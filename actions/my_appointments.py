"""Listing the user's upcoming appointments (only those still to come: `upcoming` leaves
out any that started, earlier today included), the confirmed ones marked."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import formatting, services
from actions.service_choice import service_name

CONFIRMED_MARK = "utter_appointment_confirmed_mark"  # "✅ confirmada", in domain.yml


class ActionListAppointments(Action):
    def name(self) -> Text:
        return "action_list_appointments"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        upcoming = services.appointment_service().upcoming(tracker.sender_id)
        if not upcoming:
            dispatcher.utter_message(response="utter_no_appointments")
        else:
            confirmed = formatting.response_text(domain, CONFIRMED_MARK)
            dispatcher.utter_message(
                response="utter_my_appointments",
                options=formatting.numbered(
                    formatting.appointment_line(a, service_name(a.service),
                                                confirmed if a.is_confirmed else None)
                    for a in upcoming),
            )
        return []
