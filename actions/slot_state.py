"""Small helpers for reading slot values and tracker history (no I/O)."""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, List, Optional, Set, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from appointments.interpret.text import normalize

REQUESTED_SLOT = "requested_slot"
# Slots that only help to talk about the current flow; cleared when a form starts.
DISPLAY_SLOTS = ("appointment_date_text", "selected_appointment_text", "offered_options")
FLOW_SLOTS = (
    "appointment_service",
    "appointment_date",
    "appointment_time",
    "appointment_code",
    "booking_confirmed",
    "cancellation_confirmed",
    "reschedule_confirmed",
) + DISPLAY_SLOTS


def parse_day(value: Any) -> Optional[date]:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def parse_time(value: Any) -> Optional[time]:
    try:
        return time.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def combine(calendar: Any, day: date, at: time) -> datetime:
    """The aware start of a slot in the business time zone."""
    return calendar.localize(datetime.combine(day, at))


def slots_set_since_last_user_message(tracker: Tracker) -> Set[Text]:
    names: Set[Text] = set()
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "slot":
            names.add(event.get("name"))
    return names


def reset_flow() -> List[EventType]:
    """Clear every slot of the booking, cancellation and reschedule flows."""
    return [SlotSet(slot, None) for slot in FLOW_SLOTS]


def menu_if_asked(dispatcher: Any, tracker: Tracker) -> List[EventType]:
    """Leaving a flow with "menú" / "main menu": show the menu after saying nothing changed."""
    if normalize(tracker.latest_message.get("text")) in ("menu", "inicio", "al inicio",
                                                          "main menu", "the menu", "start over"):
        dispatcher.utter_message(response="utter_menu")
    return []
