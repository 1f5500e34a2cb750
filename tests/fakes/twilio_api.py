"""A local stand-in for Twilio's Messages API that records what the bot sent."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Set, Tuple, Union
from urllib.parse import parse_qs


class FakeTwilio:
    def __init__(self) -> None:
        self.sent: List[Dict[str, str]] = []
        # statuses to answer before succeeding, or (status, Twilio error code)
        self.failures: List[Union[int, Tuple[int, int]]] = []
        # "To" addresses that replied STOP to Twilio: every send fails with 21610
        self.unsubscribed: Set[str] = set()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                with fake._lock:
                    if form.get("To") in fake.unsubscribed:
                        status: Union[int, Tuple[int, int]] = (400, 21610)
                    else:
                        status = fake.failures.pop(0) if fake.failures else 201
                    status, code = status if isinstance(status, tuple) else (status, None)
                    if status == 201:
                        fake.sent.append(form)
                        reply = {"sid": f"SM{len(fake.sent):032d}", "status": "queued"}
                    else:
                        code = code or {429: 20429, 400: 63016}.get(status, 20500)
                        reply = {"code": code, "message": "fake"}
                body = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def to(self, phone: str) -> List[str]:
        with self._lock:
            return [m["Body"] for m in self.sent if m.get("To") == phone]

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
