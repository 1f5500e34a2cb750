"""Is a request to the WhatsApp webhook really Twilio's? Cheap checks first.

In this order, each before any work the next needs:
1. a Twilio auth token is configured (else 503: without it anyone could sign);
2. the body is at most MAX_BODY_BYTES (Twilio posts a few KB) and is a form;
3. X-Twilio-Signature is present;
4. only then the form is parsed and the signature computed, once: HMAC-SHA1 over the
   public URL + the sorted parameters (Twilio's scheme), compared in constant time.
The URL is PUBLIC_URL + path (what Twilio was told), or, behind a proxy that sets them
(TRUST_PROXY_HEADERS=true), X-Forwarded-Proto/Host; deploy/nginx.conf fixes the host.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from typing import Any, Dict, Optional, Tuple

from appointments.rasa.channels.twilio_request import form_params
from appointments.settings import Settings

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024  # a 1,600-character message with ten media URLs is ~20 KB
FORM = "application/x-www-form-urlencoded"

Refusal = Tuple[int, str]


def signature(token: str, url: str, params: Dict[str, str]) -> str:
    """Twilio's X-Twilio-Signature of a form post to `url`."""
    signed = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(token.encode("utf-8"), signed.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


class WebhookGuard:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        if not settings.twilio_auth_token:
            logger.warning("TWILIO_AUTH_TOKEN is not set: the WhatsApp webhook answers 503")
        elif not settings.twilio_validate_signature:
            logger.warning(
                "TWILIO_VALIDATE_SIGNATURE=false: anyone can post to the WhatsApp webhook. "
                "Use this only for local development."
            )

    def public_url(self, request: Any) -> str:
        if self.settings.public_url:
            url = self.settings.public_url + request.path
        elif self.settings.trust_proxy_headers:
            proto = request.headers.get("X-Forwarded-Proto", request.scheme)
            host = request.headers.get("X-Forwarded-Host", request.host)
            url = f"{proto}://{host}{request.path}"
        else:
            url = request.url.split("?")[0]
        return f"{url}?{request.query_string}" if request.query_string else url

    def check(self, request: Any) -> Tuple[Optional[Refusal], Dict[str, str]]:
        """(refusal, {}) or (None, the posted form)."""
        token = self.settings.twilio_auth_token
        if not token:
            return (503, "WhatsApp channel not configured"), {}
        if len(request.body or b"") > MAX_BODY_BYTES:
            return (413, "too large"), {}
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != FORM:
            return (415, "form expected"), {}
        given = request.headers.get("X-Twilio-Signature", "")
        validate = self.settings.twilio_validate_signature
        if validate and not given:
            return (403, "forbidden"), {}
        params = form_params(request)
        if validate and not hmac.compare_digest(
            signature(token, self.public_url(request), params).encode("ascii"),
            given.encode("utf-8", "replace"),
        ):
            return (403, "forbidden"), {}
        return None, params
