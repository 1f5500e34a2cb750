"""Where a WhatsApp turn's messages go: collected to be sent in order after the turn,
or straight out (messages Rasa's HTTP API makes the bot say)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Text

from rasa.core.channels.channel import OutputChannel

if TYPE_CHECKING:
    from appointments.rasa.channels.whatsapp_replies import WhatsAppReplies


class CollectingOutput(OutputChannel):
    """Keeps a turn's messages so they can be sent in order once the turn is done."""

    @classmethod
    def name(cls) -> Text:
        return "whatsapp"

    def __init__(self) -> None:
        self.messages: List[Dict[str, Any]] = []

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.messages.append(message)


class WhatsAppOutput(OutputChannel):
    """Sends straight to WhatsApp (for messages Rasa's HTTP API makes the bot say)."""

    @classmethod
    def name(cls) -> Text:
        return "whatsapp"

    def __init__(self, replies: "WhatsAppReplies") -> None:
        self.replies = replies

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        await self.replies.send_messages(recipient_id, [message])
