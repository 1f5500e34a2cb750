"""The helpdesks' webhooks, on the Rasa server (public through deploy/nginx.conf like the
WhatsApp webhook): POST /helpdesk/<product>/webhook, and /helpdesk/<product>/webhook/<secret>
for products that cannot sign (the secret compared in constant time by the adapter). A HEAD
on the first answers 200 for a product HELPDESK names (Intercom checks the URL so).

Cheap checks first: a product HELPDESK does not name gets 404, a body over
MAX_BODY_BYTES 413, then the adapter authenticates (401/403) and reads (400) it, and
services/helpdesk_inbound.py does what it asks, once per event id. Never a 500 for what
a request carries; nothing from the request is echoed or logged.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from appointments.services.helpdesk_inbound import HelpdeskInbound

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024  # a Chatwoot event with its conversation is a few KB


class HelpdeskWebhooks(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "helpdesk"

    def __init__(self, inbound: Callable[[], Optional[HelpdeskInbound]]) -> None:
        """INBOUND gives the process's handler (built on first use; None: HELPDESK is
        not set)."""
        self._inbound = inbound

    def url_prefix(self) -> Text:
        return "/"  # the routes carry their full paths

    async def _handle(self, request: Request, product: str, secret: Optional[str]) -> Any:
        try:
            inbound = self._inbound()
        except Exception:  # noqa: BLE001 - the database or the settings are away
            logger.exception("helpdesk webhooks unavailable")
            return response.json({"status": "unavailable"}, status=503)
        if inbound is None or product not in inbound.helpdesks:
            return response.json({"status": "unknown helpdesk"}, status=404)
        if len(request.body or b"") > MAX_BODY_BYTES:
            return response.json({"status": "too large"}, status=413)
        try:
            outcome = await inbound.handle(product, request.headers, request.body or b"",
                                           secret)
        except Exception:  # noqa: BLE001 - e.g. the database: the product may redeliver
            logger.exception("%s webhook failed", product)
            return response.json({"status": "failed"}, status=503)
        return response.json({"status": outcome.detail}, status=outcome.status)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("helpdesk_webhooks", __name__)

        @hook.route("/helpdesk/<product:str>/webhook", methods=["POST"], name="signed")
        async def signed(request: Request, product: str) -> Any:
            return await self._handle(request, product, None)

        @hook.route("/helpdesk/<product:str>/webhook", methods=["HEAD"], name="check")
        async def check(request: Request, product: str) -> Any:
            """Products that check the URL before saving it (Intercom: a HEAD)."""
            try:
                inbound = self._inbound()
            except Exception:  # noqa: BLE001
                return response.empty(status=503)
            known = inbound is not None and product in inbound.helpdesks
            return response.empty(status=200 if known else 404)

        @hook.route("/helpdesk/<product:str>/webhook/<secret:str>", methods=["POST"],
                    name="secret_path")
        async def secret_path(request: Request, product: str, secret: str) -> Any:
            return await self._handle(request, product, secret)

        return hook
