"""A local stand-in for a helpdesk webhook that records every POST it receives."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List


class WebhookReceiver:
    def __init__(self) -> None:
        self.received: List[Dict[str, Any]] = []  # {path, headers, body, json}
        self.failures: List[int] = []  # statuses to answer before succeeding
        self.delay_seconds = 0.0  # how long each answer takes (a slow helpdesk)
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                try:
                    parsed = json.loads(body.decode("utf-8"))
                except ValueError:
                    parsed = None
                with receiver._lock:
                    receiver.received.append({"path": self.path, "headers": dict(self.headers),
                                              "body": body, "json": parsed})
                    status = receiver.failures.pop(0) if receiver.failures else 200
                time.sleep(receiver.delay_seconds)
                reply = json.dumps({"ok": status == 200}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def requests(self) -> List[Dict[str, Any]]:
        with self._lock:
            return list(self.received)

    def wait_for(self, count: int, timeout: float = 10.0) -> List[Dict[str, Any]]:
        """The recorded requests once there are at least `count` of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.requests) >= count:
                break
            time.sleep(0.05)
        return self.requests

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
