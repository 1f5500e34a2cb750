"""Freshdesk, both ways: a ticket per case, the agents' replies back to WhatsApp.

API v2 (https://developers.freshdesk.com/api/), HTTP Basic auth with the API key as the
user name and "X" as the password (section "Authentication"):
- create a ticket: POST /api/v2/tickets {name, phone, subject, description (HTML), status
  2 (Open), priority 2 (Medium), source 7 (Chat), tags} -> {"id", ...} ("Create a
  Ticket"; "If the phone number is set and the email address is not, then the name
  attribute is mandatory"; a phone without a contact makes one, an existing one is reused);
- create a note: POST /api/v2/tickets/{id}/notes {body (HTML), private: true} ("Create a
  Note"): what the user writes while the case is open. Private on purpose: nothing we post
  is ever a public conversation, so `{{ticket.latest_public_comment}}` is never ours;
- update a ticket: PUT /api/v2/tickets/{id} {"status": 4} (Resolved; "Update a Ticket").
Webhooks: Freshdesk does not sign them. The business adds automation rules (Admin →
Automations → Ticket updates, action "Trigger webhook", JSON, Advanced content;
https://support.freshdesk.com/support/solutions/articles/132589-using-webhooks-in-automation-rules)
whose bodies are ours (README, "Freshdesk"):
- "Reply is sent", performed by an agent: {"event": "agent_reply", "ticket_id":
  "{{ticket.id}}", "triggered_event": "{{triggered_event}}", "reply":
  "{{ticket.latest_public_comment}}", "agent": "{{ticket.agent.name}}", "updated_at":
  "{{ticket.modified_on}}"}. `latest_public_comment` renders "<author> : <HTML body>";
  a `triggered_event` that names a note ("{note_type:private}") is not a reply;
- "Status is changed" to Resolved or Closed: {"event": "status_changed", "ticket_id":
  "{{ticket.id}}", "triggered_event": "{{triggered_event}}", "status": "{{ticket.status}}",
  "updated_at": "{{ticket.modified_on}}"}; `triggered_event` renders
  "{status:{from:2,to:4}}": to 4 (Resolved) or 5 (Closed) gives the case back (that form,
  and a note's, as Zulip's Freshdesk integration reads them: zerver/webhooks/freshdesk).
The event id (replays): the ticket, the ticket's modification time and a hash of the
reply (a redelivery repeats all three; two replies differ in time or text); for a status,
the ticket, the new status and the time. Authentication: the secret in the header
X-Citas-Webhook-Secret (the rule's custom header) or as the last segment of the webhook
URL (/helpdesk/freshdesk/webhook/<FRESHDESK_WEBHOOK_SECRET>), compared in constant time.
"""
from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence

from yarl import URL

