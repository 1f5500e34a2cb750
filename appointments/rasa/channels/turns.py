"""Conversation turns on an event loop of their own, one sender at a time, in order.

Rasa runs NLU and the policies synchronously on whichever event loop handles a message.
Run on the web server's loop, a busy bot makes every new webhook wait behind those
predictions (hundreds of milliseconds). Here turns run on a second loop in a worker
thread, so the web server's loop only checks, records and acknowledges; the two loops
share the CPU through the GIL, which switches every few milliseconds.

Ordering: a sender's turns run one at a time, in the order they were submitted. Across
replicas, the channel first puts each message in the sender's line in Redis
(sender_queue.py) and submits a turn that works that line, so the order is the line's.
Waiting for a sender's line holds nothing; `slot()` bounds how many turns run Rasa at once.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import defaultdict
from typing import Awaitable, Callable, Dict, Optional

logger = logging.getLogger(__name__)

Turn = Callable[[], Awaitable[None]]


class TurnWorker:
    def __init__(self, concurrent_turns: int = 2, name: str = "whatsapp-turns") -> None:
        self.concurrent_turns = concurrent_turns
        self.name = name
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._start_lock = threading.Lock()
        # Worker-loop state: only touched from the worker thread.
        self._locks: Dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._waiting: Dict[str, int] = defaultdict(int)
        self._turns: Optional[asyncio.Semaphore] = None
        self._in_flight: set = set()  # concurrent futures not finished yet (any thread)

    # --- lifecycle -----------------------------------------------------------------

    def start(self) -> "TurnWorker":
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                ready = threading.Event()
                self._thread = threading.Thread(
                    target=self._serve, args=(ready,), name=self.name, daemon=True
                )
                self._thread.start()
                ready.wait()
        return self

    def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._turns = asyncio.Semaphore(self.concurrent_turns)
        ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    def drain(self, timeout: float) -> int:
        """Wait (blocking) up to `timeout` s for the turns under way; returns how many
        were still unfinished."""
        deadline = time.monotonic() + timeout
        while self._in_flight and time.monotonic() < deadline:
            time.sleep(0.05)
        return len(self._in_flight)

    def stop(self, timeout: float = 10.0) -> None:
        left = self.drain(timeout)
        if left:
            logger.warning("stopping with %d WhatsApp turns unfinished", left)
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        self._thread = None

    # --- turns ---------------------------------------------------------------------

    def slot(self) -> asyncio.Semaphore:
        """Held (on the worker loop) while a turn runs Rasa: a few at a time, since
        more at once only makes each slower. Waiting for a sender's line does not hold it."""
        assert self._turns is not None, "start() first"
        return self._turns

    def submit(self, sender: str, turn: Turn) -> None:
        """Queue `turn` behind the sender's earlier ones (call before awaiting anything)."""
        self.start()
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(self._in_line(sender, turn), self._loop)
        self._in_flight.add(future)
        future.add_done_callback(self._in_flight.discard)

    async def _in_line(self, sender: str, turn: Turn) -> None:
        self._waiting[sender] += 1
        try:
            async with self._locks[sender]:  # FIFO: turns start in arrival order
                try:
                    await turn()
                except Exception:  # noqa: BLE001 - one bad turn must not stop the line
                    logger.exception("a WhatsApp turn failed")
        finally:
            self._waiting[sender] -= 1
            if not self._waiting[sender]:  # nobody behind: forget the sender's lock
                self._waiting.pop(sender, None)
                self._locks.pop(sender, None)
