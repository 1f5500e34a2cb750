"""A local stand-in for Intercom's REST API 2.11 (https://developers.intercom.com/docs/
references/2.11/rest-api/api.intercom.io/) and its webhooks, for the Intercom adapter's
tests and the end-to-end stack.

It checks what a client sends as Intercom would: `Authorization: Bearer <token>` (401),
`Intercom-Version` (400 when missing or not a documented version), the method and path,
and each payload's fields and types (400, with the reason kept in `violations`: a test
asserts it stays empty). It keeps contacts (a second one with the same external_id is a
409 naming the first, as Intercom does), conversations with their parts and the user's
replies; records every request (`requests`); can answer with errors first (`failures`:
statuses, any route) and can hide new contacts from search (`search_lag`, Intercom's
creation delay). `send_webhook` posts a notification to our endpoint as Intercom does:
X-Hub-Signature = "sha1=" + HMAC-SHA1 of the body keyed with the app's client secret.
The server, the recording, `failures`, `env()` and posting a webhook are the shared
base's (tests/fakes/helpdesk_api.py).
"""
from __future__ import annotations

import hashlib
import hmac
import re
import time
import uuid
from typing import Any, Dict, List, Mapping, Optional

from tests.fakes.helpdesk_api import Answer, FakeHelpdeskApi

TOKEN = "ic-access-token-0123456789"
CLIENT_SECRET = "ic-client-secret-0123456789"
ADMIN_ID = "814860"
VERSIONS = {"2.9", "2.10", "2.11", "2.12", "2.13", "2.14"}
PHONE = re.compile(r"\+[1-9][0-9]{6,14}")


def errors(code: str, message: str) -> Dict[str, Any]:
    return {"type": "error.list", "request_id": str(uuid.uuid4()),
            "errors": [{"code": code, "message": message}]}


