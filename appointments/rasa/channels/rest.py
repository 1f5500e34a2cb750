"""Rasa's REST channel (POST /webhooks/rest/webhook), for development and tests: closed
to strangers and to WhatsApp sender ids (`rest_guard.py`), messages cut to WhatsApp's
1,600 characters, the conversation's language decided before Rasa reads the message
(`conversation_language.py`), and the same care for a user waiting for a person as the
WhatsApp channel (`handoff_wait.py`). Built by appointments/launch/channels.py."""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request

from appointments.domain.ports import HandoffCases
from appointments.rasa.channels.conversation_language import ConversationLanguage
from appointments.rasa.channels.domain_texts import DomainTexts
from appointments.rasa.channels.handoff_wait import ACKNOWLEDGEMENT, HandoffWait
from appointments.rasa.channels.limits import MAX_MESSAGE_CHARS
from appointments.rasa.channels.rest_guard import refusal
from appointments.settings import Settings


class RestInput(RasaRestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def __init__(self, settings: Settings, cases: Callable[[], HandoffCases]) -> None:
        """CASES gives the process's handoff cases (built on first use)."""
        self.settings = settings
        self._app: Optional[Sanic] = None
        self.wait = HandoffWait(self._agent, cases)
        self.texts = DomainTexts(self._agent)
        self.language = ConversationLanguage(self._agent)

    def _agent(self) -> Any:
        return getattr(self._app.ctx, "agent", None) if self._app else None

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()  # a client must not pass itself off as another channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def handle(message: UserMessage) -> None:
            if message.text:
                message.text = message.text[:MAX_MESSAGE_CHARS]
            message.text = await self.wait.before(message.sender_id, message.text) or message.text
            await self.language.tag(message)
            await on_new_message(message)
            said = getattr(message.output_channel, "messages", None)
            # a paused bot says nothing: only then is the tracker read again
            if not (isinstance(said, list) and said) and \
                    await self.wait.should_acknowledge(message.sender_id):
                text = self.texts.text(
                    ACKNOWLEDGEMENT, await self.language.current(message.sender_id))
                if text:
                    await message.output_channel.send_text_message(message.sender_id, text)

        hook = super().blueprint(handle)

        @hook.middleware("request")
        async def guard(request: Request) -> Any:
            refused = refusal(self.settings, request)
            if refused:
                status, reason = refused
                return response.json({"error": reason}, status=status)
            return None

        @hook.listener("after_server_start")
        async def remember_app(app: Sanic, *_: Any) -> None:
            self._app = app

        return hook

