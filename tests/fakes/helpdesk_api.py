"""What the local fakes of the helpdesks' APIs share (chatwoot_api.py, freshdesk_api.py,
zendesk_api.py, intercom_api.py): an HTTP server on a free local port answering JSON,
every request recorded (`requests`: method, path, query, headers, JSON body), errors
answered first on demand (`failures`: statuses, any route), the credentials checked (401)
before anything else, the settings that point the project at the fake (`env()`), test
helpers that wait for what the adapter made, and a webhook posted to our endpoint with the
product's headers (or, for the adapters' tests, the same delivery as an InboundRequest:
`inbound`). Each product's fake keeps its routes, its field checks, its error
bodies and its webhook signing:

- `_authorized(headers)` and `_unauthorized()`: the credentials and the 401's body;
- `_error(message)`: the body of an error asked for through `failures`;
- `_serve(method, path, query, headers, body)`: the API itself, under the lock;
- `_credentials()`: its settings besides HELPDESK and <PRODUCT>_URL;
- `_webhook_headers(raw, **how)`: the headers a delivery carries (signed or not).
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

import requests

from appointments.domain.helpdesk import InboundRequest

Answer = Tuple[int, Any]


class FakeHelpdeskApi:
    product = ""  # what HELPDESK names
    methods: Tuple[str, ...] = ("GET", "POST")  # others: 501, as http.server answers
    first_id = 1
    empty_body: Any = {}  # what a request without a body reads as

    def __init__(self) -> None:
        self.requests: List[Dict[str, Any]] = []
        self.violations: List[str] = []
        self.failures: List[int] = []
        self._ids = itertools.count(self.first_id)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self) -> type:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, body = fake._handle(self.command, self.path, dict(self.headers), raw)
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        for method in self.methods:
            setattr(Handler, f"do_{method}", Handler._answer)
        return Handler

    def env(self) -> Dict[str, str]:
        """The settings that point the project at this fake."""
        return {"HELPDESK": self.product, f"{self.product.upper()}_URL": self.url,
                **self._credentials()}

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- the API -----------------------------------------------------------------------
    def _handle(self, method: str, target: str, headers: Dict[str, str], raw: bytes) -> Answer:
        parts = urlsplit(target)
        path = self._path(parts.path)
        try:
            body = json.loads(raw) if raw else self.empty_body
        except ValueError:
            body = None
        lower = {k.lower(): v for k, v in headers.items()}
        with self._lock:
            self.requests.append({"method": method, "path": path, "query": parts.query,
                                  "headers": headers, "json": body})
            fault = self._fault()
            if fault is not None:
                return fault
            if not self._authorized(lower):
                return self._unauthorized()
            return self._serve(method, path, parts.query, lower, body)

    def _path(self, path: str) -> str:
        return path

    def _fault(self) -> Optional[Answer]:
        """An error a test asked for, before the request is looked at."""
        if self.failures:
            return self.failures.pop(0), self._error("fake failure")
        return None

    def _is_json_object(self, headers: Mapping[str, str], body: Any) -> bool:
        return isinstance(body, dict) and "application/json" in headers.get("content-type", "")

    def _error(self, message: str) -> Any:
        return {"error": message}

    def _authorized(self, headers: Mapping[str, str]) -> bool:
        raise NotImplementedError

    def _unauthorized(self) -> Answer:
        raise NotImplementedError

    def _serve(self, method: str, path: str, query: str, headers: Mapping[str, str],
               body: Any) -> Answer:
        raise NotImplementedError

    def _credentials(self) -> Dict[str, str]:
        raise NotImplementedError

    # --- what a test reads --------------------------------------------------------------
    def _newest(self, find: Callable[[], List[Dict[str, Any]]], what: str,
                timeout: float) -> Dict[str, Any]:
        """The last of what `find` lists (under the lock), once it lists any."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = find()
                if found:
                    return json.loads(json.dumps(found[-1]))
            time.sleep(0.1)
        raise AssertionError(what)

    @staticmethod
    def _at_least(read: Callable[[], List[Any]], count: int, timeout: float) -> List[Any]:
        """What `read` gives once it has `count` items (or whatever it has at the timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(read()) < count:
            time.sleep(0.05)
        return read()

    # --- webhooks -------------------------------------------------------------------------
    def send_webhook(self, url: str, payload: Any = None, body: Optional[bytes] = None,
                     **how: Any) -> requests.Response:
        """POST an event to our endpoint as the product would: `payload` as JSON (or bytes
        as they are, or `body`), with the headers `how` asks for (signed unless told not to)."""
        raw = _raw(payload, body)
        headers = {"Content-Type": "application/json", **self._webhook_headers(raw, **how)}
        return requests.post(url, data=raw, headers=headers, timeout=20)

    def inbound(self, payload: Any = None, body: Optional[bytes] = None,
                path_secret: Optional[str] = None, **how: Any) -> InboundRequest:
        """The same delivery as our webhook endpoint hands it to the adapter (for the
        adapters' tests, without HTTP)."""
        raw = _raw(payload, body)
        return InboundRequest(self._webhook_headers(raw, **how), raw, path_secret,
                              datetime.now(timezone.utc))

    def _webhook_headers(self, raw: bytes, **how: Any) -> Dict[str, str]:
        raise NotImplementedError


def _raw(payload: Any, body: Optional[bytes]) -> bytes:
    if body is not None:
        return body
    return payload if isinstance(payload, bytes) else json.dumps(payload).encode()
