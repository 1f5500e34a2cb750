"""Telling the business's staff: a user asked for a person (HandoffNotice, here), an
appointment was booked, moved or cancelled (appointment_notices.py).

Adapters: a WhatsApp/SMS message to AGENT_PHONE_NUMBER (through Twilio) and a signed JSON
POST to HANDOFF_WEBHOOK_URL for a helpdesk automation (Zendesk, Freshdesk, Chatwoot...).
Each notice says what it is (a `Notice`): its event, its text for the agent's phone and
its JSON fields. A notifier never raises: it logs and returns False, so a notice never
breaks a chat.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Protocol, Sequence

from appointments.adapters.http import HttpClient, RequestFailed
from appointments.adapters.twilio import TwilioSender
from appointments.settings import Settings
from appointments.privacy import mask_phone

logger = logging.getLogger(__name__)

CREATED = "handoff.created"
RECENT_MESSAGES = 5
MAX_BODY = 1600  # Twilio's limit, counted in UTF-16 units to be safe with emoji
LANGUAGE_NAMES = {"es": "español", "en": "inglés"}  # the agents read Spanish
REASONS = {"user_request": "pidió hablar con una persona",
           "fallback": "el asistente no le entendió"}
SLOT_LABELS = {"appointment_date": "fecha", "appointment_time": "hora",
               "appointment_code": "código", "selected_appointment_text": "cita"}
HIDDEN_SLOTS = {"offered_options", "appointment_date_text", "booking_confirmed",
                "cancellation_confirmed", "reschedule_confirmed"}  # noise for the agent


class Notice(Protocol):
    """What the notifiers send, whatever happened."""

    event: str  # "handoff.created", "appointment.booked", ... (X-Citas-Event)
    phone: str  # the customer's

    def agent_text(self) -> str:
        """The short Spanish text the agent reads on their phone (≤ 1,600 chars)."""

    def fields(self) -> Dict[str, Any]:
        """The webhook's JSON body (the notifier adds sent_at)."""

    def subject(self) -> str:
        """What a log line names (never a phone): 'case 12', 'appointment K7P-3QX'."""


@dataclass(frozen=True)
class HandoffNotice:
    """What an agent needs to pick up a case, independent of the channel."""

    case_id: int
    phone: str
    profile_name: Optional[str] = None
    reason: str = "user_request"
    goal: Optional[str] = None  # e.g. "crear una cita"
    language: str = "es"  # the conversation's: the agent answers in it
    slots: Dict[str, Any] = field(default_factory=dict)
    recent: List[str] = field(default_factory=list)  # the user's last messages
    console_url: Optional[str] = None
    event: str = CREATED

    @classmethod
    def from_case(cls, case: Mapping[str, Any], console_base_url: Optional[str]) -> "HandoffNotice":
        """From a case dict of SqlHandoffRepository (summary: goal, slots; transcript)."""
        summary = case.get("summary") or {}
        said = [line.get("text") or "" for line in case.get("transcript") or ()
                if line.get("author") == "user"]
        base = (console_base_url or "").rstrip("/")
        return cls(
            case_id=int(case["id"]), phone=case["phone"],
            profile_name=case.get("profile_name"), reason=case.get("reason") or "user_request",
            goal=summary.get("goal"), slots=dict(summary.get("slots") or {}),
            language=summary.get("language") or "es",
            recent=[text for text in said if text][-RECENT_MESSAGES:],
            console_url=f"{base}/agent/cases/{case['id']}" if base else None,
        )

    def agent_text(self) -> str:
        return agent_message(self)

    def fields(self) -> Dict[str, Any]:
        return {"event": self.event, "case_id": self.case_id, "phone": self.phone,
                "profile_name": self.profile_name, "reason": self.reason, "goal": self.goal,
                "language": self.language,
                "slots": self.slots, "recent": list(self.recent),
                "console_url": self.console_url}

    def subject(self) -> str:
        return f"case {self.case_id}"


