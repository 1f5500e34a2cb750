"""The reminders as a maintenance task: every REMINDER_POLL_SECONDS, send what is due.

The service is async (Twilio's client is); the task keeps one event loop of its own for
the life of the process, so the HTTP session is reused between rounds. The service (and
through it the engine and schema) is built at the first run, inside the loop: a database
that is down at start is retried at the next round.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Optional

from appointments.services.reminders import FAILED, SENT, SKIPPED, ReminderService

logger = logging.getLogger("appointments.worker")


class ReminderTask:
    name = "reminders"

    def __init__(self, build: Callable[[], ReminderService],
                 close_sender: Optional[Callable[[], Any]] = None) -> None:
        self.build = build
        self.close_sender = close_sender  # an async callable: the sender's close()
        self.service: Optional[ReminderService] = None
        self.loop: Optional[asyncio.AbstractEventLoop] = None

    def __call__(self, stopping: Callable[[], bool]) -> None:
        if self.loop is None:
            self.loop = asyncio.new_event_loop()
        if self.service is None:
            self.service = self.build()
        outcomes = self.loop.run_until_complete(self.service.send_due(stopping))
        if outcomes.total:
            logger.info("reminders: %d sent, %d skipped, %d failed (to retry or given up)",
                        outcomes[SENT], outcomes[SKIPPED], outcomes[FAILED])

    def close(self) -> None:
        if self.loop is None:
            return
        try:
            if self.close_sender is not None:
                self.loop.run_until_complete(self.close_sender())
        finally:
            self.loop.close()
            self.loop = None
