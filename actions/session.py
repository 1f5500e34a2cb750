"""A new session (after `session_expiration_time` of silence, or the first message).

Rasa's default starts every session unpaused, so a person waiting for an agent who wrote
again an hour later got the bot back while their case was still open. Whether a person
has the conversation comes from the database (the open handoff case), not from old
tracker events: the new session is paused again while the case is open.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services

METADATA_SLOT = "session_started_metadata"


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        metadata = tracker.get_slot(METADATA_SLOT)
        if metadata:
            events.append(SlotSet(METADATA_SLOT, metadata))
        if services.handoff_repository().open_case_for(tracker.sender_id) is not None:
            events.append(ConversationPaused())
        events.append(ActionExecuted("action_listen"))
        return events
