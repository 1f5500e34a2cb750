"""Custom actions run off the action server's event loop.

rasa-sdk awaits each action's `run` on its one event loop, and our actions call the
database synchronously (SQLAlchemy): one slow query or a SQLite lock wait stalled every
conversation. `ThreadedActionExecutor` runs each action call in a bounded pool of worker
threads instead, each thread with its own event loop (so async actions, like the handoff
notifiers' HTTP calls, still work); the server's loop only parses requests and awaits
results. At most `threads` actions run at once; more wait for a free thread.

Each call runs in the conversation's language (the tracker's slot `language`), so the
texts actions build in code (dates, lists) come out in it (appointments.domain.language).
"""
from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Optional

from rasa_sdk.executor import ActionExecutor

from appointments.domain.language import SLOT, use_language


class ThreadedActionExecutor(ActionExecutor):
    def __init__(self, threads: int) -> None:
        super().__init__()
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="action")
        self._local = threading.local()

    def _loop(self) -> asyncio.AbstractEventLoop:
        loop = getattr(self._local, "loop", None)
        if loop is None:
            loop = self._local.loop = asyncio.new_event_loop()
        return loop

    def _run_here(self, action_call: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        slots = (action_call.get("tracker") or {}).get("slots") or {}
        with use_language(slots.get(SLOT)):
            return self._loop().run_until_complete(ActionExecutor.run(self, action_call))

    async def run(self, action_call: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, self._run_here, action_call)


def install(threads: int) -> None:
    """Make rasa-sdk's `create_app` build this executor (it looks the class up in
    `rasa_sdk.endpoint` when it is called)."""
    import rasa_sdk.endpoint

    rasa_sdk.endpoint.ActionExecutor = lambda: ThreadedActionExecutor(threads)  # type: ignore
