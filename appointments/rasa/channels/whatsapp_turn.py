"""One WhatsApp turn: the user's text (a numbered reply to buttons becomes the button's
payload) through Rasa, then the replies, in order.

The conversation's language is decided before Rasa reads the text
(conversation_language.py). While a person has the conversation, the first message gets
one acknowledgement and the rest are kept quietly (handoff_wait.py), and each is also
appended to the case in the helpdesks (helpdesk_relay.py). A turn that leaves the user
without an answer
(action server down, Rasa error) and did not hand over gets utter_try_again_later: Rasa
logs and swallows a failed custom action, and the user would hear nothing.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import UserMessage

from appointments.domain.handoff import utc_now
from appointments.privacy import mask_phone
from appointments.rasa.channels.buttons import ButtonMemory
from appointments.rasa.channels.handoff_wait import ACKNOWLEDGEMENT, HandoffWait
from appointments.rasa.channels.helpdesk_relay import HelpdeskRelay
from appointments.rasa.channels.limits import MAX_MESSAGE_CHARS
from appointments.rasa.channels.reminder_answers import ReminderAnswers
from appointments.rasa.channels.turns import TurnWorker
from appointments.rasa.channels.whatsapp_output import CollectingOutput
from appointments.rasa.channels.whatsapp_replies import WhatsAppReplies

logger = logging.getLogger(__name__)
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
CHANNEL = "whatsapp"


class TurnRunner:
    def __init__(self, agent: Callable[[], Any], buttons: ButtonMemory, wait: HandoffWait,
                 replies: WhatsAppReplies, turns: TurnWorker,
                 reminders: Optional[ReminderAnswers] = None,
                 relay: Optional[HelpdeskRelay] = None) -> None:
        self._agent = agent  # the agent the Rasa server serves now
        self.buttons, self.wait, self.replies, self.turns = buttons, wait, replies, turns
        self.reminders = reminders
        self.relay = relay  # what a paused user writes, to the helpdesks (HELPDESK)

    async def user_text(self, phone: str, body: str, metadata: Dict[str, Any]) -> str:
        """What Rasa reads: the answer to a reminder, else the pick of the buttons
        offered last, else the text."""
        body = body[:MAX_MESSAGE_CHARS]
        answer = await self.reminders.payload(phone, body, metadata) if self.reminders else None
        return answer or await self.buttons.user_text(phone, body, bool(metadata.get("media")))

    async def _paused(self, phone: str) -> bool:
        """Did the turn hand the conversation to a human (so silence is expected)?"""
        agent = self._agent()
        try:
            tracker = await agent.tracker_store.retrieve(phone) if agent else None
        except Exception:  # noqa: BLE001
            logger.exception("could not read the tracker of %s", mask_phone(phone))
            return False
        return bool(tracker and tracker.is_paused())

    async def run(self, on_new_message: OnNewMessage, phone: str, body: str,
                  metadata: Dict[str, Any]) -> None:
        output = CollectingOutput()
        received = utc_now()  # a case opened by this very turn does not get this message
        text = await self.user_text(phone, body, metadata)
        failed = False
        async with self.turns.slot():
            try:
                text = await self.wait.before(phone, text) or text
                message = UserMessage(text, output, phone, input_channel=CHANNEL,
                                      metadata=metadata)
                await self.replies.language.tag(message)
                await on_new_message(message)
                if not output.messages and await self.wait.should_acknowledge(phone):
                    output.messages.append(
                        {"text": await self.replies.domain_text(phone, ACKNOWLEDGEMENT)})
            except Exception:  # noqa: BLE001
                failed = True
                logger.exception("turn failed for %s", mask_phone(phone))
        if not output.messages and (failed or not await self._paused(phone)):
            logger.warning("turn of %s gave no answer; asking to try again", mask_phone(phone))
            await self.replies.send_responses(phone, ["utter_try_again_later"])
            return
        await self.buttons.remember(phone, output.messages)
        await self.replies.send_messages(phone, output.messages)
        if self.relay is not None:  # only appended where a case is open (helpdesk_sync.py)
            self.relay.user_wrote(phone, body[:MAX_MESSAGE_CHARS], received)
