"""A loop that runs named tasks now and then every `interval_seconds`, until told to stop.

One task failing (the database away for a moment, say) is logged and tried again at the
next round; it never ends the process. A stop request (SIGTERM, Ctrl-C) is noticed
between tasks, between a task's batches (through `stopping`) and at once during the wait.
"""
from __future__ import annotations

import logging
import select
import socket
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

logger = logging.getLogger(__name__)

# A task gets a "should I stop?" callable so long work can end between batches.
TaskFunction = Callable[[Callable[[], bool]], None]


@dataclass(frozen=True)
class Task:
    name: str
    run: TaskFunction


class StopRequest:
    """A stop flag that is safe to set from a signal handler and wakes a waiting loop.

    (threading.Event is not: its set() takes a lock the interrupted main thread may hold
    inside wait(), which would deadlock.) Setting it writes a byte to a socket pair, so
    `wait` returns at once; no lock is taken anywhere."""

    def __init__(self) -> None:
        self._flag = False
        self._reader, self._writer = socket.socketpair()
        self._writer.setblocking(False)

    def set(self) -> None:
        self._flag = True
        try:
            self._writer.send(b"\0")
        except (BlockingIOError, OSError):  # already woken, or closed
            pass

    def is_set(self) -> bool:
        return self._flag

    def wait(self, timeout: float) -> bool:
        if not self._flag:
            select.select([self._reader], [], [], timeout)
        return self._flag

    def close(self) -> None:
        self._reader.close()
        self._writer.close()


class MaintenanceLoop:
    def __init__(
        self,
        tasks: Sequence[Task],
        interval_seconds: float = 3600.0,
        stop: Optional[StopRequest] = None,
    ) -> None:
        if interval_seconds <= 0:
            raise ValueError("interval_seconds must be positive")
        self.tasks = list(tasks)
        self.interval_seconds = interval_seconds
        self.stop_request = stop or StopRequest()
        self.rounds = 0

    def stopping(self) -> bool:
        return self.stop_request.is_set()

    def stop(self) -> None:
        """Ask the loop to end; safe from a signal handler or another thread."""
        self.stop_request.set()

    def run_round(self) -> None:
        for task in self.tasks:
            if self.stopping():
                return
            try:
                task.run(self.stopping)
            except Exception:  # noqa: BLE001 - the next round may work
                logger.exception("maintenance task '%s' failed; next try in %g s",
                                 task.name, self.interval_seconds)
        self.rounds += 1

    def run(self, once: bool = False) -> None:
        """Run every task now, then every interval; return once stopped (or after one
        round with `once`)."""
        logger.info("maintenance started: %s every %g s",
                    ", ".join(task.name for task in self.tasks), self.interval_seconds)
        try:
            while not self.stopping():
                self.run_round()
                if once:
                    break
                self.stop_request.wait(self.interval_seconds)
        finally:
            self.stop_request.close()
        logger.info("maintenance stopped after %d round(s)", self.rounds)
