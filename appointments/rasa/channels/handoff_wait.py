"""While a person is handling the conversation (the bot is paused), nobody is left in
the dark: the first message after the handoff gets one acknowledgement ("Ya avisé a un
agente; si prefieres seguir con el asistente escribe *menú*"), later ones are kept
quietly for the agent, and "menú" / "asistente" gives the conversation back to the bot
(the case is closed as left by the user, so the console shows it) before the message
is handled like any other.

Used by both channels (REST in `rest.py`, WhatsApp in `whatsapp.py`) around Rasa's
`on_new_message`.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Optional

from rasa.shared.core.events import ActionExecuted, ConversationPaused, ConversationResumed, UserUttered

from appointments.interpret.replies import wants_assistant
from appointments.privacy import mask_phone

logger = logging.getLogger(__name__)
ACKNOWLEDGEMENT = "utter_handoff_waiting"
LEFT_BY_USER = "user"
SHOW_MENU = "/show_menu"  # what a user going back to the bot sees first


def _messages_since_pause(tracker: Any) -> int:
    count = 0
    for event in reversed(tracker.events):
        if isinstance(event, ConversationPaused):
            return count
        if isinstance(event, UserUttered):
            count += 1
    return count


class HandoffWait:
    def __init__(self, agent: Callable[[], Any], cases: Callable[[], Any]) -> None:
        self._agent = agent  # the agent Rasa serves now
        self._cases = cases  # the handoff case repository, built on first use

    async def _tracker(self, sender_id: str) -> Optional[Any]:
        agent = self._agent()
        if agent is None:
            return None
        try:
            return await agent.tracker_store.retrieve(sender_id)
        except Exception:  # noqa: BLE001 - the message goes on to Rasa anyway
            logger.exception("could not read the tracker of %s", mask_phone(sender_id))
            return None

    async def before(self, sender_id: str, text: Optional[str]) -> Optional[str]:
        """'menú' / 'asistente' while waiting: resume the bot (and close the case)
        first; returns the text Rasa should then handle (the menu), or None."""
        if not wants_assistant(text):
            return None
        tracker = await self._tracker(sender_id)
        if tracker is None or not tracker.is_paused():
            return None
        tracker.update(ConversationResumed())
        tracker.update(ActionExecuted("action_listen"))
        await self._agent().tracker_store.save(tracker)
        await asyncio.get_running_loop().run_in_executor(None, self._close_case, sender_id)
        logger.info("%s went back to the assistant", mask_phone(sender_id))
        return SHOW_MENU

    def _close_case(self, sender_id: str) -> None:
        try:
            cases = self._cases()
            case = cases.open_case_for(sender_id)
            if case is not None:
                cases.close(case["id"], LEFT_BY_USER)
        except Exception:  # noqa: BLE001 - the user is back with the bot either way
            logger.exception("could not close the case of %s", mask_phone(sender_id))

    async def should_acknowledge(self, sender_id: str) -> bool:
        """Is this the first message since the bot was paused for a person?"""
        tracker = await self._tracker(sender_id)
        return bool(tracker and tracker.is_paused() and _messages_since_pause(tracker) == 1)
