"""The conversation's language (slot `language`), kept up to date after every message.

Rasa runs `action_validate_slot_mappings` after each user message (action_extract_slots).
The channels (REST, WhatsApp) decide the language before NLU reads the message, so
Duckling reads dates in it, and pass it as the message's metadata `language`; this
action only copies that decision into the slot. A message that came another way (rasa
shell, `rasa test`, Rasa's HTTP API) is decided here with the same rule
(appointments/interpret/language.py) and the same detector; an intent triggered through
the API (the handoff's give-back) has no words and changes nothing.
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

EXTERNAL_PREFIX = "EXTERNAL: "  # Rasa's text for an intent triggered through its HTTP API


@functools.lru_cache(maxsize=1)
def detector() -> Any:
    from appointments.adapters.language_detector import LanguageDetector

    return LanguageDetector()


def channel_decision(tracker: Tracker) -> Optional[str]:
    """The language the channel decided for the latest message, if it did."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            said = (event.get("metadata") or {}).get(SLOT)
            return said if said in LANGUAGES else None
    return None


class ActionValidateSlotMappings(Action):
    def name(self) -> Text:
        return "action_validate_slot_mappings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        current = known(tracker.get_slot(SLOT))
        language = channel_decision(tracker)
        text = (tracker.latest_message or {}).get("text") or ""
        if language is None and text.startswith(EXTERNAL_PREFIX):
            return []  # an intent triggered through the API ("EXTERNAL: <intent>"): no words
        if language is None:
            language = await asyncio.get_running_loop().run_in_executor(
                None, decide, current, text, detector().detect)
        return [SlotSet(SLOT, language)] if language != current else []
