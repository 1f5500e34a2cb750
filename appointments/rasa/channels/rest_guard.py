"""Who may use the REST channel (/webhooks/rest/webhook), a development channel.

- With REST_CHANNEL_TOKEN set: only requests with `Authorization: Bearer <token>`.
- Without it: only requests from this machine that no proxy forwarded (a proxy on the
  same machine connects from loopback, so its X-Forwarded-*/Forwarded headers count).
- Never as a WhatsApp user (`whatsapp:+...` sender ids), unless
  REST_ALLOW_WHATSAPP_SENDERS=true (the test suites): every action trusts the sender
  id, so that would let anyone read, cancel or pause that person's appointments.
"""
from __future__ import annotations

import hmac
import ipaddress
from typing import Any, Optional, Tuple

from appointments.settings import Settings

FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip", "x-forwarded-host")
MAX_SENDER_CHARS = 128


def is_whatsapp_sender(sender: str) -> bool:
    return "".join(sender.split()).lower().startswith("whatsapp:")


def _from_this_machine(request: Any) -> bool:
    if any(name in request.headers for name in FORWARDING_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.ip).is_loopback
    except ValueError:
        return False


def refusal(settings: Settings, request: Any) -> Optional[Tuple[int, str]]:
    """(status, reason) when the request must be refused, else None."""
    token = settings.rest_channel_token
    if token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode("utf-8"), token.encode("utf-8")
        ):
            return 401, "REST channel: Authorization: Bearer <REST_CHANNEL_TOKEN> required"
    elif not _from_this_machine(request):
        return 403, "REST channel: local only (set REST_CHANNEL_TOKEN to expose it)"
    if request.method != "POST":
        return None
    try:
        body = request.json
    except Exception:  # noqa: BLE001 - Sanic raises InvalidUsage for broken JSON
        return 400, "REST channel: the body must be JSON"
    if not isinstance(body, dict):
        return 400, "REST channel: the body must be a JSON object"
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return 400, "REST channel: 'sender' must be a short non-empty string"
    if message is not None and not isinstance(message, str):
        return 400, "REST channel: 'message' must be a string"
    if is_whatsapp_sender(sender) and not settings.rest_allow_whatsapp_senders:
        return 403, "REST channel: WhatsApp senders only through the WhatsApp webhook"
    return None
