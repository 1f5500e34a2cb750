"""The conversation's language (slot `language`), kept up to date after every message.

Rasa runs `action_validate_slot_mappings` after each user message (action_extract_slots).
The channels (REST, WhatsApp) decide the language before NLU reads the message, so
Duckling reads dates in it, and pass it as the message's metadata `language`; this
action only copies that decision into the slot. A message that came another way (rasa
shell, `rasa test`, Rasa's HTTP API) is decided here with the same rule
(appointments/interpret/language.py) and the same detector. An external intent (Rasa's
trigger_intent: the agent console or a helpdesk giving the conversation back, reminders)
is not something the user wrote: its text, "EXTERNAL: EXTERNAL_handoff_finished", leaves
the language as it is.
"""
from __future__ import annotations

import asyncio
import functools
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from appointments.domain.language import LANGUAGES, SLOT, known
from appointments.interpret.language import decide

EXTERNAL_PREFIX = "EXTERNAL: "  # Rasa's text for an intent sent through trigger_intent


@functools.lru_cache(maxsize=1)
def detector() -> Any:
    from appointments.adapters.language_detector import LanguageDetector

    return LanguageDetector()


def latest_user_event(tracker: Tracker) -> Dict[Text, Any]:
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return event
    return {}


def is_external(event: Dict[Text, Any]) -> bool:
    """An intent sent through Rasa's trigger_intent (a helpdesk or the console giving the
    chat back), not something the user wrote: Rasa marks it, and its text says so."""
    return bool((event.get("metadata") or {}).get("is_external")) or \
        (event.get("text") or "").startswith(EXTERNAL_PREFIX)


def channel_decision(event: Dict[Text, Any]) -> Optional[str]:
    """The language the channel decided for that message, if it did."""
    said = (event.get("metadata") or {}).get(SLOT)
    return said if said in LANGUAGES else None


class ActionValidateSlotMappings(Action):
    def name(self) -> Text:
        return "action_validate_slot_mappings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        event = latest_user_event(tracker)
        if is_external(event):
            return []
        current = known(tracker.get_slot(SLOT))
        language = channel_decision(event)
        if language is None:
            text = (tracker.latest_message or {}).get("text") or ""
            language = await asyncio.get_running_loop().run_in_executor(
                None, decide, current, text, detector().detect)
        return [SlotSet(SLOT, language)] if language != current else []
