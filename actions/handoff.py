"""Handing the conversation to a person: record the request for the team.

(Notifying an agent and the agent console come with the handoff issue; here the request
is stored with what the user was doing, so nobody has to ask again.)
"""
from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import services
from actions.slot_state import FLOW_SLOTS

RECENT_MESSAGES = 10
logger = logging.getLogger(__name__)


def summarize(tracker: Tracker) -> str:
    said = [e.get("text") for e in tracker.events if e.get("event") == "user" and e.get("text")]
    slots = {s: tracker.get_slot(s) for s in FLOW_SLOTS if tracker.get_slot(s) is not None}
    summary = {"recent_messages": said[-RECENT_MESSAGES:], "slots": slots}
    return json.dumps(summary, ensure_ascii=False, default=str)


class ActionHandoffToHuman(Action):
    def name(self) -> Text:
        return "action_handoff_to_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_handoff")
        try:
            services.handoff_repository().create(
                tracker.sender_id, "user_request", summarize(tracker)
            )
        except SQLAlchemyError:
            # The user was already told a person will write; the log keeps the failure.
            logger.exception("could not record the handoff request")
        return []
