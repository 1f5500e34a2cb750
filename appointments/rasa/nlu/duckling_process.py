"""Duckling in its own process.

pyduckling's native runtime (GHC + Rust) corrupts the C heap when it shares a process
with TensorFlow inside Rasa: `rasa test nlu` and a served model aborted with
"corrupted size vs. prev_size while consolidating" after a few dozen messages, while the
same parses alone, or with TensorFlow in a plain script, ran clean. So the Rasa component
talks to a small child process over pipes (a round trip costs well under a millisecond):
a fault there cannot take the Rasa server down; the child is restarted and the message
is retried once, and if Duckling still fails the message simply gets no `time` entity.
"""
from __future__ import annotations

import json
import logging
import os
import select
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional

logger = logging.getLogger(__name__)

# A parse takes milliseconds: duckling_guard keeps what Duckling reads small. Past this
# (a chain of time words the guard did not foresee), the message gets no date rather
# than holding Rasa's event loop: the child is replaced, in the background.
REPLY_TIMEOUT_SECONDS = 1.5
MEMORY_LIMIT_BYTES = 1536 * 2**20  # a runaway parse ends here, not in the OOM killer
START_TIMEOUT_SECONDS = 30.0
PROJECT_ROOT = Path(__file__).resolve().parents[3]


def serve(timezone: str, locale: str) -> None:
    """Child process: one JSON request per line on stdin, one JSON reply per line on
    stdout (a list of entities, or {"error": name}), until stdin closes."""
    import resource

    from appointments.rasa.nlu.duckling_parser import SpanishTimeParser

    resource.setrlimit(resource.RLIMIT_DATA, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    out = sys.stdout
    parser = SpanishTimeParser(timezone, locale)
    parser.parse("hoy", None)  # load Duckling's tables before saying we are ready
    out.write('"ready"\n')
    out.flush()
    for line in sys.stdin:
        text, now, language = json.loads(line)
        try:
            reply: Any = parser.parse(
                text, datetime.fromisoformat(now) if now else None, language)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # noqa: BLE001 - pyo3's PanicException included
            reply = {"error": error.__class__.__name__}
        out.write(json.dumps(reply) + "\n")  # ASCII-only: one line whatever the text
        out.flush()


class ParseFailed(Exception):
    """Duckling raised on this text: a fact about the text, not about the child."""


class DucklingProcess:
    """Same `parse` as SpanishTimeParser, run in a child process started on first use.

    A plain subprocess (not multiprocessing): Sanic's workers (SANIC_WORKERS > 1) are
    daemonic processes, which multiprocessing forbids to have children."""

    def __init__(self, timezone: str = "America/Mexico_City", locale: str = "ES_MX") -> None:
        self.timezone = timezone
        self.locale = locale
        self._lock = threading.Lock()
        self._process: Optional[subprocess.Popen] = None
        self._closed = False

    def _start(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
        process = subprocess.Popen(
            [sys.executable, "-m", "appointments.rasa.nlu.duckling_process", self.timezone, self.locale],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=PROJECT_ROOT, env=env,
        )
        self._process = process
        if self._read(START_TIMEOUT_SECONDS) != "ready":
            self._stop()
            raise RuntimeError("the Duckling process did not start")

    def _read(self, timeout: float) -> Any:
        assert self._process is not None and self._process.stdout is not None
        ready, _, _ = select.select([self._process.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError("Duckling did not answer")
        line = self._process.stdout.readline()
        if not line:
            raise EOFError("the Duckling process exited")
        return json.loads(line)

    def _stop(self) -> None:
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait()
            for stream in (self._process.stdin, self._process.stdout):
                if stream is not None:
                    stream.close()
        self._process = None

    def _ask(self, text: str, now: Optional[datetime],
             language: Optional[str] = None) -> List[Dict[str, Any]]:
        if self._process is None or self._process.poll() is not None:
            self._stop()
            self._start()
        assert self._process is not None and self._process.stdin is not None
        # A lone surrogate (possible from JSON input) cannot cross to Duckling: "?" keeps
        # every other character at its offset.
        text = text.encode("utf-8", "replace").decode("utf-8")
        request = json.dumps([text, now.isoformat() if now else None, language]) + "\n"
        self._process.stdin.write(request.encode("ascii"))
        self._process.stdin.flush()
        reply = self._read(REPLY_TIMEOUT_SECONDS)
        if isinstance(reply, dict):
            raise ParseFailed(reply.get("error"))
        if not isinstance(reply, list):
            raise RuntimeError(f"Duckling answered {reply!r}")
        return reply

    def start(self) -> "DucklingProcess":
        """Start the child now (it takes a second or two) rather than on the first message,
        which would otherwise wait for it on the server's event loop."""
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._stop()
                self._start()
        return self

    def parse(self, text: str, now: Optional[datetime] = None,
              language: Optional[str] = None) -> List[Dict[str, Any]]:
        """Entities of TEXT read in LANGUAGE ("en" English, else Spanish)."""
        if not text or not text.strip():
            return []
        # Never wait long for the child: it may be starting again after a timeout.
        if not self._lock.acquire(timeout=REPLY_TIMEOUT_SECONDS):
            logger.warning("Duckling is busy (restarting); a message gets no date")
            return []
        try:
            return self._parse(text, now, language)
        finally:
            self._lock.release()

    def _parse(self, text: str, now: Optional[datetime],
               language: Optional[str]) -> List[Dict[str, Any]]:
        for attempt in (1, 2):
            try:
                return self._ask(text, now, language)
            except ParseFailed as error:
                logger.warning("Duckling could not parse a message (%s)", error)
                return []
            except TimeoutError:
                # The text is at fault, not the child: trying again would only wait
                # as long once more. The child is replaced; the message has no date.
                logger.warning("Duckling gave up on a %d-character message", len(text))
                self._stop()
                threading.Thread(target=self._restart, daemon=True).start()
                return []
            except (EOFError, OSError, TimeoutError, RuntimeError, ValueError) as error:
                logger.warning("Duckling attempt %d failed (%s); restarting it", attempt, error)
                self._stop()
        return []

    def _restart(self) -> None:
        """A new child for the next message, started while nobody waits for it."""
        with self._lock:
            if self._closed or self._process is not None:
                return
            try:
                self._start()
            except (OSError, RuntimeError, TimeoutError, EOFError, ValueError) as error:
                self._stop()
                logger.warning("Duckling did not restart (%s); the next message retries", error)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            if self._process is not None and self._process.stdin is not None:
                try:
                    self._process.stdin.close()  # the child's loop ends
                    self._process.wait(timeout=2)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            self._stop()


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2])
