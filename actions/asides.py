"""Replies in the middle of a form that are not an answer: leaving ("ya no",
"olvídalo", "never mind"), a greeting, "hmm" or thanks get a short answer and the same
question."""
from __future__ import annotations

from typing import List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.slot_state import REQUESTED_SLOT
from appointments.interpret.replies import GREET, HESITATE, LEAVE, THANK, read_interjection
from appointments.interpret.requested_time import names_a_moment
from appointments.interpret.text import normalize
from appointments.interpret.yes_no import read_yes_no

DATE, TIME = "appointment_date", "appointment_time"
OFFERED = "offered_options"
# A yes where no yes/no was asked ("okay" stays out: said in Spanish too, it is read as before).
BARE_YES = ("si", "ok", "va", "sale", "aja", "yes", "yeah", "yep", "yup", "sure")


def read_aside(
    dispatcher: CollectingDispatcher, tracker: Tracker, requested: Text, form: Text,
    confirmation_slot: Text,
) -> Optional[List[EventType]]:
    """Leaving, greeting, hesitating or thanking in the middle of a question: the
    events to return, or None when the reply is meant as an answer."""
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    if requested == confirmation_slot and read_yes_no(text).bare:
        return None
    kind = read_interjection(text)
    if kind is None and normalize(text) in BARE_YES \
            and len(tracker.get_slot(OFFERED) or []) != 1:
        kind = HESITATE  # a yes to a question that is not yes/no (one option: that one)
    if kind == LEAVE:
        said = normalize(text)
        if said.startswith("cancel") and form != "booking_form":
            return None  # "cancela" while changing: the rules decide
        return [SlotSet(confirmation_slot, False), SlotSet(REQUESTED_SLOT, None)]
    if kind in (GREET, HESITATE, THANK):
        if kind == HESITATE and any(map(names_a_moment, message.get("entities") or [])):
            return None  # "no sé, ¿el jueves?": an answer after all
        options = tracker.get_slot(OFFERED) or []
        hint = "_options" if kind == HESITATE and options and requested in (DATE, TIME) else ""
        dispatcher.utter_message(response=f"utter_aside_{kind}{hint}")
        return [SlotSet(requested, None)]
    return None
