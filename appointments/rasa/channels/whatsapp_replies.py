"""What the WhatsApp channel sends: a turn's replies in order, split to Twilio's limit,
each part logged; texts the channel says on its own come from the domain, in the
conversation's language."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Dict, List, Optional

from appointments.domain.messages import OUTBOUND, split
from appointments.domain.ports import MessageLog, MessageSender
from appointments.rasa.channels.conversation_language import ConversationLanguage
from appointments.rasa.channels.domain_texts import DomainTexts
from appointments.rasa.channels.rendering import render

logger = logging.getLogger(__name__)


class WhatsAppReplies:
    def __init__(self, sender: Callable[[], MessageSender], log: Callable[[], MessageLog],
                 texts: DomainTexts, language: ConversationLanguage) -> None:
        self._sender = sender
        self._log = log  # built on first use
        self.texts = texts
        self.language = language

    async def domain_text(self, phone: str, response_name: str) -> Optional[str]:
        """A response's text in the language of `phone`'s conversation."""
        return self.texts.text(response_name, await self.language.current(phone))

    async def log(self, **record: Any) -> None:
        """One row of the message log, off the event loop; a failed write is logged and
        the conversation goes on."""
        try:
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: self._log().record(**record))
        except Exception:  # noqa: BLE001
            logger.exception("message log write failed")

    async def send_texts(self, phone: str, texts: List[Optional[str]]) -> None:
        await self.send_messages(phone, [{"text": text} for text in texts if text])

    async def send_responses(self, phone: str, names: List[str]) -> None:
        await self.send_texts(phone, [await self.domain_text(phone, name) for name in names])

    async def send_messages(self, phone: str, messages: List[Dict[str, Any]]) -> None:
        """Send in order, one after the other, and log each part."""
        for message in messages:
            for chunk in split(render(message)):
                result = await self._sender().send(phone, chunk)
                await self.log(
                    direction=OUTBOUND, phone=phone, body=chunk, status=result.status,
                    message_sid=result.sid, error=result.error,
                )
