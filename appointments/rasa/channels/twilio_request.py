"""Reading what Twilio posts, and a helper for clients bound to one event loop."""
from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict, Generic, TypeVar
from urllib.parse import parse_qsl

from sanic.request import Request

T = TypeVar("T")


class PerLoop(Generic[T]):
    """One instance per event loop: redis.asyncio connections belong to the loop that
    made them, and the WhatsApp channel runs on two loops (outbound HTTP has its own
    per-loop sessions in appointments/adapters/http.py)."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self.factory = factory
        self._items: Dict[asyncio.AbstractEventLoop, T] = {}

    def get(self) -> T:
        loop = asyncio.get_running_loop()
        if loop not in self._items:
            self._items[loop] = self.factory()
        return self._items[loop]


def form_params(request: Request) -> Dict[str, str]:
    """The posted form, blank values included: Twilio signs "Body=" of a photo-only
    message too, and Sanic's parsed form would drop it."""
    try:
        return dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return {}


def media_count(params: Dict[str, str]) -> int:
    """NumMedia as Twilio sends it (0-10); anything malformed counts as none."""
    raw = params.get("NumMedia") or "0"
    return min(int(raw), 10) if raw.isascii() and raw.isdigit() else 0  # "²".isdigit()


def message_metadata(params: Dict[str, str]) -> Dict[str, Any]:
    """What Rasa gets as the message's metadata: profile, location, sid, the
    quick-reply button pressed, and media."""
    metadata: Dict[str, Any] = {
        key: params[key]
        for key in ("ProfileName", "WaId", "Latitude", "Longitude", "MessageSid",
                    "ButtonPayload")  # ButtonPayload: a template's quick-reply id
        if params.get(key)
    }
    metadata["media"] = [
        {"url": params.get(f"MediaUrl{i}", ""),
         "content_type": params.get(f"MediaContentType{i}", "")}
        for i in range(media_count(params))
    ]
    return metadata
