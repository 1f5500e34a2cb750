"""Which service is being booked, when business.yml offers more than one.

The first message may already say it ("quiero una limpieza el viernes"); otherwise the
booking form asks with a numbered list, answered by number or by name. With a single
service the slot is filled with it at once and nobody is asked.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import formatting, services
from appointments.interpret.text import normalize

SERVICE = "appointment_service"
OFFERED = "offered_options"


def read_service(text: Text, requested: Optional[Text], offered: List[Text]) -> Dict[Text, Any]:
    """{SERVICE: key} when the message names or picks a service (or there is only one)."""
    profile = services.settings().business
    if not profile.asks_for_service:  # at the form's start (or if ever asked): that one
        return {SERVICE: profile.default_offering.key} if requested in (None, SERVICE) else {}
    named = services.business_answers().offering_named(text)
    if named is not None:
        return {SERVICE: named.key}
    if requested == SERVICE:
        said = normalize(text).replace("el ", "").replace("la ", "").strip()
        keys = [k for k in offered if profile.offering(k)] or [s.key for s in profile.services]
        if said.isdigit() and 1 <= int(said) <= len(keys):
            return {SERVICE: keys[int(said) - 1]}
    return {}


def service_line(offering: Any, currency: Text) -> Text:
    """'Limpieza dental (1 h) · $800 a $1,200'"""
    line = f"{offering.name} ({formatting.duration_text(offering.duration_minutes)})"
    if offering.price_from is not None:
        line += f" · {formatting.price_text(offering, currency)}"
    return line


def service_name(key: Optional[Text]) -> Optional[Text]:
    """The service's name when the business offers several (with one, never named)."""
    profile = services.settings().business
    offering = profile.offering(key)
    return offering.name if offering is not None and profile.asks_for_service else None


class ActionAskAppointmentService(Action):
    def name(self) -> Text:
        return "action_ask_appointment_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        profile = services.settings().business
        dispatcher.utter_message(
            response="utter_ask_appointment_service",
            options=formatting.numbered(service_line(o, profile.currency)
                                        for o in profile.services),
        )
        return [SlotSet(OFFERED, [o.key for o in profile.services])]