class Notifier(Protocol):
    name: str

    async def notify(self, notice: Notice) -> bool:
        """True when delivered; never raises."""

    async def close(self) -> None:
        """Release connections."""


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def agent_message(notice: HandoffNotice) -> str:
    """The short Spanish text the agent reads on their phone (≤ 1,600 chars)."""
    who = _clip(notice.profile_name, 60) + " " if notice.profile_name else ""
    phone = notice.phone.split(":", 1)[1] if notice.phone.startswith("whatsapp:") else notice.phone
    head = [f"🙋 Nueva solicitud de atención #{notice.case_id}", f"Cliente: {who}({phone})",
            f"Motivo: {REASONS.get(notice.reason, notice.reason)}"]
    if notice.goal:
        head.append(f"Quería: {notice.goal}")
    if notice.language != "es":
        head.append(f"Idioma: {LANGUAGE_NAMES.get(notice.language, notice.language)} "
                    "(respóndele en ese idioma)")
    data = [f"{SLOT_LABELS.get(k, k)}={_clip(v, 60)}" for k, v in notice.slots.items()
            if k not in HIDDEN_SLOTS and v not in (None, "", [], {})]
    if data:
        head.append("Datos: " + ", ".join(data))
    tail = [f"Abrir: {notice.console_url}"] if notice.console_url else []
    budget = MAX_BODY - _utf16_len("\n".join(head + tail)) - 40
    quotes: List[str] = []
    for text in reversed(notice.recent):
        quote = f"«{_clip(text, 200)}»"
        if budget - _utf16_len(quote) - 1 < 0:
            break
        quotes.insert(0, quote)
        budget -= _utf16_len(quote) + 1
    middle = ["Últimos mensajes: " + " ".join(quotes)] if quotes else []
    text = "\n".join(head + middle + tail)
    if _utf16_len(text) > MAX_BODY:  # only with absurdly many or long slots
        text = text[: MAX_BODY // 2 - 1] + "…"
    return text


class TwilioAgentNotifier:
    """A WhatsApp ("whatsapp:+52...") or SMS ("+52...") message to the agent's phone."""

    name = "twilio"

    def __init__(self, sender: TwilioSender, agent_number: str, close_sender: bool = False) -> None:
        self.sender = sender
        self.agent_number = agent_number
        self.close_sender = close_sender  # only when this notifier built the sender

    def _from_number(self) -> str:
        bare = self.sender.from_number.split(":", 1)[-1]
        return f"whatsapp:{bare}" if self.agent_number.startswith("whatsapp:") else bare

    async def notify(self, notice: Notice) -> bool:
        try:
            result = await self.sender.send(
                self.agent_number, notice.agent_text(), from_number=self._from_number()
            )
            return result.status != "failed"
        except Exception:  # noqa: BLE001 - a notice must never break the conversation
            logger.exception("agent notice for %s not sent", notice.subject())
            return False

    async def close(self) -> None:
        if self.close_sender:
            await self.sender.close()


def sign(body: bytes, secret: str) -> str:
    """The X-Citas-Signature value for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str, secret: str) -> bool:
    """Whether `header` (X-Citas-Signature) signs exactly `body` with `secret`."""
    if not header or not secret:
        return False
    return hmac.compare_digest(sign(body, secret), header.strip())


class WebhookNotifier:
    """A signed JSON POST to a helpdesk, retried on connection errors, 429 and 5xx."""

    name = "webhook"

    def __init__(self, url: str, secret: Optional[str] = None, attempts: int = 3,
                 backoff_seconds: float = 0.5, timeout_seconds: float = 10.0) -> None:
        self.url, self.secret = url, secret
        self.http = HttpClient(attempts, backoff_seconds, timeout_seconds)

    async def close(self) -> None:
        await self.http.close()

    def payload(self, notice: Notice) -> bytes:
        return json.dumps({
            **notice.fields(),
            "sent_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }, ensure_ascii=False, default=str).encode("utf-8")

    async def notify(self, notice: Notice) -> bool:
        try:
            return await self._post(notice)
        except Exception:  # noqa: BLE001 - a notice must never break the conversation
            logger.exception("webhook for %s failed", notice.subject())
            return False

    async def _post(self, notice: Notice) -> bool:
        body = self.payload(notice)
        headers = {"Content-Type": "application/json", "X-Citas-Event": notice.event,
                   "X-Citas-Delivery": str(uuid.uuid4())}  # the same on every retry
        if self.secret:
            headers["X-Citas-Signature"] = sign(body, self.secret)
        try:
            reply = await self.http.request("POST", self.url, data=body, headers=headers)
            if reply.ok:
                return True
            error = f"HTTP {reply.status}"
        except RequestFailed as failure:
            error = str(failure)
        logger.error("webhook for %s (%s) not delivered: %s",
                     notice.subject(), mask_phone(notice.phone), error)
        return False


class Notifiers:
    """All configured notifiers, run together."""

    def __init__(self, notifiers: Sequence[Notifier] = ()) -> None:
        self.notifiers: List[Notifier] = list(notifiers)

    @property
    def configured(self) -> bool:
        return bool(self.notifiers)

    async def notify(self, notice: Notice) -> List[str]:
        """The names of the notifiers that delivered the notice."""
        results = await asyncio.gather(*(n.notify(notice) for n in self.notifiers),
                                       return_exceptions=True)
        return [n.name for n, ok in zip(self.notifiers, results) if ok is True]

    async def close(self) -> None:
        await asyncio.gather(*(n.close() for n in self.notifiers), return_exceptions=True)


def build_notifiers(settings: Settings, sender: Optional[TwilioSender] = None) -> Notifiers:
    """The notifiers the settings configure (none when nothing is set)."""
    notifiers: List[Notifier] = []
    if settings.agent_phone_number:
        owned = sender is None
        if owned and settings.twilio_account_sid and settings.twilio_auth_token \
                and settings.twilio_phone_number:
            sender = TwilioSender(settings.twilio_account_sid, settings.twilio_auth_token,
                                  settings.twilio_phone_number,
                                  base_url=settings.twilio_api_base_url)
        if sender is not None:
            notifiers.append(TwilioAgentNotifier(sender, settings.agent_phone_number, owned))
        else:
            logger.warning("AGENT_PHONE_NUMBER is set but Twilio is not configured")
    if settings.handoff_webhook_url:
        notifiers.append(WebhookNotifier(settings.handoff_webhook_url,
                                         settings.handoff_webhook_secret))
    return Notifiers(notifiers)
