"""Handing the conversation to a person.

The bot opens a handoff case (who, what they wanted, the recent conversation), opens it in
the business's helpdesks (HELPDESK: appointments/services/helpdesk_sync.py), notifies
the agents (appointments.adapters.notifiers), tells the user honestly when a person will
answer, and pauses itself: until an agent gives the conversation back from the console,
the user's messages are kept in the message log but not answered by the bot.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import business_answers, services
from actions.formatting import moment_text
from actions.slot_state import FLOW_SLOTS
from appointments.services import handoff_summary as summary
from appointments.adapters.notifiers import HandoffNotice
from appointments.domain.language import SLOT as LANGUAGE_SLOT, known

logger = logging.getLogger(__name__)


async def hand_off(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: str
) -> List[EventType]:
    events = tracker.events
    slots = {s: tracker.get_slot(s) for s in FLOW_SLOTS if tracker.get_slot(s) is not None}
    case_summary = {"goal": summary.goal(events), "slots": slots,
                    "language": known(tracker.get_slot(LANGUAGE_SLOT))}
    settings = services.settings()
    delivered: List[str] = []
    def open_case() -> Dict[str, Any]:
        cases = services.handoff_repository()
        case_id = cases.open_case(
            tracker.sender_id, reason, case_summary, summary.transcript(events),
            summary.profile_name(events),
        )
        return cases.get(case_id)

    try:
        case = await asyncio.get_running_loop().run_in_executor(None, open_case)
        notice = HandoffNotice.from_case(case, settings.agent_console_url)
        helpdesks = services.helpdesk_sync()
        if helpdesks is not None:  # a helpdesk that is down is retried by the worker
            delivered += await helpdesks.case_opened(case["id"])
        delivered += await services.notifiers().notify(notice)
    except SQLAlchemyError:
        # The user still gets the honest answer below; the log keeps the failure.
        logger.exception("could not record the handoff case")

    service = services.appointment_service()
    now = service.now()
    if not service.calendar.is_open(now):
        opening = service.calendar.next_opening(now)
        dispatcher.utter_message(
            response="utter_handoff_after_hours",
            next_opening=moment_text(opening) if opening else "",
        )
    elif delivered:
        dispatcher.utter_message(response="utter_handoff")
    else:
        dispatcher.utter_message(response="utter_handoff_queued")
    paused: List[EventType] = [ConversationPaused()]
    return ([ActiveLoop(None)] if tracker.active_loop.get("name") else []) + paused


class ActionHandoffToHuman(Action):
    def name(self) -> Text:
        return "action_handoff_to_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        return await hand_off(dispatcher, tracker, "user_request")


class ActionHandleFallback(Action):
    """A message the bot cannot help with (not understood, or out of scope): a frequent
    question of business.yml or the optional LLM may still answer it; otherwise say so
    (with the menu, outside a form); after FALLBACKS_BEFORE_HANDOFF in a row, pass the
    conversation to a person instead of failing again."""

    def name(self) -> Text:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        answered = business_answers.answer_unrecognized(dispatcher, tracker)
        if answered is not None:
            return answered
        misses = summary.consecutive_misses(tracker.events)
        if misses >= services.settings().fallbacks_before_handoff:
            dispatcher.utter_message(response="utter_fallback_handoff")
            return await hand_off(dispatcher, tracker, "fallback")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        out_of_scope = intent == "out_of_scope"
        dispatcher.utter_message(response="utter_out_of_scope" if out_of_scope else "utter_default")
        if not tracker.active_loop.get("name"):
            dispatcher.utter_message(response="utter_menu")
        return []
