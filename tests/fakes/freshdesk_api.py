"""A local stand-in for Freshdesk's API v2 (https://developers.freshdesk.com/api/) and the
webhooks its automation rules send, for the Freshdesk adapter's tests and the end-to-end
stack.

It checks what a client sends as Freshdesk would: HTTP Basic auth with the API key and
"X" (401 {"code": "invalid_credentials"}), JSON content (415), the method and path (404
for an unknown ticket or route) and each payload's fields, types and values as the API
reference lists them (400 "Validation failed" with `errors`; the reason also kept in
`violations`: a test asserts it stays empty). It keeps tickets with their notes, records
every request (`requests`) and can answer with errors first (`failures`: statuses, any
route). `send_webhook` posts an automation rule's body (README, "Freshdesk") to our
endpoint with the rule's custom header, as Freshdesk's "Trigger webhook" action does.
"""
from __future__ import annotations

import base64
import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

import requests

API_KEY = "fd-api-key-0123456789abcdef"
WEBHOOK_SECRET = "fd-webhook-secret-0123456789"
SECRET_HEADER = "X-Citas-Webhook-Secret"
SOURCES = {1, 2, 3, 7, 9, 10}  # Email, Portal, Phone, Chat, Feedback Widget, Outbound Email
STATUSES = {2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}
PRIORITIES = {1, 2, 3, 4}
REQUESTER = ("requester_id", "email", "facebook_id", "phone", "twitter_id", "unique_external_id")
TICKET_FIELDS = {"name", "subject", "type", "status", "priority", "description", "responder_id",
                 "cc_emails", "custom_fields", "due_by", "email_config_id", "fr_due_by",
                 "group_id", "parent_id", "product_id", "source", "tags", "company_id",
                 "internal_agent_id", "internal_group_id", "lookup_parameter", *REQUESTER}
NOTE_FIELDS = {"body", "structured_body", "incoming", "notify_emails", "private", "user_id"}

Answer = Tuple[int, Any]


