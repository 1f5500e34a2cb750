"""Zendesk Support, both ways: a ticket per case, public agent comments back to WhatsApp,
"solved" back to the bot.

API (https://developer.zendesk.com/api-reference/ticketing/introduction/), Basic
authentication with "{ZENDESK_EMAIL}/token:{ZENDESK_API_TOKEN}"
(https://developer.zendesk.com/api-reference/introduction/security-and-auth/):
- the requester: POST /api/v2/users/create_or_update {"user": {name, phone, external_id
  ("whatsapp:+52…", what finds them again), role "end-user"}} -> {"user": {"id"}}
  (https://developer.zendesk.com/api-reference/ticketing/users/users/#create-or-update-user);
  should Zendesk refuse the phone (422: another user has it), again without it;
- the ticket: POST /api/v2/tickets {"ticket": {subject, comment {body: the summary and
  the transcript, public: false}, requester_id, tags, external_id}} -> {"ticket": {"id"}},
  with an Idempotency-Key, so the HTTP client's own retries never make a second ticket
  (https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#create-ticket,
  https://developer.zendesk.com/api-reference/ticketing/introduction/#idempotency);
- what the user writes: PUT /api/v2/tickets/{id} {"ticket": {"comment": {body, public:
  true, author_id: the requester}}}: their own words, authored by them
  (https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_comments/);
- given back here: PUT /api/v2/tickets/{id} {"ticket": {"status": "solved"}}; a ticket
  cannot be solved without an assignee (422), so then again with the API user
  (GET /api/v2/users/me) as assignee.
Webhook (https://developer.zendesk.com/documentation/webhooks/creating-and-monitoring-webhooks/,
https://developer.zendesk.com/documentation/webhooks/anatomy-of-a-webhook-request/): a
webhook connected to one trigger (ticket updated, tag citas_whatsapp, comment public or
status solved) whose JSON body is TRIGGER_BODY (README "Conectar tu helpdesk"; Zendesk
placeholders: https://support.zendesk.com/hc/en-us/articles/4408886858138). One delivery
may carry an agent's public comment and "solved" (answered and solved in one go): the
reply first. Not echoes: private comments (our summary) and comments whose author is the
requester (what we posted for the user) are ignored. Event ids: the comment's id; for
"solved", the ticket and its update time.
Authentication (https://developer.zendesk.com/documentation/webhooks/verifying/):
X-Zendesk-Webhook-Signature = base64(HMAC-SHA256(signing secret, timestamp + raw body))
with X-Zendesk-Webhook-Signature-Timestamp (ISO 8601, accepted within 5 minutes),
compared in constant time. Zendesk always signs: no secret path.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Sequence

from yarl import URL

from appointments.adapters.helpdesks import texts
from appointments.adapters.helpdesks.common import (
    ApiError, HttpHelpdesk, Product, call, json_object, long_secret, same_secret,
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

NAME = "zendesk"
SIGNATURE_WINDOW_SECONDS = 300
TAG = "citas_whatsapp"  # every ticket of ours: the trigger's condition
SOLVED = {"solved", "closed", "resuelto", "cerrado"}  # {{ticket.status}} may be localized
REMEMBERED = 500  # ticket -> requester, to append without asking Zendesk first

# The JSON body the trigger sends (README: the same text, a test checks it).
TRIGGER_BODY = """{
  "ticket_id": "{{ticket.id}}",
  "status": "{{ticket.status}}",
  "updated_at": "{{ticket.updated_at_with_timestamp}}",
  "requester_id": "{{ticket.requester.id}}",
  "comment_id": "{{ticket.latest_comment.id}}",
  "comment_public": "{{ticket.latest_comment.is_public}}",
  "comment_author_id": "{{ticket.latest_comment.author.id}}",
  "comment_author": "{{ticket.latest_comment.author.name}}",
  "comment": "{{ticket.latest_comment.value}}"
}"""


@dataclass(frozen=True)
class ZendeskSettings:
    url: str  # https://<subdomain>.zendesk.com
    email: str
    api_token: str = field(repr=False)
    webhook_secret: str = field(repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "ZendeskSettings":
        values = {name: (env.get(name) or "").strip() for name in (
            "ZENDESK_SUBDOMAIN", "ZENDESK_URL", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN",
            "ZENDESK_WEBHOOK_SECRET")}
        missing = [name for name in ("ZENDESK_EMAIL", "ZENDESK_API_TOKEN",
                                     "ZENDESK_WEBHOOK_SECRET") if not values[name]]
        if not values["ZENDESK_URL"] and not values["ZENDESK_SUBDOMAIN"]:
            missing.insert(0, "ZENDESK_SUBDOMAIN (or ZENDESK_URL)")
        if missing:
            raise SettingsError(f"HELPDESK={NAME} needs {', '.join(missing)}")
        url = values["ZENDESK_URL"]
        if url and not url.startswith(("http://", "https://")):
            raise SettingsError("ZENDESK_URL must start with https://")
        if not url:
            subdomain = values["ZENDESK_SUBDOMAIN"].lower()
            if not subdomain.replace("-", "").isalnum():
                raise SettingsError("ZENDESK_SUBDOMAIN must be the name before .zendesk.com "
                                    "(or set ZENDESK_URL)")
            url = f"https://{subdomain}.zendesk.com"
        if "@" not in values["ZENDESK_EMAIL"]:
            raise SettingsError("ZENDESK_EMAIL must be the email of the token's agent")
        return cls(url=url.rstrip("/"), email=values["ZENDESK_EMAIL"],
                   api_token=values["ZENDESK_API_TOKEN"],
                   webhook_secret=long_secret("ZENDESK_WEBHOOK_SECRET",
                                              values["ZENDESK_WEBHOOK_SECRET"]))


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """X-Zendesk-Webhook-Signature of `body` sent at `timestamp` (as Zendesk wrote it)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def tags(case: Case) -> List[str]:
    reason = "".join(c if c.isalnum() else "_" for c in str(case.get("reason") or "")[:40])
    return [TAG, "asistente_handoff"] + ([f"motivo_{reason.lower()}"] if reason else [])


