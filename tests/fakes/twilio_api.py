"""A local stand-in for Twilio's Messages API that records what the bot sent: texts
(Body) and templates (ContentSid, ContentVariables). It can answer with errors first
(`failures`: statuses, or (status, Twilio code) pairs), and hold its answer (`delay`)
after recording a message, as Twilio does when it is slow: the test of a worker killed
mid-send."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Set, Tuple, Union
from urllib.parse import parse_qs

from appointments.domain.phones import normalize_phone

Failure = Union[int, Tuple[int, int]]  # a status, or (status, Twilio error code)
DEFAULT_CODES = {429: 20429, 400: 63016}


class FakeTwilio:
    def __init__(self) -> None:
        self.sent: List[Dict[str, str]] = []
        self.failures: List[Failure] = []  # answers to give before succeeding
        self.delay = 0.0  # seconds to hold each answer, once the message is recorded
        self.requests = 0
        # "To" addresses that replied STOP to Twilio: every send fails with 21610
        self.unsubscribed: Set[str] = set()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                with fake._lock:
                    fake.requests += 1
                    if form.get("To") in fake.unsubscribed:
                        failure: Failure = (400, 21610)
                    else:
                        failure = fake.failures.pop(0) if fake.failures else 201
                    status, code = failure if isinstance(failure, tuple) else (
                        failure, DEFAULT_CODES.get(failure, 20500))
                    if status == 201:
                        fake.sent.append(form)
                        reply = {"sid": f"SM{len(fake.sent):032d}", "status": "queued"}
                    else:
                        reply = {"code": code, "message": "fake"}
                    delay = fake.delay
                if delay:
                    time.sleep(delay)
                body = json.dumps(reply).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client went away while the answer was held
                    pass

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def to(self, phone: str) -> List[str]:
        """The bodies of the texts sent to `phone` ("" for a template), whichever form of
        the number (+521 / +52) they went to."""
        with self._lock:
            return [m.get("Body", "") for m in self.sent if _same(m.get("To"), phone)]

    def to_address(self, address: str) -> List[str]:
        """The bodies sent to exactly that address (the form of the number used)."""
        with self._lock:
            return [m.get("Body", "") for m in self.sent if m.get("To") == address]

    def templates(self, phone: str) -> List[Tuple[str, Dict[str, str]]]:
        """(ContentSid, variables) of the templates sent to `phone`."""
        with self._lock:
            return [(m["ContentSid"], json.loads(m.get("ContentVariables") or "{}"))
                    for m in self.sent if _same(m.get("To"), phone) and "ContentSid" in m]

    def wait_for(self, phone: str, count: int, timeout: float = 30.0) -> List[str]:
        """The bodies sent to `phone` once there are at least `count` of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            bodies = self.to(phone)
            if len(bodies) >= count:
                return bodies
            time.sleep(0.05)
        return self.to(phone)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _same(to: object, phone: str) -> bool:
    """One person whichever form of the number was used (+521 / +52)."""
    return isinstance(to, str) and normalize_phone(to) == normalize_phone(phone)
