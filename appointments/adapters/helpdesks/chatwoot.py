"""Chatwoot (open source; the usual helpdesk of WhatsApp teams), both ways.

API (https://www.chatwoot.com/developers/api/), header `api_access_token`:
- create contact: POST /api/v1/accounts/{account_id}/contacts {inbox_id, name,
  phone_number} -> {"payload": {"contact": {"id"}, "contact_inbox": {"source_id"}}};
  a phone already taken answers 422: then GET .../contacts/search?q=<phone> and, when the
  contact has no inbox of ours yet, POST .../contacts/{id}/contact_inboxes {inbox_id};
- create conversation: POST /api/v1/accounts/{account_id}/conversations {source_id,
  inbox_id, contact_id, status: "open"} -> {"id"};
- create message: POST .../conversations/{id}/messages {content, message_type
  ("incoming": the user's; "outgoing"), private};
- toggle status: POST .../conversations/{id}/toggle_status {"status": "resolved"}.
Webhooks (https://www.chatwoot.com/docs/product/others/webhook-events, the account's
Settings → Integrations → Webhooks, or the API inbox's webhook URL):
- `message_created` with message_type "outgoing" and not private: an agent's reply
  (its `sender.name`); "incoming" (the user's, which we posted) and private notes (ours:
  the summary and the transcript) are ignored;
- `conversation_status_changed` with status "resolved": back to the bot.
Authentication: X-Chatwoot-Signature = "sha256=" + hex HMAC-SHA256 with the webhook
secret over "{X-Chatwoot-Timestamp}.{raw body}" (Chatwoot versions that sign; the
timestamp must be within 5 minutes), or, for versions that do not sign, the secret as the
last segment of the webhook URL (/helpdesk/chatwoot/webhook/<CHATWOOT_WEBHOOK_SECRET>).
Both compared in constant time.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Sequence

from yarl import URL

from appointments.adapters.helpdesks import texts
from appointments.adapters.helpdesks.common import (
    ApiError,
    HttpHelpdesk,
    Product,
    call,
    json_object,
    long_secret,
    require,
    same_secret,
)
from appointments.adapters.http import HttpClient
from appointments.domain.helpdesk import (
    AgentReply,
    Case,
    Event,
    HelpdeskError,
    Ignored,
    InboundRequest,
    Line,
    Resolved,
    WebhookRefused,
)
from appointments.settings_values import SettingsError

NAME = "chatwoot"
SIGNATURE_WINDOW_SECONDS = 300


@dataclass(frozen=True)
class ChatwootSettings:
    url: str  # e.g. https://app.chatwoot.com (no /api)
    account_id: str
    inbox_id: int  # an API channel inbox
    api_token: str = field(repr=False)
    webhook_secret: str = field(repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "ChatwootSettings":
        values = require(env, NAME, "CHATWOOT_URL", "CHATWOOT_ACCOUNT_ID",
                         "CHATWOOT_INBOX_ID", "CHATWOOT_API_TOKEN",
                         "CHATWOOT_WEBHOOK_SECRET")
        if not values["CHATWOOT_INBOX_ID"].isdigit():
            raise SettingsError("CHATWOOT_INBOX_ID must be the inbox's number")
        if not values["CHATWOOT_URL"].startswith(("http://", "https://")):
            raise SettingsError("CHATWOOT_URL must start with https://")
        return cls(url=values["CHATWOOT_URL"].rstrip("/"),
                   account_id=values["CHATWOOT_ACCOUNT_ID"],
                   inbox_id=int(values["CHATWOOT_INBOX_ID"]),
                   api_token=values["CHATWOOT_API_TOKEN"],
                   webhook_secret=long_secret("CHATWOOT_WEBHOOK_SECRET",
                                              values["CHATWOOT_WEBHOOK_SECRET"]))


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """X-Chatwoot-Signature of `body` sent at `timestamp` (Unix seconds, as text)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


