"""Rasa's REST channel (POST /webhooks/rest/webhook), for development and tests: closed
to strangers and to WhatsApp sender ids (`rest_guard.py`), messages cut to WhatsApp's
1,600 characters, and the same care for a user waiting for a person as the WhatsApp
channel (`handoff_wait.py`)."""
from __future__ import annotations

import threading
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request

from appointments.rasa.channels.domain_texts import DomainTexts
from appointments.rasa.channels.handoff_wait import ACKNOWLEDGEMENT, HandoffWait
from appointments.rasa.channels.limits import MAX_MESSAGE_CHARS
from appointments.rasa.channels.rest_guard import refusal
from appointments.settings import Settings


class RestInput(RasaRestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Any]) -> "RestInput":
        return cls(Settings.from_env())

    def __init__(self, settings: Optional[Settings] = None) -> None:
        self.settings = settings or Settings()
        self._app: Optional[Sanic] = None
        self._cases: Any = None
        self._lock = threading.Lock()
        self.wait = HandoffWait(self._agent, self._case_repository)
        self.texts = DomainTexts(self._agent)

    def _agent(self) -> Any:
        return getattr(self._app.ctx, "agent", None) if self._app else None

    def _case_repository(self) -> Any:
        with self._lock:
            if self._cases is None:
                from appointments.adapters.sql.database import create_database_engine
                from appointments.adapters.sql.handoffs import SqlHandoffRepository

                engine = create_database_engine(self.settings.database_url)
                self._cases = SqlHandoffRepository(engine)
            return self._cases

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()  # a client must not pass itself off as another channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def handle(message: UserMessage) -> None:
            if message.text:
                message.text = message.text[:MAX_MESSAGE_CHARS]
            message.text = await self.wait.before(message.sender_id, message.text) or message.text
            await on_new_message(message)
            said = getattr(message.output_channel, "messages", None)
            # a paused bot says nothing: only then is the tracker read again
            if not (isinstance(said, list) and said) and \
                    await self.wait.should_acknowledge(message.sender_id):
                text = self.texts.text(ACKNOWLEDGEMENT)
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