class ZendeskHelpdesk(HttpHelpdesk):
    name = NAME
    can_close = True

    def __init__(self, settings: ZendeskSettings, console_url: Optional[str] = None,
                 http: Optional[HttpClient] = None) -> None:
        super().__init__(settings, console_url, http)
        login = f"{settings.email}/token:{settings.api_token}".encode()
        self._headers = {"Authorization": "Basic " + base64.b64encode(login).decode(),
                         "Content-Type": "application/json", "Accept": "application/json"}
        self._requesters: Dict[str, int] = {}

    def _url(self, *path: str) -> str:
        url = URL(self.settings.url) / "api" / "v2"
        for part in path:
            url = url / part
        return str(url)

    async def _call(self, method: str, url: str, body: Any = None,
                    attempts: Optional[int] = None,
                    headers: Optional[Mapping[str, str]] = None) -> Any:
        return await call(self.http, NAME, method, url, {**self._headers, **(headers or {})},
                          body, attempts)

    # --- outbound -------------------------------------------------------------------
    async def open(self, case: Case, transcript: Sequence[Line]) -> str:
        requester = await self._requester(case)
        body = "\n\n".join((texts.summary(case, self.console_url), texts.transcript(transcript)))
        created = await self._call("POST", self._url("tickets"), {"ticket": {
            "subject": texts.subject(case)[:150],
            "comment": {"body": body, "public": False},
            "requester_id": requester, "tags": tags(case),
            "external_id": f"citas-caso-{case['id']}",
        }}, headers={"Idempotency-Key": str(uuid.uuid4())})
        ticket_id = ((created or {}).get("ticket") or {}).get("id")
        if isinstance(ticket_id, bool) or not isinstance(ticket_id, int):
            raise HelpdeskError(f"{NAME}: ticket without an id", retry=True)
        self._remember(str(ticket_id), requester)
        return str(ticket_id)

    async def _requester(self, case: Case) -> int:
        phone = texts.bare_phone(case)
        user = {"name": texts.customer_name(case), "phone": phone,
                "external_id": f"whatsapp:{phone}", "role": "end-user"}
        url = self._url("users", "create_or_update")
        try:
            answer = await self._call("POST", url, {"user": user})
        except ApiError as error:
            if error.status != 422:  # 422: the phone is another user's: found by external_id
                raise
            answer = await self._call("POST", url, {"user": {k: v for k, v in user.items()
                                                             if k != "phone"}})
        user_id = ((answer or {}).get("user") or {}).get("id")
        if isinstance(user_id, bool) or not isinstance(user_id, int):
            raise HelpdeskError(f"{NAME}: requester without an id", retry=True)
        return user_id

    def _remember(self, ref: str, requester: int) -> None:
        if len(self._requesters) >= REMEMBERED:
            self._requesters.pop(next(iter(self._requesters)))
        self._requesters[ref] = requester

    async def _requester_of(self, ref: str) -> int:
        if ref not in self._requesters:  # opened by another process (the worker, say)
            ticket = ((await self._call("GET", self._url("tickets", ref))) or {}).get("ticket")
            requester = (ticket or {}).get("requester_id")
            if isinstance(requester, bool) or not isinstance(requester, int):
                raise HelpdeskError(f"{NAME}: ticket without a requester", retry=False)
            self._remember(ref, requester)
        return self._requesters[ref]

    async def append_user_message(self, ref: str, text: str, case: Case) -> None:
        author = await self._requester_of(ref)
        await self._call("PUT", self._url("tickets", ref), {"ticket": {"comment": {
            "body": text, "public": True, "author_id": author}}},
            attempts=1)  # not repeated: a retry could add the comment twice

    async def close(self, ref: str) -> None:
        url = self._url("tickets", ref)
        try:
            await self._call("PUT", url, {"ticket": {"status": "solved"}})
        except ApiError as error:
            if error.status != 422:  # 422: solving needs an assignee: the API's user
                raise
            me = ((await self._call("GET", self._url("users", "me"))) or {}).get("user") or {}
            if not isinstance(me.get("id"), int):
                raise
            await self._call("PUT", url, {"ticket": {"status": "solved",
                                                     "assignee_id": me["id"]}})

    # --- inbound --------------------------------------------------------------------
    def _authenticate(self, request: InboundRequest) -> None:
        given = (request.headers.get("X-Zendesk-Webhook-Signature") or "").strip()
        stamp = (request.headers.get("X-Zendesk-Webhook-Signature-Timestamp") or "").strip()
        if not given or not stamp:
            raise WebhookRefused(401, "no signature")
        sent = _moment(stamp)
        now = request.now or datetime.now(timezone.utc)
        if sent is None or abs((now - sent).total_seconds()) > SIGNATURE_WINDOW_SECONDS:
            raise WebhookRefused(401, "timestamp missing or too old")
        if not same_secret(given, signature(self.settings.webhook_secret, stamp, request.body)):
            raise WebhookRefused(403, "bad signature")

    def parse_webhook(self, request: InboundRequest) -> List[Event]:
        self._authenticate(request)
        data = json_object(request.body)
        ref = _id(data.get("ticket_id"), "ticket_id")
        events: List[Event] = []
        reply = _reply(data, ref)
        if reply is not None:
            events.append(reply)
        if str(data.get("status") or "").strip().lower() in SOLVED:
            moment = (str(data.get("updated_at") or "").strip()
                      or request.headers.get("X-Zendesk-Webhook-Invocation-Id") or "")
            events.append(Resolved(ref=ref, event_id=f"solved:{ref}:{moment[:60]}"))
        return events or [Ignored("no public agent comment, not solved")]