from appointments.adapters.helpdesks import texts
from appointments.adapters.helpdesks.common import (
    HttpHelpdesk, Product, call, json_object, long_secret, same_secret,
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

NAME = "freshdesk"
SECRET_HEADER = "X-Citas-Webhook-Secret"
OPEN, RESOLVED, CLOSED = 2, 4, 5  # ticket statuses ("Ticket Properties")
MEDIUM = 2  # priority
CHAT = 7  # source
TAGS = ["whatsapp", "citas"]
DOMAIN = re.compile(r"[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)*")
STATUS_CHANGE = re.compile(r"status:\{from:[^,}]*,to:([^,}]*)\}")  # on text without spaces
BLOCK_END = re.compile(r"<(br|/p|/div|/li|/h[1-6]|/tr)\b[^<>]*>", re.IGNORECASE)
TAG = re.compile(r"<[^<>]*>")
ATTACHMENTS = "\n\nAttachments :"  # what Freshdesk appends to a comment with files
GIVE_BACK = {str(RESOLVED), str(CLOSED), "resolved", "closed", "resuelto", "cerrado"}


@dataclass(frozen=True)
class FreshdeskSettings:
    url: str  # https://<domain>.freshdesk.com (no /api)
    api_key: str = field(repr=False)
    webhook_secret: str = field(repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "FreshdeskSettings":
        url = (env.get("FRESHDESK_URL") or "").strip().rstrip("/")
        domain = (env.get("FRESHDESK_DOMAIN") or "").strip().lower()
        api_key = (env.get("FRESHDESK_API_KEY") or "").strip()
        secret = (env.get("FRESHDESK_WEBHOOK_SECRET") or "").strip()
        missing = [name for name, value in (
            ("FRESHDESK_DOMAIN (or FRESHDESK_URL)", url or domain),
            ("FRESHDESK_API_KEY", api_key), ("FRESHDESK_WEBHOOK_SECRET", secret)) if not value]
        if missing:
            raise SettingsError(f"HELPDESK={NAME} needs {', '.join(missing)}")
        if url and not url.startswith(("http://", "https://")):
            raise SettingsError("FRESHDESK_URL must start with https://")
        if not url:
            if not DOMAIN.fullmatch(domain):
                raise SettingsError("FRESHDESK_DOMAIN must be like tuempresa or "
                                    "tuempresa.freshdesk.com")
            url = f"https://{domain if '.' in domain else domain + '.freshdesk.com'}"
        return cls(url=url, api_key=api_key,
                   webhook_secret=long_secret("FRESHDESK_WEBHOOK_SECRET", secret))


def basic_auth(api_key: str) -> str:
    """The Authorization header for an API key: Basic base64("<key>:X")."""
    return "Basic " + base64.b64encode(f"{api_key}:X".encode()).decode("ascii")


def as_html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def description(case: Case, transcript: Sequence[Line], console_url: Optional[str]) -> str:
    """The ticket's description: the summary, then the conversation with the bot."""
    return (f"<div>{as_html(texts.summary(case, console_url))}</div><hr>"
            f"<div>{as_html(texts.transcript(transcript))}</div>")


def plain_text(fragment: str) -> str:
    """What a comment's HTML says, as WhatsApp text."""
    text = TAG.sub("", BLOCK_END.sub("\n", fragment))
    lines = [" ".join(line.split()) for line in html.unescape(text).splitlines()]
    out: List[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


class FreshdeskHelpdesk(HttpHelpdesk):
    name = NAME
    can_close = True

    def __init__(self, settings: FreshdeskSettings, console_url: Optional[str] = None,
                 http: Optional[HttpClient] = None) -> None:
        super().__init__(settings, console_url, http)
        self._headers = {"Authorization": basic_auth(settings.api_key),
                         "Content-Type": "application/json"}

    def _url(self, *path: str) -> URL:
        url = URL(self.settings.url) / "api" / "v2" / "tickets"
        for part in path:
            url = url / part
        return url

    async def _call(self, method: str, url: URL, body: Any = None,
                    attempts: Optional[int] = None) -> Any:
        return await call(self.http, NAME, method, str(url), self._headers, body, attempts)

    # --- outbound -------------------------------------------------------------------
    async def open(self, case: Case, transcript: Sequence[Line]) -> str:
        ticket = await self._call("POST", self._url(), {
            "name": texts.customer_name(case), "phone": texts.bare_phone(case),
            "subject": texts.subject(case),
            "description": description(case, transcript, self.console_url),
            "status": OPEN, "priority": MEDIUM, "source": CHAT, "tags": TAGS,
        }, attempts=1)  # not repeated: a retry could make a second ticket
        ref = str(ticket.get("id") or "") if isinstance(ticket, dict) else ""
        if not ref:
            raise HelpdeskError(f"{NAME}: ticket without an id", retry=True)
        return ref

    async def append_user_message(self, ref: str, text: str, case: Case) -> None:
        body = f"<p><b>{html.escape(texts.AUTHORS['user'])} (WhatsApp):</b> {as_html(text)}</p>"
        await self._call("POST", self._url(ref, "notes"), {"body": body, "private": True},
                         attempts=1)

    async def close(self, ref: str) -> None:
        await self._call("PUT", self._url(ref), {"status": RESOLVED})

    # --- inbound --------------------------------------------------------------------
    def _authenticate(self, request: InboundRequest) -> None:
        given = request.path_secret
        if given is None:
            given = request.headers.get(SECRET_HEADER)
            if not given:
                raise WebhookRefused(401, "no secret")
        if not same_secret(given.strip(), self.settings.webhook_secret):
            raise WebhookRefused(403, "wrong secret")

    def parse_webhook(self, request: InboundRequest) -> List[Event]:
        self._authenticate(request)
        data = json_object(request.body)
        event = data.get("event")
        if event == "agent_reply":
            return [_reply_event(data)]
        if event == "status_changed":
            return [_status_event(data)]
        return [Ignored(f"event {str(event)[:40]}")]


def _text(data: Dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise WebhookRefused(400, f"{key} is not text")
    return str(value).strip()


def _ticket(data: Dict[str, Any]) -> str:
    ticket = _text(data, "ticket_id")
    if not ticket.isdigit():
        raise WebhookRefused(400, "no ticket id")
    return ticket


def _reply_event(data: Dict[str, Any]) -> Event:
    ticket = _ticket(data)
    if "note_type" in _text(data, "triggered_event"):
        return Ignored("a note, not a reply")
    raw = _text(data, "reply")
    author, separator, body = raw.partition(" : ")
    if not separator or "<" in author or len(author) > 120:
        author, body = "", raw
    text = plain_text(body.split(ATTACHMENTS, 1)[0])
    if not text:
        return Ignored("no text")
    moment = _text(data, "updated_at")[:60]
    digest = hashlib.sha256(f"{moment}\x00{raw}".encode()).hexdigest()[:32]
    name = author.strip() or _text(data, "agent") or "Agente"
    return AgentReply(ref=ticket, text=text, event_id=f"reply:{ticket}:{digest}",
                      agent_name=name[:60])


def _status_event(data: Dict[str, Any]) -> Event:
    ticket = _ticket(data)
    change = STATUS_CHANGE.search("".join(_text(data, "triggered_event").split()))
    status = (change.group(1) if change else _text(data, "status")).strip().lower()
    if status not in GIVE_BACK:
        return Ignored("not resolved or closed")
    moment = _text(data, "updated_at")[:60]
    return Resolved(ref=ticket, event_id=f"status:{ticket}:{status[:20]}:{moment}")


def build(settings: FreshdeskSettings, console_url: Optional[str] = None) -> FreshdeskHelpdesk:
    return FreshdeskHelpdesk(settings, console_url)


PRODUCT = Product(NAME, FreshdeskSettings.from_env, build)
