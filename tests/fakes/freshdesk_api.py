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
The server, the recording, `failures`, `env()` and posting a webhook are the shared
base's (tests/fakes/helpdesk_api.py).
"""
from __future__ import annotations

import base64
import re
import time
from typing import Any, Dict, List, Mapping, Optional

from tests.fakes.helpdesk_api import Answer, FakeHelpdeskApi

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


class FakeFreshdesk(FakeHelpdeskApi):
    product = "freshdesk"
    methods = ("GET", "POST", "PUT")
    first_id = 101
    empty_body = None

    def __init__(self, api_key: str = API_KEY, webhook_secret: str = WEBHOOK_SECRET) -> None:
        self.api_key, self.webhook_secret = api_key, webhook_secret
        self.tickets: Dict[int, Dict[str, Any]] = {}
        super().__init__()

    def _credentials(self) -> Dict[str, str]:
        return {"FRESHDESK_API_KEY": self.api_key,
                "FRESHDESK_WEBHOOK_SECRET": self.webhook_secret}

    # --- the API -----------------------------------------------------------------------
    def _invalid(self, field: str, message: str) -> Answer:
        self.violations.append(f"{field}: {message}")
        return 400, {"description": "Validation failed",
                     "errors": [{"field": field, "message": message, "code": "invalid_value"}]}

    def _error(self, message: str) -> Any:
        return {"description": message}

    def _authorized(self, headers: Mapping[str, str]) -> bool:
        scheme, _, encoded = (headers.get("authorization") or "").partition(" ")
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except ValueError:
            return False
        return scheme == "Basic" and user == self.api_key and password == "X"

    def _unauthorized(self) -> Answer:
        return 401, {"code": "invalid_credentials",
                     "message": "You have to be logged in to perform this action."}

    def _serve(self, method: str, path: str, query: str, headers: Mapping[str, str],
               body: Any) -> Answer:
        if method in ("POST", "PUT"):
            if "application/json" not in headers.get("content-type", ""):
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
        return self._newest(lambda: [t for t in self.tickets.values() if t["phone"] == phone],
                            f"no Freshdesk ticket for {phone}", timeout)

    def notes(self, ticket_id: int) -> List[Dict[str, Any]]:
        with self._lock:
            return [dict(n) for n in self.tickets[ticket_id]["notes"]]

    def wait_for_notes(self, ticket_id: int, count: int,
                       timeout: float = 15.0) -> List[Dict[str, Any]]:
        return self._at_least(lambda: self.notes(ticket_id), count, timeout)

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

    def _webhook_headers(self, raw: bytes, secret: Optional[str] = None,
                         with_header: bool = True) -> Dict[str, str]:
        """A rule's custom header (unless told not to)."""
        return {SECRET_HEADER: secret or self.webhook_secret} if with_header else {}