class FakeFreshdesk:
    def __init__(self, api_key: str = API_KEY, webhook_secret: str = WEBHOOK_SECRET) -> None:
        self.api_key, self.webhook_secret = api_key, webhook_secret
        self.requests: List[Dict[str, Any]] = []
        self.violations: List[str] = []
        self.failures: List[int] = []
        self.tickets: Dict[int, Dict[str, Any]] = {}
        self._ids = itertools.count(101)
        self._lock = threading.Lock()
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

            do_GET = do_POST = do_PUT = _answer  # noqa: N815 - http.server's naming

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def env(self) -> Dict[str, str]:
        """The settings that point the project at this fake."""
        return {"HELPDESK": "freshdesk", "FRESHDESK_URL": self.url,
                "FRESHDESK_API_KEY": self.api_key,
                "FRESHDESK_WEBHOOK_SECRET": self.webhook_secret}

    # --- the API -----------------------------------------------------------------------
    def _invalid(self, field: str, message: str) -> Answer:
        self.violations.append(f"{field}: {message}")
        return 400, {"description": "Validation failed",
                     "errors": [{"field": field, "message": message, "code": "invalid_value"}]}

    def _authorized(self, headers: Dict[str, str]) -> bool:
        scheme, _, encoded = (headers.get("authorization") or "").partition(" ")
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except ValueError:
            return False
        return scheme == "Basic" and user == self.api_key and password == "X"

    def _handle(self, method: str, target: str, headers: Dict[str, str], raw: bytes) -> Answer:
        path = urlsplit(target).path
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = ValueError
        with self._lock:
            self.requests.append({"method": method, "path": path, "headers": headers,
                                  "json": body if body is not ValueError else None})
            if self.failures:
                return self.failures.pop(0), {"description": "fake failure"}
            lower = {k.lower(): v for k, v in headers.items()}
            if not self._authorized(lower):
                return 401, {"code": "invalid_credentials",
                             "message": "You have to be logged in to perform this action."}
            if method in ("POST", "PUT"):
                if "application/json" not in lower.get("content-type", ""):
                    self.violations.append(f"{path}: not application/json")
                    return 415, {"code": "invalid_content_type"}
                if not isinstance(body, dict):
                    return self._invalid("body", "a JSON object expected")
            return self._route(method, path, body)

    def _route(self, method: str, path: str, body: Any) -> Answer:
        if (method, path) == ("POST", "/api/v2/tickets"):
            return self._create_ticket(body)
        match = re.fullmatch(r"/api/v2/tickets/(\d+)(/notes)?", path)
        ticket = self.tickets.get(int(match.group(1))) if match else None
        if match and ticket is None:
            return 404, None
        if match and method == "POST" and match.group(2):
            return self._create_note(ticket, body)
        if match and method == "PUT" and not match.group(2):
            return self._update_ticket(ticket, body)
        if match and method == "GET" and not match.group(2):
            return 200, ticket
        self.violations.append(f"{method} {path}: no such route")
        return 404, None

    def _create_ticket(self, body: Dict[str, Any]) -> Answer:
        unknown = set(body) - TICKET_FIELDS
        if unknown:
            return self._invalid(sorted(unknown)[0], "Unexpected/invalid field in request")
        if not any(body.get(key) for key in REQUESTER):
            return self._invalid("requester_id", "Please fill at least 1 of email, mobile, "
                                 "phone, twitter_id, unique_external_id, facebook_id fields")
        if body.get("phone") and not body.get("email") and not (body.get("name") or "").strip():
            return self._invalid("name", "It should be a/an String")
        for key in ("name", "phone", "subject", "description"):
            if key in body and not isinstance(body[key], str):
                return self._invalid(key, "It should be a/an String")
        checks = (("status", STATUSES), ("priority", PRIORITIES), ("source", SOURCES))
        for key, allowed in checks:
            if key in body and body[key] not in allowed:
                return self._invalid(key, f"It should be one of these values: {sorted(allowed)}")
        tags = body.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            return self._invalid("tags", "It should be an Array of Strings")
        ticket_id = next(self._ids)
        ticket = {"id": ticket_id, "subject": body.get("subject"), "status": body.get("status", 2),
                  "priority": body.get("priority", 1), "source": body.get("source", 2),
                  "name": body.get("name"), "phone": body.get("phone"),
                  "description": body.get("description") or "", "tags": tags, "notes": [],
                  "requester_id": 9000 + ticket_id, "created_at": "2026-11-25T16:00:00Z"}
        self.tickets[ticket_id] = ticket
        return 201, {k: v for k, v in ticket.items() if k != "notes"}

    def _create_note(self, ticket: Dict[str, Any], body: Dict[str, Any]) -> Answer:
        unknown = set(body) - NOTE_FIELDS
        if unknown:
            return self._invalid(sorted(unknown)[0], "Unexpected/invalid field in request")
        if not isinstance(body.get("body"), str) or not body["body"].strip():
            return self._invalid("body", "It should be a/an String")
        for key in ("private", "incoming"):
            if key in body and not isinstance(body[key], bool):
                return self._invalid(key, "It should be a/an Boolean")
        note = {"id": next(self._ids), "body": body["body"], "private": body.get("private", True),
                "incoming": body.get("incoming", False), "ticket_id": ticket["id"]}
        ticket["notes"].append(note)
        return 201, note

    def _update_ticket(self, ticket: Dict[str, Any], body: Dict[str, Any]) -> Answer:
        unknown = set(body) - TICKET_FIELDS
        if unknown:
            return self._invalid(sorted(unknown)[0], "Unexpected/invalid field in request")
        if "status" in body and body["status"] not in STATUSES:
            return self._invalid("status", f"It should be one of these values: {sorted(STATUSES)}")
        ticket.update({k: v for k, v in body.items() if k != "notes"})
        return 200, {k: v for k, v in ticket.items() if k != "notes"}

    # --- what a test reads --------------------------------------------------------------
    def ticket_of(self, phone: str, timeout: float = 15.0) -> Dict[str, Any]:
        """The latest ticket whose requester has that phone, once there is one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [t for t in self.tickets.values() if t["phone"] == phone]
                if found:
                    return json.loads(json.dumps(found[-1]))
            time.sleep(0.1)
        raise AssertionError(f"no Freshdesk ticket for {phone}")

    def notes(self, ticket_id: int) -> List[Dict[str, Any]]:
        with self._lock:
            return [dict(n) for n in self.tickets[ticket_id]["notes"]]

    def wait_for_notes(self, ticket_id: int, count: int,
                       timeout: float = 15.0) -> List[Dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.notes(ticket_id)) < count:
            time.sleep(0.05)
        return self.notes(ticket_id)

    # --- webhooks (the automation rules' bodies, placeholders filled in) ---------------------
    @staticmethod
    def agent_reply(ticket_id: int, html_body: str, agent: str = "Laura",
                    updated_at: Optional[str] = None,
                    triggered_event: str = "{reply_sent:sent}") -> Dict[str, Any]:
        """The "Reply is sent" rule's body: {{ticket.latest_public_comment}} renders
        "<author> : <HTML body>"; the adapter only looks in {{triggered_event}} for a
        note's "note_type" (a reply's wording there does not matter)."""
        return {"event": "agent_reply", "ticket_id": str(ticket_id),
                "triggered_event": triggered_event, "reply": f"{agent} : {html_body}",
                "agent": agent, "updated_at": updated_at or time.strftime(
                    "%a, %d %b %Y %H:%M:%S +0000", time.gmtime())}

    @staticmethod
    def status_changed(ticket_id: int, to: int = 4, previous: int = 2,
                       updated_at: Optional[str] = None) -> Dict[str, Any]:
        return {"event": "status_changed", "ticket_id": str(ticket_id),
                "triggered_event": f"{{status:{{from:{previous},to:{to}}}}}",
                "status": STATUSES.get(to, str(to)),
                "updated_at": updated_at or str(time.time())}

    def send_webhook(self, url: str, payload: Any, secret: Optional[str] = None,
                     with_header: bool = True, body: Optional[bytes] = None) -> requests.Response:
        """POST a rule's body to our endpoint with its custom header (unless told not to)."""
        raw = body if body is not None else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if with_header:
            headers[SECRET_HEADER] = secret or self.webhook_secret
        return requests.post(url, data=raw, headers=headers, timeout=20)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