class ChatwootHelpdesk(HttpHelpdesk):
    name = NAME
    can_close = True

    def __init__(self, settings: ChatwootSettings, console_url: Optional[str] = None,
                 http: Optional[HttpClient] = None) -> None:
        super().__init__(settings, console_url, http)
        self._headers = {"api_access_token": settings.api_token,
                         "Content-Type": "application/json"}

    def _url(self, *path: str, query: Optional[Dict[str, str]] = None) -> URL:
        url = URL(self.settings.url) / "api" / "v1" / "accounts" / self.settings.account_id
        for part in path:
            url = url / part
        return url.with_query(query) if query else url

    async def _call(self, method: str, url: URL, body: Any = None,
                    attempts: Optional[int] = None) -> Any:
        return await call(self.http, NAME, method, str(url), self._headers, body, attempts)

    # --- outbound -------------------------------------------------------------------
    async def open(self, case: Case, transcript: Sequence[Line]) -> str:
        contact_id, source_id = await self._contact(case)
        conversation = await self._call("POST", self._url("conversations"), {
            "source_id": source_id, "inbox_id": self.settings.inbox_id,
            "contact_id": contact_id, "status": "open",
        }, attempts=1)  # not repeated: a retry could make a second conversation
        ref = str((conversation or {}).get("id") or "")
        if not ref:
            raise HelpdeskError(f"{NAME}: conversation without an id", retry=True)
        await self._message(ref, texts.summary(case, self.console_url), "outgoing", True)
        await self._message(ref, texts.transcript(transcript), "outgoing", True)
        return ref

    async def _contact(self, case: Case) -> "tuple[int, str]":
        phone = texts.bare_phone(case)
        try:
            created = await self._call("POST", self._url("contacts"), {
                "inbox_id": self.settings.inbox_id, "name": texts.customer_name(case),
                "phone_number": phone,
            }, attempts=1)
        except ApiError as error:
            if error.status != 422:  # 422: the phone has a contact already
                raise
            return await self._existing_contact(phone)
        payload = (created or {}).get("payload") or created or {}
        contact = payload.get("contact") or payload
        source_id = (payload.get("contact_inbox") or {}).get("source_id")
        if not contact.get("id"):
            raise HelpdeskError(f"{NAME}: contact without an id")
        if not source_id:
            return int(contact["id"]), await self._source_for(contact)
        return int(contact["id"]), str(source_id)

    async def _existing_contact(self, phone: str) -> "tuple[int, str]":
        found = await self._call("GET", self._url("contacts", "search", query={"q": phone}))
        for contact in (found or {}).get("payload") or []:
            if contact.get("phone_number") == phone and contact.get("id"):
                return int(contact["id"]), await self._source_for(contact)
        raise HelpdeskError(f"{NAME}: contact exists but was not found", retry=True)

    async def _source_for(self, contact: Dict[str, Any]) -> str:
        for link in contact.get("contact_inboxes") or []:
            if (link.get("inbox") or {}).get("id") == self.settings.inbox_id and \
                    link.get("source_id"):
                return str(link["source_id"])
        made = await self._call("POST", self._url("contacts", str(contact["id"]),
                                                   "contact_inboxes"),
                                {"inbox_id": self.settings.inbox_id}, attempts=1)
        source_id = (made or {}).get("source_id")
        if not source_id:
            raise HelpdeskError(f"{NAME}: contact inbox without a source_id")
        return str(source_id)

    async def _message(self, ref: str, content: str, kind: str, private: bool) -> None:
        await self._call("POST", self._url("conversations", ref, "messages"), {
            "content": content, "message_type": kind, "private": private,
        }, attempts=1)

    async def append_user_message(self, ref: str, text: str, case: Case) -> None:
        await self._message(ref, text, "incoming", False)

    async def close(self, ref: str) -> None:
        await self._call("POST", self._url("conversations", ref, "toggle_status"),
                         {"status": "resolved"})

    # --- inbound --------------------------------------------------------------------
    def _authenticate(self, request: InboundRequest) -> None:
        secret = self.settings.webhook_secret
        if request.path_secret is not None:
            if not same_secret(request.path_secret, secret):
                raise WebhookRefused(403, "wrong secret in the webhook URL")
            return
        given = request.headers.get("X-Chatwoot-Signature") or ""
        stamp = (request.headers.get("X-Chatwoot-Timestamp") or "").strip()
        if not given or not stamp:
            raise WebhookRefused(401, "no signature")
        now = request.now or datetime.now(timezone.utc)
        if not stamp.isdigit() or abs(now.timestamp() - int(stamp)) > SIGNATURE_WINDOW_SECONDS:
            raise WebhookRefused(401, "timestamp missing or too old")
        if not same_secret(given.strip(), signature(secret, stamp, request.body)):
            raise WebhookRefused(403, "bad signature")

    def parse_webhook(self, request: InboundRequest) -> List[Event]:
        self._authenticate(request)
        data = json_object(request.body)
        event = data.get("event")
        if event == "message_created":
            return [_message_event(data)]
        if event == "conversation_status_changed":
            return [_status_event(data, request.headers.get("X-Chatwoot-Delivery"))]
        return [Ignored(f"event {str(event)[:40]}")]


def _ref(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip():
        raise WebhookRefused(400, "no conversation id")
    return str(value).strip()[:120]


def _message_event(data: Dict[str, Any]) -> Event:
    if data.get("message_type") not in ("outgoing", 1):
        return Ignored("not an agent's message")
    if data.get("private") is True:
        return Ignored("private note")
    conversation = data.get("conversation")
    if not isinstance(conversation, dict):
        raise WebhookRefused(400, "no conversation")
    ref = _ref(conversation.get("id"))
    content = data.get("content")
    if not isinstance(content, str) or not content.strip():
        return Ignored("no text")
    message_id = _ref(data.get("id"))
    sender = data.get("sender") if isinstance(data.get("sender"), dict) else {}
    name = sender.get("available_name") or sender.get("name") or "Agente"
    return AgentReply(ref=ref, text=content, event_id=f"message:{message_id}",
                      agent_name=str(name)[:60])


def _status_event(data: Dict[str, Any], delivery: Optional[str]) -> Event:
    if data.get("status") != "resolved":
        return Ignored("not resolved")
    ref = _ref(data.get("id"))
    moment = data.get("updated_at") or data.get("timestamp") or delivery or ""
    return Resolved(ref=ref, event_id=f"resolved:{ref}:{str(moment)[:60]}")


def build(settings: ChatwootSettings, console_url: Optional[str] = None) -> ChatwootHelpdesk:
    return ChatwootHelpdesk(settings, console_url)


PRODUCT = Product(NAME, ChatwootSettings.from_env, build)
