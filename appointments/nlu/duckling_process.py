"""Duckling in its own process.

pyduckling's native runtime (GHC + Rust) corrupts the C heap when it shares a process
with TensorFlow inside Rasa: `rasa test nlu` and a served model aborted with
"corrupted size vs. prev_size while consolidating" after a few dozen messages, while the
same parses alone, or with TensorFlow in a plain script, ran clean. So the Rasa component
talks to a small child process over a pipe (a round trip costs well under a millisecond):
a fault there cannot take the Rasa server down; the child is restarted and the message
is retried once, and if Duckling still fails the message simply gets no `time` entity.
"""
from __future__ import annotations

import logging
import multiprocessing
import threading
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any, Dict, List, Optional

logger = logging.getLogger(__name__)

REPLY_TIMEOUT_SECONDS = 5.0
START_TIMEOUT_SECONDS = 30.0


def _serve(connection: Connection, timezone: str, locale: str) -> None:
    """Child process: parse what arrives until the pipe closes."""
    from appointments.nlu.duckling_parser import SpanishTimeParser

    parser = SpanishTimeParser(timezone, locale)
    parser.parse("hoy", None)  # load Duckling's tables before saying we are ready
    connection.send("ready")
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        text, now = request
        try:
            reply: Any = parser.parse(text, datetime.fromisoformat(now) if now else None)
        except Exception as error:  # noqa: BLE001 - reported to the parent, not fatal here
            reply = error.__class__.__name__
        connection.send(reply)


class DucklingProcess:
    """Same `parse` as SpanishTimeParser, run in a child process started on first use."""

    def __init__(self, timezone: str = "America/Mexico_City", locale: str = "ES_MX") -> None:
        self.timezone = timezone
        self.locale = locale
        self._lock = threading.Lock()
        self._process: Optional[multiprocessing.process.BaseProcess] = None
        self._connection: Optional[Connection] = None

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")  # a clean child: no TensorFlow in it
        parent, child = context.Pipe()
        process = context.Process(
            target=_serve, args=(child, self.timezone, self.locale), daemon=True,
            name="duckling",
        )
        process.start()
        child.close()
        if not parent.poll(START_TIMEOUT_SECONDS) or parent.recv() != "ready":
            process.kill()
            raise RuntimeError("the Duckling process did not start")
        self._process, self._connection = process, parent

    def _stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
        if self._process is not None and self._process.is_alive():
            self._process.kill()
        self._process = self._connection = None

    def _ask(self, text: str, now: Optional[datetime]) -> List[Dict[str, Any]]:
        if self._process is None or not self._process.is_alive():
            self._stop()
            self._start()
        assert self._connection is not None
        self._connection.send((text, now.isoformat() if now else None))
        if not self._connection.poll(REPLY_TIMEOUT_SECONDS):
            raise TimeoutError("Duckling did not answer")
        reply = self._connection.recv()
        if not isinstance(reply, list):
            raise RuntimeError(f"Duckling failed: {reply}")
        return reply

    def start(self) -> "DucklingProcess":
        """Start the child now (it takes a second or two) rather than on the first message,
        which would otherwise wait for it on the server's event loop."""
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._stop()
                self._start()
        return self

    def parse(self, text: str, now: Optional[datetime] = None) -> List[Dict[str, Any]]:
        if not text or not text.strip():
            return []
        with self._lock:
            for attempt in (1, 2):
                try:
                    return self._ask(text, now)
                except (EOFError, OSError, TimeoutError, RuntimeError) as error:
                    logger.warning("Duckling attempt %d failed (%s); restarting it", attempt, error)
                    self._stop()
        return []

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                try:
                    self._connection.send(None)
                except OSError:
                    pass
            self._stop()
