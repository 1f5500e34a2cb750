"""The helpdesks as a maintenance task (HELPDESK set): open the cases a helpdesk that was
down did not take (with backoff), and resolve there the conversations of cases closed
here (console, "menú", idle timeout). Like the reminders, one event loop of its own for
the life of the process, and the service built at the first run."""
from __future__ import annotations

import asyncio
import logging
from typing import Callable, Optional

from appointments.services.helpdesk_sync import HelpdeskSync

logger = logging.getLogger("appointments.worker")


class HelpdeskTask:
    name = "helpdesks"

    def __init__(self, build: Callable[[], Optional[HelpdeskSync]]) -> None:
        self.build = build
        self.sync: Optional[HelpdeskSync] = None
        self.loop: Optional[asyncio.AbstractEventLoop] = None

    def __call__(self, stopping: Callable[[], bool]) -> None:
        if self.loop is None:
            self.loop = asyncio.new_event_loop()
        if self.sync is None:
            self.sync = self.build()
        if self.sync is None:
            return
        counts = self.loop.run_until_complete(self.sync.retry_due(stopping))
        closed = self.loop.run_until_complete(self.sync.close_finished(stopping))
        if counts["opened"] or counts["failed"] or closed:
            logger.info("helpdesks: %d cases opened, %d still pending or failed, %d resolved "
                        "there", counts["opened"], counts["failed"], closed)

    def close(self) -> None:
        if self.loop is None:
            return
        try:
            if self.sync is not None:
                self.loop.run_until_complete(self.sync.aclose())
        finally:
            self.loop.close()
            self.loop = None
