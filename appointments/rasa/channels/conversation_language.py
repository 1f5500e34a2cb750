"""The language of a conversation, as both channels (REST, WhatsApp) see it.

Before Rasa reads a message, `after(sender, text)` decides the language the
conversation is in once that message is read (appointments/interpret/language.py: a
request by name switches, a long clear message in the other language switches, short
replies never do); the channel passes it as the message's metadata `language`, so
Duckling reads the dates in it and action_validate_slot_mappings stores it in the slot.
`current(sender)` is the slot's value, for what the channel says on its own.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Optional

from appointments.domain.language import DEFAULT_LANGUAGE, SLOT, known
from appointments.interpret.language import decide, needs_detector
from appointments.privacy import mask_phone

logger = logging.getLogger(__name__)
METADATA_KEY = SLOT


class ConversationLanguage:
    def __init__(self, agent: Callable[[], Any], detector: Optional[Any] = None) -> None:
        self._agent = agent  # the agent Rasa serves now
        self._detector = detector  # a LanguageDetector, built on first need

    def _detect(self, text: str) -> Any:
        if self._detector is None:
            from appointments.adapters.language_detector import LanguageDetector

            self._detector = LanguageDetector()
        return self._detector.detect(text)

    async def current(self, sender_id: str) -> str:
        agent = self._agent()
        if agent is None:
            return DEFAULT_LANGUAGE
        try:
            tracker = await agent.tracker_store.retrieve(sender_id)
        except Exception:  # noqa: BLE001 - the answer goes out in Spanish rather than not at all
            logger.exception("could not read the language of %s", mask_phone(sender_id))
            return DEFAULT_LANGUAGE
        return known(tracker.get_slot(SLOT)) if tracker is not None else DEFAULT_LANGUAGE

    async def after(self, sender_id: str, text: Optional[str]) -> str:
        current = await self.current(sender_id)
        if not needs_detector(text):
            return decide(current, text, self._detect)
        # lingua takes ~0.1 ms a message, but its first use loads its models (~0.35 s)
        return await asyncio.get_running_loop().run_in_executor(
            None, decide, current, text, self._detect)

    async def tag(self, message: Any) -> str:
        """Decide for a Rasa UserMessage and write the decision into its metadata."""
        language = await self.after(message.sender_id, message.text)
        message.metadata = {**(message.metadata or {}), METADATA_KEY: language}
        return language
