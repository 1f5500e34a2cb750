"""Intercom, both ways: the case is a conversation started by the customer's contact.

REST API 2.11, headers `Authorization: Bearer <access token>`, `Intercom-Version: 2.11`
(https://developers.intercom.com/docs/references/2.11/rest-api/api.intercom.io/<tag>/<op>):
- contacts/searchcontacts: POST /contacts/search {"query": {"field": "phone", "operator":
  "=", "value": "+52..."}} -> {"type": "list", "data": [{"id", "role"}]}; a contact made
  minutes ago may not be found yet (the docs' "contact creation delay");
- contacts/createcontact (and .../2.1/rest-api/contacts/create-contact): POST /contacts
  {role: "user", external_id, phone, name} -> {"id"}; a user needs an email or an
  external_id (ours: "whatsapp:+52..."); one that exists answers 409 "A contact matching
  those details already exists with id=<id>": that one is used;
- conversations/createconversation: POST /conversations {"from": {"type": "user"|"lead",
  "id"}, "body": <plain text: the summary and the transcript>} -> {"type": "user_message",
  "id", "conversation_id"};
- conversations/retrieveconversation: GET /conversations/{id} -> {"contacts": {"contacts":
  [{"id"}]}} (whose reply to post, when this process did not open it);
- conversations/replyconversation: POST /conversations/{id}/reply {"message_type":
  "comment", "type": "user", "intercom_user_id", "body"}: what the user writes later;
- conversations/manageconversation: POST /conversations/{id}/parts {"message_type":
  "close", "type": "admin", "admin_id"}: needs an admin (INTERCOM_ADMIN_ID; without it
  the conversation stays open there: can_close is False).
Webhooks (https://developers.intercom.com/docs/webhooks/setting-up-webhooks, .../2.11/
webhooks/webhook-models): {"type": "notification_event", "id": "notif_...", "topic", "data":
{"item": <the conversation, its new parts in conversation_parts.conversation_parts[]>}}:
- `conversation.admin.replied`: parts with part_type "comment" by an author of type
  "admin" are agents' replies (HTML, sent as plain text); notes (part_type "note"), the
  user's own replies (ours) and bots' parts are not;
- `conversation.admin.closed`: back to the bot (a closing message, if any, goes first).
Signed notifications (https://developers.intercom.com/intercom-api-reference/v1.0/
reference/signed-notifications): X-Hub-Signature = "sha1=" + hex HMAC-SHA1 of the raw
body keyed with the app's client secret, compared in constant time; Intercom signs every
notification, so no secret path. The notification's `id` makes a replay do nothing. The
webhook URL answers HEAD (Intercom checks it with one when it is saved).
"""
from __future__ import annotations

import hashlib
import hmac
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence
from urllib.parse import quote

from appointments.adapters.helpdesks import texts
from appointments.adapters.helpdesks.common import (
    ApiError, HttpHelpdesk, Product, call, json_object, long_secret, require, same_secret,
)
from appointments.adapters.helpdesks.html_text import plain_text
from appointments.adapters.http import HttpClient, RequestFailed
from appointments.domain.helpdesk import (
    AgentReply, Case, Event, HelpdeskError, Ignored, InboundRequest, Line, Resolved,
    WebhookRefused,
)
from appointments.settings_values import SettingsError

NAME = "intercom"
DEFAULT_URL = "https://api.intercom.io"
API_VERSION = "2.11"
REPLIED, CLOSED = "conversation.admin.replied", "conversation.admin.closed"
EXISTING_ID = re.compile(r"\bid=([A-Za-z0-9_-]{1,64})")
KNOWN_CONTACTS = 500  # conversation -> contact, per process