class FakeIntercom(FakeHelpdeskApi):
    product = "intercom"
    first_id = 1001

    def __init__(self, token: str = TOKEN, client_secret: str = CLIENT_SECRET,
                 admin_id: str = ADMIN_ID) -> None:
        self.token, self.client_secret, self.admin_id = token, client_secret, admin_id
        self.search_lag = False  # contacts made here are not found by search
        self.contacts: Dict[str, Dict[str, Any]] = {}
        self.conversations: Dict[str, Dict[str, Any]] = {}
        super().__init__()

    def _credentials(self) -> Dict[str, str]:
        return {"INTERCOM_ACCESS_TOKEN": self.token, "INTERCOM_CLIENT_SECRET": self.client_secret,
                "INTERCOM_ADMIN_ID": self.admin_id}

    def add_contact(self, phone: str, role: str = "lead", name: str = "") -> str:
        """A contact made in Intercom itself (e.g. a lead from the website's Messenger)."""
        with self._lock:
            contact_id = uuid.uuid4().hex[:24]
            self.contacts[contact_id] = {"type": "contact", "id": contact_id, "role": role,
                                         "external_id": None, "phone": phone, "name": name,
                                         "searchable": True}
            return contact_id

    # --- the API -----------------------------------------------------------------------
    def _refuse(self, why: str) -> Answer:
        self.violations.append(why)
        return 400, errors("parameter_invalid", why)

    def _error(self, message: str) -> Any:
        return errors("server_error", message)

    def _authorized(self, headers: Mapping[str, str]) -> bool:
        return headers.get("authorization") == f"Bearer {self.token}"

    def _unauthorized(self) -> Answer:
        return 401, errors("unauthorized", "Access Token Invalid")

    def _serve(self, method: str, path: str, query: str, headers: Mapping[str, str],
               body: Any) -> Answer:
        if headers.get("intercom-version") not in VERSIONS:
            return self._refuse(f"Intercom-Version {headers.get('intercom-version')!r}")
        if method == "POST" and not self._is_json_object(headers, body):
            return self._refuse(f"{path}: a JSON object expected")
        return self._route(method, path, body)

    def _route(self, method: str, path: str, body: Any) -> Answer:
        if (method, path) == ("POST", "/contacts/search"):
            return self._search(body)
        if (method, path) == ("POST", "/contacts"):
            return self._create_contact(body)
        if (method, path) == ("POST", "/conversations"):
            return self._create_conversation(body)
        match = re.fullmatch(r"/conversations/(\d+)(/reply|/parts)?", path)
        if match and (method == "GET") == (match.group(2) is None):
            conversation = self.conversations.get(match.group(1))
            if conversation is None:
                return 404, errors("not_found", "Resource Not Found")
            if match.group(2) is None:
                return 200, self._view(conversation)
            if match.group(2) == "/reply":
                return self._reply(conversation, body)
            return self._manage(conversation, body)
        return self._refuse(f"{method} {path}: no such route")

    def _search(self, body: Dict[str, Any]) -> Answer:
        query = body.get("query")
        if not isinstance(query, dict) or set(query) != {"field", "operator", "value"}:
            return self._refuse(f"contacts/search: query {query!r}")
        if query["field"] not in ("phone", "external_id", "email") or query["operator"] != "=":
            return self._refuse(f"contacts/search: {query['field']!r} {query['operator']!r}")
        if not isinstance(query["value"], str):
            return self._refuse("contacts/search: value must be a string")
        found = [self._public(c) for c in self.contacts.values()
                 if c["searchable"] and c.get(query["field"]) == query["value"]]
        return 200, {"type": "list", "data": found, "total_count": len(found),
                     "pages": {"type": "pages", "page": 1, "per_page": 50,
                               "total_pages": 1 if found else 0}}

    @staticmethod
    def _public(contact: Dict[str, Any]) -> Dict[str, Any]:
        return {k: v for k, v in contact.items() if k != "searchable"}

    def _create_contact(self, body: Dict[str, Any]) -> Answer:
        if body.get("role") not in ("user", "lead"):
            return self._refuse(f"contacts: role {body.get('role')!r}")
        external_id = body.get("external_id")
        if body["role"] == "user" and not (external_id or body.get("email")):
            return self._refuse("contacts: a user needs an email or an external_id")
        phone = body.get("phone")
        if not isinstance(phone, str) or not PHONE.fullmatch(phone):
            return self._refuse(f"contacts: phone {phone!r} is not E.164")
        if not isinstance(body.get("name"), str) or not body["name"].strip():
            return self._refuse("contacts: name missing")
        for contact in self.contacts.values():
            if external_id and contact["external_id"] == external_id:
                return 409, errors("conflict", "A contact matching those details already "
                                               f"exists with id={contact['id']}")
        contact_id = uuid.uuid4().hex[:24]
        self.contacts[contact_id] = {"type": "contact", "id": contact_id, "role": body["role"],
                                     "external_id": external_id, "phone": phone,
                                     "name": body["name"], "searchable": not self.search_lag}
        return 200, self._public(self.contacts[contact_id])

    def _create_conversation(self, body: Dict[str, Any]) -> Answer:
        sender = body.get("from")
        if not isinstance(sender, dict) or set(sender) != {"type", "id"}:
            return self._refuse(f"conversations: from {sender!r}")
        contact = self.contacts.get(sender["id"])
        if contact is None:
            return 404, errors("not_found", "User Not Found")
        if sender["type"] != contact["role"]:
            return self._refuse(f"conversations: from.type {sender['type']!r} is not the role")
        text = body.get("body")
        if not isinstance(text, str) or not text.strip() or "<p>" in text:
            return self._refuse("conversations: body must be plain text")
        conversation_id, message_id = str(next(self._ids)), str(next(self._ids))
        self.conversations[conversation_id] = {
            "id": conversation_id, "state": "open", "contact_id": contact["id"],
            "source": {"type": "conversation", "id": message_id, "body": text,
                       "author": {"type": contact["role"], "id": contact["id"]}},
            "parts": []}
        return 200, {"type": "user_message", "id": message_id, "created_at": int(time.time()),
                     "body": text, "message_type": "inapp", "conversation_id": conversation_id}

    def _view(self, conversation: Dict[str, Any]) -> Dict[str, Any]:
        parts = conversation["parts"]
        return {"type": "conversation", "id": conversation["id"],
                "state": conversation["state"], "open": conversation["state"] == "open",
                "source": conversation["source"],
                "contacts": {"type": "contact.list", "contacts": [
                    {"type": "contact", "id": conversation["contact_id"]}]},
                "conversation_parts": {"type": "conversation_part.list",
                                       "conversation_parts": parts, "total_count": len(parts)}}

    def _reply(self, conversation: Dict[str, Any], body: Dict[str, Any]) -> Answer:
        if body.get("message_type") != "comment" or body.get("type") != "user":
            return self._refuse(f"reply: {body.get('message_type')!r} as {body.get('type')!r}")
        if body.get("intercom_user_id") != conversation["contact_id"]:
            return self._refuse(f"reply: intercom_user_id {body.get('intercom_user_id')!r}")
        if not isinstance(body.get("body"), str) or not body["body"].strip():
            return self._refuse("reply: body missing")
        conversation["parts"].append({
            "type": "conversation_part", "id": str(next(self._ids)), "part_type": "comment",
            "body": body["body"], "author": {"type": "user", "id": conversation["contact_id"]}})
        conversation["state"] = "open"  # a user's reply reopens it
        return 200, self._view(conversation)

    def _manage(self, conversation: Dict[str, Any], body: Dict[str, Any]) -> Answer:
        if body.get("message_type") != "close" or body.get("type") != "admin":
            return self._refuse(f"parts: {body.get('message_type')!r} as {body.get('type')!r}")
        if body.get("admin_id") != self.admin_id:
            return 404, errors("admin_not_found", "Admin not found")
        conversation["state"] = "closed"
        conversation["parts"].append({
            "type": "conversation_part", "id": str(next(self._ids)), "part_type": "close",
            "body": body.get("body"), "author": {"type": "admin", "id": self.admin_id}})
        return 200, self._view(conversation)

    # --- what a test reads --------------------------------------------------------------
    def conversation_of(self, phone: str, timeout: float = 15.0) -> Dict[str, Any]:
        """The newest conversation of a contact with that phone (E.164), once there is one."""
        def find() -> List[Dict[str, Any]]:
            ids = [c["id"] for c in self.contacts.values() if c["phone"] == phone]
            return [c for c in self.conversations.values() if c["contact_id"] in ids]
        return self._newest(find, f"no Intercom conversation for {phone}", timeout)

    def user_replies(self, conversation_id: str) -> List[str]:
        with self._lock:
            return [p["body"] for p in self.conversations[conversation_id]["parts"]
                    if p["part_type"] == "comment" and p["author"]["type"] == "user"]

    def wait_for_replies(self, conversation_id: str, count: int,
                         timeout: float = 15.0) -> List[str]:
        return self._at_least(lambda: self.user_replies(conversation_id), count, timeout)

    # --- webhooks -------------------------------------------------------------------------
    @staticmethod
    def notification(topic: str, conversation_id: str, parts: List[Dict[str, Any]],
                     notification_id: Optional[str] = None) -> Dict[str, Any]:
        """A notification as Intercom sends it: the conversation with its new parts."""
        return {"type": "notification_event", "app_id": "a86dr8yl",
                "id": notification_id or f"notif_{uuid.uuid4()}", "topic": topic,
                "delivery_status": "pending", "delivery_attempts": 1, "delivered_at": 0,
                "first_sent_at": int(time.time()), "created_at": int(time.time()),
                "data": {"type": "notification_event_data", "item": {
                    "type": "conversation", "id": conversation_id, "state": "open",
                    "conversation_parts": {"type": "conversation_part.list",
                                           "conversation_parts": parts,
                                           "total_count": len(parts)}}}}

    @staticmethod
    def part(body: Optional[str], part_type: str = "comment", author: str = "admin",
             name: str = "Laura", part_id: Optional[str] = None) -> Dict[str, Any]:
        return {"type": "conversation_part", "id": part_id or str(uuid.uuid4().int % 10**9),
                "part_type": part_type, "body": body, "created_at": int(time.time()),
                "author": {"type": author, "id": "991", "name": name,
                           "email": "laura@clinica.example"}, "attachments": []}

    def admin_reply(self, conversation_id: str, html: str, name: str = "Laura",
                    notification_id: Optional[str] = None) -> Dict[str, Any]:
        return self.notification("conversation.admin.replied", conversation_id,
                                 [self.part(html, name=name)], notification_id)

    def admin_note(self, conversation_id: str, html: str) -> Dict[str, Any]:
        return self.notification("conversation.admin.noted", conversation_id,
                                 [self.part(html, part_type="note")])

    def admin_closed(self, conversation_id: str, html: Optional[str] = None,
                     notification_id: Optional[str] = None) -> Dict[str, Any]:
        return self.notification("conversation.admin.closed", conversation_id,
                                 [self.part(html, part_type="close")], notification_id)

    def sign(self, body: bytes, secret: Optional[str] = None) -> str:
        key = (secret or self.client_secret).encode()
        return "sha1=" + hmac.new(key, body, hashlib.sha1).hexdigest()

    def _webhook_headers(self, raw: bytes, secret: Optional[str] = None,
                         signed: bool = True) -> Dict[str, str]:
        """As Intercom sends a notification (signed unless told not to)."""
        headers = {"Accept": "application/json",
                   "User-Agent": "intercom-parrot-service-client/1.0"}
        if signed:
            headers["X-Hub-Signature"] = self.sign(raw, secret)
        return headers
