"""A local stand-in for Zendesk Support's API (https://developer.zendesk.com/api-reference/)
and its trigger webhooks, for the Zendesk adapter's tests and the end-to-end stack.

It checks what a client sends as Zendesk would: Basic authentication with
"{email}/token:{api_token}" (401), the method and path (with or without ".json"), each
payload's fields and types (422, the reason kept in `violations`: a test asserts it stays
empty). It keeps users (create_or_update matches on external_id; a phone another user
has is refused with 422, as this fake assumes), tickets with their comments (an end user
cannot write private comments; a ticket cannot be solved without an assignee; a closed
one cannot be updated), answers a repeated Idempotency-Key with the first answer, records
every request (`requests`), and can fail first (`failures`: statuses), be `down` (503), or
do what a path asks and lose the answer (`lost[path]`: how many times; 502 instead).
The webhook side renders the trigger's JSON body (the adapter's TRIGGER_BODY, what the
README tells the business to paste) from a ticket, as Zendesk's placeholders would, and
signs it: base64(HMAC-SHA256(secret, timestamp + body)) with an ISO 8601 timestamp.
The server, the recording, `failures`, `env()` and posting a webhook are the shared
base's (tests/fakes/helpdesk_api.py).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import uuid
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional

from appointments.adapters.helpdesks.zendesk import TRIGGER_BODY
from tests.fakes.helpdesk_api import Answer, FakeHelpdeskApi

EMAIL = "integracion@clinica.example"
TOKEN = "zd-api-token-0123456789"
WEBHOOK_SECRET = "zd-signing-secret-0123456789abcdef"
AGENT = {"id": 7001, "name": "Laura", "role": "agent"}
API_USER = {"id": 7000, "name": "Integración", "role": "admin", "email": EMAIL}
PHONE = re.compile(r"\+[1-9][0-9]{6,14}")
PLACEHOLDER = re.compile(r"\{\{([a-z_.]+)\}\}")
STATUSES = ("new", "open", "pending", "hold", "solved", "closed")


class FakeZendesk(FakeHelpdeskApi):
    product = "zendesk"
    methods = ("GET", "POST", "PUT")
    first_id = 100

    def __init__(self, email: str = EMAIL, token: str = TOKEN,
                 webhook_secret: str = WEBHOOK_SECRET) -> None:
        self.email, self.token, self.webhook_secret = email, token, webhook_secret
        self.down = False
        self.lost: Dict[str, int] = {}
        self.users: Dict[int, Dict[str, Any]] = {u["id"]: dict(u) for u in (AGENT, API_USER)}
        self.tickets: Dict[int, Dict[str, Any]] = {}
        self._answers: Dict[str, Answer] = {}  # by Idempotency-Key
        super().__init__()

    def _credentials(self) -> Dict[str, str]:
        return {"ZENDESK_EMAIL": self.email, "ZENDESK_API_TOKEN": self.token,
                "ZENDESK_WEBHOOK_SECRET": self.webhook_secret}

    # --- the API -----------------------------------------------------------------------
    def _refuse(self, why: str) -> Answer:
        self.violations.append(why)
        return 422, {"error": "RecordInvalid", "description": why}

    def _path(self, path: str) -> str:
        return path[:-5] if path.endswith(".json") else path

    def _fault(self) -> Optional[Answer]:
        if self.down:
            return 503, {"error": "Service Unavailable"}
        return super()._fault()

    def _authorized(self, headers: Mapping[str, str]) -> bool:
        login = base64.b64encode(f"{self.email}/token:{self.token}".encode()).decode()
        return headers.get("authorization") == f"Basic {login}"

    def _unauthorized(self) -> Answer:
        return 401, {"error": "Couldn't authenticate you"}

    def _serve(self, method: str, path: str, query: str, headers: Mapping[str, str],
               body: Any) -> Answer:
        if method in ("POST", "PUT") and not self._is_json_object(headers, body):
            return self._refuse(f"{path}: a JSON object expected")
        key = headers.get("idempotency-key")
        if key and key in self._answers:
            return self._answers[key]
        answer = self._route(method, path, body)
        if key and 200 <= answer[0] < 300:
            self._answers[key] = answer
        if self.lost.get(path):
            self.lost[path] -= 1
            return 502, {"error": "Bad Gateway"}
        return answer

    def _route(self, method: str, path: str, body: Any) -> Answer:
        if (method, path) == ("POST", "/api/v2/users/create_or_update"):
            return self._upsert_user(body.get("user"))
        if (method, path) == ("GET", "/api/v2/users/me"):
            return 200, {"user": dict(API_USER)}
        if (method, path) == ("POST", "/api/v2/tickets"):
            return self._create_ticket(body.get("ticket"))
        match = re.fullmatch(r"/api/v2/tickets/(\d+)", path)
        if match and method in ("GET", "PUT"):
            ticket = self.tickets.get(int(match.group(1)))
            if ticket is None:
                return 404, {"error": "RecordNotFound"}
            if method == "GET":
                return 200, {"ticket": _public(ticket)}
            return self._update_ticket(ticket, body.get("ticket"))
        return self._refuse(f"{method} {path}: no such route")

    def _upsert_user(self, user: Any) -> Answer:
        if not isinstance(user, dict) or not isinstance(user.get("name"), str) \
                or not user["name"].strip():
            return self._refuse("users: name missing")
        if not isinstance(user.get("external_id"), str) or not user["external_id"]:
            return self._refuse("users: external_id missing (nothing to match on)")
        if user.get("role", "end-user") != "end-user":
            return self._refuse(f"users: role {user.get('role')!r}")
        phone = user.get("phone")
        if phone is not None and not (isinstance(phone, str) and PHONE.fullmatch(phone)):
            return self._refuse(f"users: phone {phone!r} is not E.164")
        found = [u for u in self.users.values()
                 if (u.get("external_id") or "").lower() == user["external_id"].lower()]
        if phone and any(u.get("phone") == phone for u in self.users.values()
                         if u not in found):
            return 422, {"error": "RecordInvalid", "details": {"phone": ["is already taken"]}}
        if found:
            found[0].update({k: v for k, v in user.items() if k in ("name", "phone")})
            return 200, {"user": dict(found[0])}
        new = {"id": next(self._ids), "role": "end-user", "name": user["name"],
               "phone": phone, "external_id": user["external_id"]}
        self.users[new["id"]] = new
        return 201, {"user": dict(new)}

    def _create_ticket(self, ticket: Any) -> Answer:
        if not isinstance(ticket, dict):
            return self._refuse("tickets: a ticket object expected")
        comment = ticket.get("comment")
        if not isinstance(ticket.get("subject"), str) or not ticket["subject"].strip() \
                or len(ticket["subject"]) > 150:
            return self._refuse("tickets: subject missing or too long")
        if not isinstance(comment, dict) or not isinstance(comment.get("body"), str) \
                or not comment["body"].strip() or not isinstance(comment.get("public"), bool):
            return self._refuse("tickets: comment {body, public} expected")
        if ticket.get("requester_id") not in self.users:
            return self._refuse(f"tickets: requester_id {ticket.get('requester_id')!r}")
        tags = ticket.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) and t and " " not in t
                                                 for t in tags):
            return self._refuse(f"tickets: tags {tags!r}")
        new = {"id": next(self._ids), "subject": ticket["subject"], "status": "new",
               "requester_id": ticket["requester_id"], "assignee_id": None, "tags": tags,
               "external_id": ticket.get("external_id"), "updated_at": _now(),
               "comments": [{"id": next(self._ids), "body": comment["body"],
                             "public": comment["public"], "author_id": API_USER["id"]}]}
        self.tickets[new["id"]] = new
        return 201, {"ticket": _public(new)}

    def _update_ticket(self, ticket: Dict[str, Any], change: Any) -> Answer:
        if not isinstance(change, dict) or not change:
            return self._refuse("tickets: a ticket object expected")
        if ticket["status"] == "closed":
            return 422, {"error": "RecordInvalid", "description": "closed ticket"}
        comment = change.get("comment")
        if comment is not None:
            author = self.users.get(comment.get("author_id", API_USER["id"]))
            if author is None or not isinstance(comment.get("body"), str) \
                    or not comment["body"].strip() or not isinstance(comment.get("public"), bool):
                return self._refuse("tickets: comment {body, public, author_id} expected")
            if author["role"] == "end-user" and not comment["public"]:
                return self._refuse("tickets: an end user cannot write a private comment")
            ticket["comments"].append({"id": next(self._ids), "body": comment["body"],
                                       "public": comment["public"], "author_id": author["id"]})
            if author["role"] == "end-user" and ticket["status"] in ("pending", "solved"):
                ticket["status"] = "open"
        if "assignee_id" in change:
            if change["assignee_id"] not in (AGENT["id"], API_USER["id"]):
                return self._refuse(f"tickets: assignee_id {change['assignee_id']!r}")
            ticket["assignee_id"] = change["assignee_id"]
        if "status" in change:
            if change["status"] not in STATUSES[1:]:
                return self._refuse(f"tickets: status {change['status']!r}")
            if change["status"] == "solved" and ticket["assignee_id"] is None:
                return 422, {"error": "RecordInvalid",
                             "details": {"assignee": ["is required when solving"]}}
            ticket["status"] = change["status"]
        ticket["updated_at"] = _now()
        return 200, {"ticket": _public(ticket)}

    # --- what a test reads and does as an agent -----------------------------------------
    def ticket_of(self, phone: str, timeout: float = 15.0) -> Dict[str, Any]:
        """The newest ticket of the requester with that phone (E.164), once there is one."""
        def find() -> List[Dict[str, Any]]:
            ids = [u["id"] for u in self.users.values()
                   if u.get("external_id") == f"whatsapp:{phone}"]
            return [t for t in self.tickets.values() if t["requester_id"] in ids]
        return self._newest(find, f"no Zendesk ticket for {phone}", timeout)

    def comments(self, ticket_id: int) -> List[Dict[str, Any]]:
        with self._lock:
            return [dict(c) for c in self.tickets[ticket_id]["comments"]]

    def wait_for_comments(self, ticket_id: int, count: int,
                          timeout: float = 15.0) -> List[Dict[str, Any]]:
        return self._at_least(lambda: self.comments(ticket_id), count, timeout)

    def agent_comment(self, ticket_id: int, text: str, public: bool = True,
                      solve: bool = False, author: Dict[str, Any] = AGENT) -> bytes:
        """An agent comments (and maybe solves) in Zendesk: the trigger's body."""
        with self._lock:
            ticket = self.tickets[ticket_id]
            ticket["comments"].append({"id": next(self._ids), "body": text, "public": public,
                                       "author_id": author["id"]})
            ticket["assignee_id"] = ticket["assignee_id"] or AGENT["id"]
            ticket["status"] = "solved" if solve else "open"
            ticket["updated_at"] = _now()
        return self.render(ticket_id)

    def solve(self, ticket_id: int) -> bytes:
        """An agent solves the ticket without a comment: the trigger's body."""
        with self._lock:
            ticket = self.tickets[ticket_id]
            ticket.update(status="solved", assignee_id=ticket["assignee_id"] or AGENT["id"],
                          updated_at=_now())
        return self.render(ticket_id)

    def render(self, ticket_id: int, template: str = TRIGGER_BODY) -> bytes:
        """The trigger's JSON body for the ticket as it is now (placeholder values
        JSON-escaped inside their quotes)."""
        with self._lock:
            ticket = self.tickets[ticket_id]
            latest = ticket["comments"][-1]
            values = {
                "ticket.id": ticket["id"], "ticket.status": ticket["status"].capitalize(),
                "ticket.updated_at_with_timestamp": ticket["updated_at"],
                "ticket.requester.id": ticket["requester_id"],
                "ticket.latest_comment.id": latest["id"],
                "ticket.latest_comment.is_public": str(latest["public"]).lower(),
                "ticket.latest_comment.author.id": latest["author_id"],
                "ticket.latest_comment.author.name": self.users[latest["author_id"]]["name"],
                "ticket.latest_comment.value": latest["body"],
            }
        return PLACEHOLDER.sub(lambda m: json.dumps(str(values[m.group(1)]))[1:-1],
                               template).encode()

    def sign(self, body: bytes, timestamp: str, secret: Optional[str] = None) -> str:
        key = (secret or self.webhook_secret).encode()
        return base64.b64encode(hmac.new(key, timestamp.encode() + body,
                                         hashlib.sha256).digest()).decode()

    def _webhook_headers(self, raw: bytes, secret: Optional[str] = None,
                         timestamp: Optional[str] = None, signed: bool = True) -> Dict[str, str]:
        """As Zendesk sends a trigger's body (signed unless told not to)."""
        stamp = timestamp or _now()
        headers = {"X-Zendesk-Account-Id": "123456",
                   "X-Zendesk-Webhook-Id": "01F1KRFQ6BG29CNWFR60NK5FNY",
                   "X-Zendesk-Webhook-Invocation-Id": str(uuid.uuid4().int)[:10]}
        if signed:
            headers.update({"X-Zendesk-Webhook-Signature-Timestamp": stamp,
                            "X-Zendesk-Webhook-Signature": self.sign(raw, stamp, secret)})
        return headers


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _public(ticket: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in ticket.items() if k != "comments"}