@dataclass(frozen=True)
class IntercomSettings:
    url: str  # https://api.intercom.io (or the EU/AU region's host)
    access_token: str = field(repr=False)
    client_secret: str = field(repr=False)  # the app's, signs the webhooks
    admin_id: Optional[str] = None  # who closes conversations given back to the bot

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "IntercomSettings":
        values = require(env, NAME, "INTERCOM_ACCESS_TOKEN", "INTERCOM_CLIENT_SECRET")
        url = (env.get("INTERCOM_URL") or "").strip() or DEFAULT_URL
        if not url.startswith(("http://", "https://")):
            raise SettingsError("INTERCOM_URL must start with https://")
        admin_id = (env.get("INTERCOM_ADMIN_ID") or "").strip() or None
        if admin_id is not None and not admin_id.isdigit():
            raise SettingsError("INTERCOM_ADMIN_ID must be the admin's number")
        return cls(url=url.rstrip("/"), access_token=values["INTERCOM_ACCESS_TOKEN"],
                   client_secret=long_secret("INTERCOM_CLIENT_SECRET",
                                             values["INTERCOM_CLIENT_SECRET"]),
                   admin_id=admin_id)


def signature(secret: str, body: bytes) -> str:
    """X-Hub-Signature of `body`."""
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


class IntercomHelpdesk(HttpHelpdesk):
    name = NAME

    def __init__(self, settings: IntercomSettings, console_url: Optional[str] = None,
                 http: Optional[HttpClient] = None) -> None:
        super().__init__(settings, console_url, http)
        self.can_close = settings.admin_id is not None
        self._contacts: "OrderedDict[str, str]" = OrderedDict()  # conversation -> contact
        self._headers = {"Authorization": f"Bearer {settings.access_token}",
                         "Intercom-Version": API_VERSION, "Accept": "application/json",
                         "Content-Type": "application/json"}

    async def _call(self, method: str, path: str, body: Any = None,
                    attempts: Optional[int] = None) -> Any:
        url = f"{self.settings.url}/{path}"
        data = await call(self.http, NAME, method, url, self._headers, body, attempts)
        return data if isinstance(data, dict) else {}

    # --- outbound -------------------------------------------------------------------
    async def open(self, case: Case, transcript: Sequence[Line]) -> str:
        contact_id, role = await self._contact(case)
        body = texts.summary(case, self.console_url) + "\n\n" + texts.transcript(transcript)
        message = await self._call("POST", "conversations", {
            "from": {"type": role, "id": contact_id}, "body": body,
        }, attempts=1)  # not repeated: a retry could make a second conversation
        ref = str(message.get("conversation_id") or "")
        if not ref:
            raise HelpdeskError(f"{NAME}: conversation without an id", retry=True)
        self._remember(ref, contact_id)
        return ref

    async def _contact(self, case: Case) -> "tuple[str, str]":
        """The contact with the case's phone (a user before a lead), or a new user."""
        phone = texts.bare_phone(case)
        found = await self._call("POST", "contacts/search", {
            "query": {"field": "phone", "operator": "=", "value": phone}})
        contacts = [c for c in found.get("data") or [] if isinstance(c, dict) and c.get("id")]
        contacts.sort(key=lambda c: c.get("role") != "user")
        if contacts:
            role = contacts[0].get("role")
            return str(contacts[0]["id"]), role if role in ("user", "lead") else "user"
        return await self._new_contact(case, phone), "user"

    async def _new_contact(self, case: Case, phone: str) -> str:
        what = f"{NAME} POST"
        contact = {"role": "user", "external_id": f"whatsapp:{phone}", "phone": phone,
                   "name": texts.customer_name(case)}
        try:  # not repeated blindly (and here, not through `call`: a 409 has the answer)
            reply = await self.http.request("POST", f"{self.settings.url}/contacts",
                                            headers=self._headers, json_body=contact,
                                            attempts=1)
        except RequestFailed as failure:
            raise HelpdeskError(f"{what}: {failure}") from None
        data = reply.data if isinstance(reply.data, dict) else {}
        if reply.ok and data.get("id"):
            return str(data["id"])
        if reply.status == 409:  # made before, not searchable yet: its id is in the error
            for error in data.get("errors") or []:
                match = EXISTING_ID.search(str(error.get("message") or "")) \
                    if isinstance(error, dict) else None
                if match:
                    return match.group(1)
            raise HelpdeskError(f"{what}: HTTP 409 naming no contact", retry=True)
        if reply.ok:
            raise HelpdeskError(f"{what}: contact without an id")
        raise ApiError(f"{what}: HTTP {reply.status}", reply.status)

    def _remember(self, ref: str, contact_id: str) -> None:
        self._contacts[ref] = contact_id
        if len(self._contacts) > KNOWN_CONTACTS:
            self._contacts.popitem(last=False)

    async def _contact_of(self, ref: str) -> str:
        if ref in self._contacts:
            return self._contacts[ref]
        conversation = await self._call("GET", f"conversations/{quote(ref, safe='')}")
        contacts = conversation.get("contacts")
        listed = contacts.get("contacts") if isinstance(contacts, dict) else None
        ids = [str(c["id"]) for c in listed or [] if isinstance(c, dict) and c.get("id")]
        if not ids:
            raise HelpdeskError(f"{NAME}: conversation without a contact", retry=False)
        self._remember(ref, ids[0])
        return ids[0]

    async def append_user_message(self, ref: str, text: str, case: Case) -> None:
        await self._call("POST", f"conversations/{quote(ref, safe='')}/reply", {
            "message_type": "comment", "type": "user",
            "intercom_user_id": await self._contact_of(ref), "body": text,
        }, attempts=1)

    async def close(self, ref: str) -> None:
        if self.settings.admin_id is None:
            return
        await self._call("POST", f"conversations/{quote(ref, safe='')}/parts", {
            "message_type": "close", "type": "admin", "admin_id": self.settings.admin_id})

    # --- inbound --------------------------------------------------------------------
    def _authenticate(self, request: InboundRequest) -> None:
        if request.path_secret is not None:
            raise WebhookRefused(403, "Intercom signs: no secret in the URL")
        given = (request.headers.get("X-Hub-Signature") or "").strip()
        if not given:
            raise WebhookRefused(401, "no signature")
        if not same_secret(given, signature(self.settings.client_secret, request.body)):
            raise WebhookRefused(403, "bad signature")

    def parse_webhook(self, request: InboundRequest) -> List[Event]:
        self._authenticate(request)
        data = json_object(request.body)
        topic = data.get("topic")
        if topic not in (REPLIED, CLOSED):
            return [Ignored(f"topic {str(topic)[:40]}")]
        notification = _id(data.get("id"), "no notification id")[:80]
        payload = data.get("data")
        item = payload.get("item") if isinstance(payload, dict) else None
        if not isinstance(item, dict):
            raise WebhookRefused(400, "no conversation")
        ref = _id(item.get("id"), "no conversation id")[:120]
        wanted = "comment" if topic == REPLIED else "close"
        events: List[Event] = [reply for part in _parts(item)
                               if (reply := _reply(part, wanted, ref, notification))]
        if topic == CLOSED:
            events.append(Resolved(ref=ref, event_id=f"{notification}:closed"))
        return events or [Ignored("no admin comment")]


