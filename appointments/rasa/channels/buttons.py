"""What a WhatsApp user's text means to Rasa: the buttons the bot offered last (kept in
Redis, since WhatsApp shows them as a numbered list) turn "2" or the option's text into
the button's payload; a typed "/intent{...}" is plain text; media alone is a payload."""
from __future__ import annotations

import json
import logging
from typing import Any, Callable, Dict, List

from appointments.interpret.menu import button_payload
from appointments.privacy import mask_phone

logger = logging.getLogger(__name__)

BUTTONS_TTL_SECONDS = 24 * 3600
MEDIA_ONLY_PAYLOAD = "/share_media"  # a photo or audio with no text: "solo puedo leer texto"


class ButtonMemory:
    def __init__(self, redis: Callable[[], Any], prefix: str) -> None:
        self._redis = redis  # the redis.asyncio client of the running loop
        self.prefix = prefix

    def _key(self, phone: str) -> str:
        return f"{self.prefix}:buttons:{phone}"

    async def user_text(self, phone: str, body: str, has_media: bool = False) -> str:
        text = body.strip()
        try:
            raw = await self._redis().get(self._key(phone))
        except Exception:  # noqa: BLE001
            raw = None
        payload = button_payload(text, json.loads(raw)) if raw else None
        if payload:
            return payload
        if not text and has_media:
            return MEDIA_ONLY_PAYLOAD
        return text.lstrip("/")  # a typed "/intent{...}" must not steer the bot

    async def remember(self, phone: str, messages: List[Dict[str, Any]]) -> None:
        buttons = next((m["buttons"] for m in reversed(messages) if m.get("buttons")), None)
        try:
            if buttons:
                await self._redis().set(self._key(phone), json.dumps(buttons),
                                        ex=BUTTONS_TTL_SECONDS)
            else:
                await self._redis().delete(self._key(phone))
        except Exception:  # noqa: BLE001
            logger.exception("could not store the buttons offered to %s", mask_phone(phone))
