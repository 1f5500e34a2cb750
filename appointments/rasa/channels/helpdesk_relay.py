"""What a user writes while a person has the conversation also goes to the case's
conversation in the helpdesks (services/helpdesk_sync.py, `user_wrote`).

In the background on the turn's event loop: the turn (and the user's next message) never
waits for a helpdesk, and nothing raises into the channel. One phone's messages are
appended in the order they came (each waits for the one before it).
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Callable, Dict, Optional, Set

from appointments.privacy import mask_phone
from appointments.services.helpdesk_sync import HelpdeskSync

logger = logging.getLogger(__name__)


class HelpdeskRelay:
    def __init__(self, sync: Callable[[], Optional[HelpdeskSync]]) -> None:
        self._sync = sync  # the process's (built on first use), None without HELPDESK
        self._tasks: Set["asyncio.Task[None]"] = set()
        self._last: Dict[str, "asyncio.Task[None]"] = {}

    def user_wrote(self, phone: str, text: str, received_at: datetime) -> None:
        """Queue `text` (what `phone` wrote at `received_at`) for the helpdesks."""
        if not (text or "").strip():
            return
        previous = self._last.get(phone)
        task = asyncio.get_running_loop().create_task(
            self._relay(previous, phone, text, received_at))
        self._tasks.add(task)
        self._last[phone] = task

        def done(finished: "asyncio.Task[None]") -> None:
            self._tasks.discard(finished)
            if self._last.get(phone) is finished:
                del self._last[phone]

        task.add_done_callback(done)

    async def _relay(self, previous: Optional["asyncio.Task[None]"], phone: str, text: str,
                     received_at: datetime) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        try:
            sync = await asyncio.get_running_loop().run_in_executor(None, self._sync)
            if sync is not None:
                await sync.user_wrote(phone, text, received_at)
        except Exception:  # noqa: BLE001 - the message is in the log and the console
            logger.exception("message of %s not relayed to the helpdesks", mask_phone(phone))

    async def drain(self, timeout: float = 10.0) -> None:
        """Let the messages under way reach the helpdesks (shutdown)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)