def _moment(stamp: str) -> Optional[datetime]:
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _id(value: Any, what: str) -> str:
    text = str(value).strip() if isinstance(value, (int, str)) and \
        not isinstance(value, bool) else ""
    if not text.isdigit():
        raise WebhookRefused(400, f"no {what}")
    return text[:40]


def _reply(data: Dict[str, Any], ref: str) -> Optional[AgentReply]:
    """The agent's public comment the delivery carries, if it is one (not ours)."""
    public = data.get("comment_public")
    if public is not True and str(public).strip().lower() != "true":
        return None  # a private note (our summary, the team's notes) or no comment
    text = data.get("comment")
    if not isinstance(text, str) or not text.strip():
        return None
    author = _id(data.get("comment_author_id"), "comment_author_id")
    if author == _id(data.get("requester_id"), "requester_id"):
        return None  # the customer's words: what we posted for them
    name = data.get("comment_author")
    return AgentReply(ref=ref, text=text.strip(),
                      event_id=f"comment:{_id(data.get('comment_id'), 'comment_id')}",
                      agent_name=(name.strip()[:60] if isinstance(name, str) else "") or "Agente")


def build(settings: ZendeskSettings, console_url: Optional[str] = None) -> ZendeskHelpdesk:
    return ZendeskHelpdesk(settings, console_url)


PRODUCT = Product(NAME, ZendeskSettings.from_env, build)
