"""A local stand-in for Chatwoot's application API (https://www.chatwoot.com/developers/api/)
and its webhooks, for the Chatwoot adapter's tests and the end-to-end stack.

It checks what a client sends as Chatwoot would: the `api_access_token` header (401),
the account in the path (404), the method and path, and each payload's fields and
types (422, with the reason kept in `violations`: a test asserts it stays empty). It
keeps contacts (one per phone: a second one is 422, as Chatwoot's uniqueness check),
conversations and their messages, records every request (`requests`), and can answer
with errors first (`failures`: statuses, any route). `send_webhook` posts an event to our
endpoint the way Chatwoot does: X-Chatwoot-Signature = "sha256=" + HMAC-SHA256 over
"{timestamp}.{body}" with X-Chatwoot-Timestamp and X-Chatwoot-Delivery.
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
from urllib.parse import parse_qs

from tests.fakes.helpdesk_api import Answer, FakeHelpdeskApi

TOKEN = "cw-api-token-0123456789"
ACCOUNT = "7"
INBOX = 3
WEBHOOK_SECRET = "cw-webhook-secret-0123456789"
PHONE = re.compile(r"\+[1-9][0-9]{6,14}")


class FakeChatwoot(FakeHelpdeskApi):
    product = "chatwoot"

    def __init__(self, token: str = TOKEN, account: str = ACCOUNT, inbox: int = INBOX,
                 webhook_secret: str = WEBHOOK_SECRET) -> None:
        self.token, self.account, self.inbox = token, account, inbox
        self.webhook_secret = webhook_secret
        self.contacts: Dict[int, Dict[str, Any]] = {}
        self.conversations: Dict[int, Dict[str, Any]] = {}
        super().__init__()

    def _credentials(self) -> Dict[str, str]:
        return {"CHATWOOT_ACCOUNT_ID": self.account, "CHATWOOT_INBOX_ID": str(self.inbox),
                "CHATWOOT_API_TOKEN": self.token, "CHATWOOT_WEBHOOK_SECRET": self.webhook_secret}

    # --- the API -----------------------------------------------------------------------
    def _refuse(self, why: str) -> Answer:
        self.violations.append(why)
        return 422, {"message": why}

    def _authorized(self, headers: Mapping[str, str]) -> bool:
        return headers.get("api_access_token") == self.token

    def _unauthorized(self) -> Answer:
        return 401, {"error": "Invalid Access Token"}

    def _serve(self, method: str, path: str, query: str, headers: Mapping[str, str],
               body: Any) -> Answer:
        prefix = f"/api/v1/accounts/{self.account}/"
        if not path.startswith(prefix):
            return 404, {"error": "account not found"}
        if method == "POST" and not self._is_json_object(headers, body):
            return self._refuse(f"{path}: a JSON object expected")
        return self._route(method, path[len(prefix):], query, body)

    def _route(self, method: str, path: str, query: str, body: Any) -> Answer:
        if (method, path) == ("POST", "contacts"):
            return self._create_contact(body)
        if (method, path) == ("GET", "contacts/search"):
            q = (parse_qs(query).get("q") or [""])[0]
            return 200, {"payload": [c for c in self.contacts.values() if c["phone_number"] == q]}
        match = re.fullmatch(r"contacts/(\d+)/contact_inboxes", path)
        if method == "POST" and match:
            return self._contact_inbox(int(match.group(1)), body)
        if (method, path) == ("POST", "conversations"):
            return self._create_conversation(body)
        match = re.fullmatch(r"conversations/(\d+)/(messages|toggle_status)", path)
        if method == "POST" and match:
            conversation = self.conversations.get(int(match.group(1)))
            if conversation is None:
                return 404, {"error": "conversation not found"}
            if match.group(2) == "messages":
                return self._create_message(conversation, body)
            if body.get("status") not in ("open", "resolved", "pending", "snoozed"):
                return self._refuse(f"toggle_status: bad status {body.get('status')!r}")
            conversation["status"] = body["status"]
            return 200, {"payload": {"success": True, "current_status": body["status"],
                                     "conversation_id": conversation["id"]}}
        return self._refuse(f"{method} {path}: no such route")

    def _create_contact(self, body: Dict[str, Any]) -> Answer:
        if body.get("inbox_id") != self.inbox:
            return self._refuse(f"contacts: inbox_id {body.get('inbox_id')!r}")
        if not isinstance(body.get("name"), str) or not body["name"].strip():
            return self._refuse("contacts: name missing")
        phone = body.get("phone_number")
        if not isinstance(phone, str) or not PHONE.fullmatch(phone):
            return self._refuse(f"contacts: phone_number {phone!r} is not E.164")
        if any(c["phone_number"] == phone for c in self.contacts.values()):
            return 422, {"message": "Phone number has already been taken"}
        contact_id, source_id = next(self._ids), str(uuid.uuid4())
        inbox = {"source_id": source_id, "inbox": {"id": self.inbox}}
        self.contacts[contact_id] = {"id": contact_id, "name": body["name"],
                                     "phone_number": phone, "contact_inboxes": [inbox]}
        return 200, {"payload": {"contact": self.contacts[contact_id], "contact_inbox": inbox}}

    def _contact_inbox(self, contact_id: int, body: Dict[str, Any]) -> Answer:
        contact = self.contacts.get(contact_id)
        if contact is None:
            return 404, {"error": "contact not found"}
        if body.get("inbox_id") != self.inbox:
            return self._refuse(f"contact_inboxes: inbox_id {body.get('inbox_id')!r}")
        inbox = {"source_id": str(uuid.uuid4()), "inbox": {"id": self.inbox}}
        contact["contact_inboxes"].append(inbox)
        return 200, inbox

    def _create_conversation(self, body: Dict[str, Any]) -> Answer:
        contact = self.contacts.get(body.get("contact_id"))
        if contact is None:
            return self._refuse(f"conversations: contact_id {body.get('contact_id')!r}")
        if body.get("inbox_id") != self.inbox or body.get("status") != "open":
            return self._refuse("conversations: inbox_id or status")
        if body.get("source_id") not in [i["source_id"] for i in contact["contact_inboxes"]]:
            return self._refuse("conversations: source_id is not the contact's")
        conversation_id = next(self._ids)
        self.conversations[conversation_id] = {"id": conversation_id, "status": "open",
                                               "contact_id": contact["id"], "messages": []}
        return 200, {"id": conversation_id, "inbox_id": self.inbox, "status": "open"}

    def _create_message(self, conversation: Dict[str, Any], body: Dict[str, Any]) -> Answer:
        if not isinstance(body.get("content"), str) or not body["content"].strip():
            return self._refuse("messages: content missing")
        if body.get("message_type") not in ("incoming", "outgoing"):
            return self._refuse(f"messages: message_type {body.get('message_type')!r}")
        if not isinstance(body.get("private", False), bool):
            return self._refuse("messages: private must be true or false")
        message = {"id": next(self._ids), "content": body["content"],
                   "message_type": body["message_type"], "private": body.get("private", False)}
        conversation["messages"].append(message)
        return 200, message

    # --- what a test reads --------------------------------------------------------------
    def conversation_of(self, phone: str, timeout: float = 15.0) -> Dict[str, Any]:
        """The conversation of the contact with that phone (E.164), once there is one."""
        def find() -> List[Dict[str, Any]]:
            ids = [c["id"] for c in self.contacts.values() if c["phone_number"] == phone]
            return [c for c in self.conversations.values() if c["contact_id"] in ids]
        return self._newest(find, f"no Chatwoot conversation for {phone}", timeout)

    def messages(self, conversation_id: int) -> List[Dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self.conversations[conversation_id]["messages"]]

    def wait_for_messages(self, conversation_id: int, count: int,
                          timeout: float = 15.0) -> List[Dict[str, Any]]:
        return self._at_least(lambda: self.messages(conversation_id), count, timeout)

    # --- webhooks -------------------------------------------------------------------------
    @staticmethod
    def agent_reply(conversation_id: int, text: str, agent: str = "Laura",
                    message_id: Optional[int] = None, private: bool = False) -> Dict[str, Any]:
        """A message_created event for an agent's message (as Chatwoot's webhook_data)."""
        return {"event": "message_created", "id": message_id or int(time.time() * 1000),
                "content": text, "message_type": "outgoing", "private": private,
                "content_type": "text", "created_at": "2026-11-25T16:00:00.000Z",
                "sender": {"id": 1, "name": agent, "type": "user"},
                "conversation": {"id": conversation_id, "status": "open", "inbox_id": INBOX},
                "account": {"id": int(ACCOUNT), "name": "Clínica"}}

    @staticmethod
    def status_changed(conversation_id: int, status: str = "resolved") -> Dict[str, Any]:
        return {"event": "conversation_status_changed", "id": conversation_id,
                "status": status, "inbox_id": INBOX, "updated_at": time.time(),
                "changed_attributes": [{"status": {"previous_value": "open",
                                                   "current_value": status}}]}

    def sign(self, body: bytes, timestamp: str, secret: Optional[str] = None) -> str:
        key = (secret or self.webhook_secret).encode()
        return "sha256=" + hmac.new(key, timestamp.encode() + b"." + body,
                                    hashlib.sha256).hexdigest()

    def _webhook_headers(self, raw: bytes, secret: Optional[str] = None,
                         timestamp: Optional[str] = None, signed: bool = True) -> Dict[str, str]:
        """As Chatwoot sends an event (signed unless told not to)."""
        stamp = timestamp or str(int(time.time()))
        headers = {"X-Chatwoot-Delivery": str(uuid.uuid4())}
        if signed:
            headers.update({"X-Chatwoot-Timestamp": stamp,
                            "X-Chatwoot-Signature": self.sign(raw, stamp, secret)})
        return headers
