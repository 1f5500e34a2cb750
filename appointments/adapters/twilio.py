"""Sending WhatsApp messages through Twilio's REST API, without blocking the event loop.

A small client on appointments/adapters/http.py rather than twilio's own Client: it is
async, it retries 429, 5xx and connection errors with backoff (honouring Retry-After), and
its base URL can point at a local fake (TWILIO_API_BASE_URL) in tests. Twilio errors that
retrying cannot fix (63016 outside the 24-hour window, 63038 daily limit, 21211 invalid
number, 21610 the recipient unsubscribed...) are returned, not raised, with Twilio's
numeric code in `error_code` (appointments/services/contact.py turns 21610 into an
opt-out).

`send_template` sends an approved WhatsApp template (Twilio's Content API: `ContentSid`
and `ContentVariables` as JSON, no `Body`), which may go out beyond the 24-hour window.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Dict, Mapping, Optional

from appointments.adapters.http import HttpClient, RequestFailed
from appointments.privacy import mask_phone

logger = logging.getLogger(__name__)

# Twilio errors worth naming in the log: retrying does not help with any of them.
KNOWN_ERRORS = {
    63016: "outside WhatsApp's 24-hour window: only approved templates can be sent",
    63038: "the account's daily message limit was reached (trial accounts)",
    21211: "the 'To' number is not valid",
    21608: "trial accounts can only send to verified numbers",
    63007: "the 'From' WhatsApp sender is not set up for this account",
    21610: "the recipient unsubscribed (replied STOP): nothing more may be sent to them",
}


@dataclass(frozen=True)
class SendResult:
    sid: Optional[str]
    status: str  # Twilio's status ("queued", ...) or "failed"
    error: Optional[str] = None
    error_code: Optional[int] = None  # Twilio's error code (21610: unsubscribed)


def _code(value: object) -> Optional[int]:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class TwilioSender:
    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        base_url: str = "https://api.twilio.com",
        attempts: int = 4,
        backoff_seconds: float = 0.5,
        timeout_seconds: float = 10.0,
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self._credentials = (account_sid, auth_token)  # HTTP Basic auth
        self.from_number = from_number
        self.http = HttpClient(attempts, backoff_seconds, timeout_seconds)

    async def close(self) -> None:
        await self.http.close()

    async def send(self, to: str, body: str, from_number: Optional[str] = None) -> SendResult:
        """`from_number` overrides the sender's number (e.g. the same number without
        "whatsapp:" to send an SMS)."""
        return await self._post({"To": to, "From": from_number or self.from_number, "Body": body})

    async def send_template(self, to: str, content_sid: str,
                            variables: Mapping[str, str]) -> SendResult:
        """A Content template (HX...) with its variables {"1": "Ana", ...}."""
        return await self._post({
            "To": to, "From": self.from_number, "ContentSid": content_sid,
            "ContentVariables": json.dumps(dict(variables), ensure_ascii=False),
        })

    async def _post(self, data: Dict[str, str]) -> SendResult:
        code: Optional[int] = None
        try:
            reply = await self.http.request("POST", self.url, data=data,
                                            basic_auth=self._credentials)
        except RequestFailed as failure:
            error = str(failure)
        else:
            payload = reply.data if isinstance(reply.data, dict) else {}
            if reply.status in (200, 201):
                return SendResult(payload.get("sid"), payload.get("status") or "queued")
            code = _code(payload.get("code"))
            explained = KNOWN_ERRORS.get(code, payload.get("message"))
            error = f"{reply.status} code={payload.get('code')} {explained}"
        logger.error("WhatsApp message to %s not sent: %s", mask_phone(data["To"]), error)
        return SendResult(None, "failed", error, code)