def _id(value: Any, missing: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip():
        raise WebhookRefused(400, missing)
    return str(value).strip()


def _parts(item: Dict[str, Any]) -> List[Dict[str, Any]]:
    listed = item.get("conversation_parts")
    parts = listed.get("conversation_parts") if isinstance(listed, dict) else None
    if parts is None:
        return []
    if not isinstance(parts, list):
        raise WebhookRefused(400, "conversation_parts is not a list")
    return [part for part in parts if isinstance(part, dict)]


def _reply(part: Dict[str, Any], wanted: str, ref: str,
           notification: str) -> Optional[AgentReply]:
    author = part.get("author") if isinstance(part.get("author"), dict) else {}
    if part.get("part_type") != wanted or author.get("type") != "admin":
        return None  # a note, the user's (ours), a bot's, an assignment...
    body = part.get("body")
    text = plain_text(body) if isinstance(body, str) else ""
    if not text:
        return None
    part_id = _id(part.get("id"), "a part without an id")[:60]
    name = str(author.get("name") or "").strip()[:60] or "Agente"
    return AgentReply(ref=ref, text=text, event_id=f"{notification}:{part_id}", agent_name=name)


def build(settings: IntercomSettings, console_url: Optional[str] = None) -> IntercomHelpdesk:
    return IntercomHelpdesk(settings, console_url)


PRODUCT = Product(NAME, IntercomSettings.from_env, build)
