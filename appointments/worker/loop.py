"""A loop that runs named tasks now and then each at its own interval (the loop's
`interval_seconds` for a task that names none), until told to stop. Intervals are
counted on the monotonic clock from the end of a task's run, so a wall clock that jumps
changes nothing here.

One task failing (the database away for a moment, say) is logged and tried again at the
next round; it never ends the process. A stop request (SIGTERM, Ctrl-C) is noticed
between tasks, between a task's batches (through `stopping`) and at once during the wait.
"""
from __future__ import annotations

import logging
import select
import socket
import time
from dataclasses import dataclass
from typing import Callable, Dict, Optional, Sequence

logger = logging.getLogger(__name__)

# A task gets a "should I stop?" callable so long work can end between batches.
TaskFunction = Callable[[Callable[[], bool]], None]


@dataclass(frozen=True)
class Task:
    name: str
    run: TaskFunction
    interval_seconds: Optional[float] = None  # None: the loop's


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
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if interval_seconds <= 0 or any(t.interval_seconds is not None and t.interval_seconds <= 0
                                        for t in tasks):
            raise ValueError("intervals must be positive")
        self.tasks = list(tasks)
        self.interval_seconds = interval_seconds
        self.stop_request = stop or StopRequest()
        self.monotonic = monotonic
        self.rounds = 0
        self._next: Dict[str, float] = {}  # task name -> monotonic time of its next run

    def interval_of(self, task: Task) -> float:
        return task.interval_seconds or self.interval_seconds

    def stopping(self) -> bool:
        return self.stop_request.is_set()

    def stop(self) -> None:
        """Ask the loop to end; safe from a signal handler or another thread."""
        self.stop_request.set()

    def _run_task(self, task: Task) -> None:
        try:
            task.run(self.stopping)
        except Exception:  # noqa: BLE001 - the next run may work
            logger.exception("maintenance task '%s' failed; next try in %g s",
                             task.name, self.interval_of(task))
        self._next[task.name] = self.monotonic() + self.interval_of(task)

    def run_round(self) -> None:
        """Every task once, whatever its schedule."""
        for task in self.tasks:
            if self.stopping():
                return
            self._run_task(task)
        self.rounds += 1

    def run_due(self) -> float:
        """The tasks whose time has come (all of them the first time); the seconds until
        the next one is due."""
        ran = False
        for task in self.tasks:
            if self.stopping():
                break
            if self._next.get(task.name, float("-inf")) <= self.monotonic():
                self._run_task(task)
                ran = True
        self.rounds += ran
        return max(0.0, min(self._next.values(), default=0.0) - self.monotonic())

    def run(self, once: bool = False) -> None:
        """Run every task now, then each every its interval; return once stopped (or
        after one round with `once`)."""
        logger.info("maintenance started: %s", ", ".join(
            f"{task.name} every {self.interval_of(task):g} s" for task in self.tasks))
        try:
            while not self.stopping():
                if once:
                    self.run_round()
                    break
                self.stop_request.wait(self.run_due())
        finally:
            self.stop_request.close()
        logger.info("maintenance stopped after %d round(s)", self.rounds)
