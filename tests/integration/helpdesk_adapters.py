"""What the helpdesk adapters' tests share (test_<product>_adapter.py and
test_helpdesk_adapter.py): the case and its transcript, an adapter pointed at a product's
fake API (tests/fakes/<product>_api.py) with quick retries, a fake served for one test,
running an adapter's call with the adapter closed afterwards, and the error a call or a
webhook ends in."""
from __future__ import annotations

import asyncio
from typing import Any, Coroutine, Dict, Iterator

import pytest

from appointments.adapters.helpdesks.chatwoot import ChatwootHelpdesk, ChatwootSettings
from appointments.adapters.helpdesks.freshdesk import FreshdeskHelpdesk, FreshdeskSettings
from appointments.adapters.helpdesks.intercom import IntercomHelpdesk, IntercomSettings
from appointments.adapters.helpdesks.zendesk import ZendeskHelpdesk, ZendeskSettings
from appointments.adapters.http import HttpClient
from appointments.domain.helpdesk import HelpdeskError, InboundRequest, WebhookRefused

CASE = {"id": 12, "phone": "whatsapp:+5215512345678", "profile_name": "Ana", "reason": "fallback",
        "summary": {"goal": "crear una cita", "slots": {"appointment_date": "viernes"}},
        "transcript": []}
PHONE = "+525512345678"  # the case's, as the helpdesks keep it (E.164)
TRANSCRIPT = [{"author": "user", "text": "quiero una cita", "at": "2026-11-25T16:00:00+00:00"},
              {"author": "bot", "text": "¿Para qué día?", "at": "2026-11-25T16:00:01+00:00"}]
CONSOLE_URL = "https://consola.example.com"
ADAPTERS = {"chatwoot": (ChatwootHelpdesk, ChatwootSettings),
            "freshdesk": (FreshdeskHelpdesk, FreshdeskSettings),
            "zendesk": (ZendeskHelpdesk, ZendeskSettings),
            "intercom": (IntercomHelpdesk, IntercomSettings)}


def serve(fake: Any) -> Iterator[Any]:
    """For a fixture: the fake for one test, stopped afterwards."""
    yield fake
    fake.stop()


def helpdesk_for(fake: Any, **changes: Any) -> Any:
    """The fake's product's adapter, with the fake's settings and `changes` (None: unset)."""
    helpdesk, settings = ADAPTERS[fake.product]
    env = {k: v for k, v in {**fake.env(), **changes}.items() if v is not None}
    return helpdesk(settings.from_env(env), CONSOLE_URL,
                    http=HttpClient(attempts=3, backoff_seconds=0.01))


def run(helpdesk: Any, coroutine: Coroutine[Any, Any, Any]) -> Any:
    async def go() -> Any:
        try:
            return await coroutine
        finally:
            await helpdesk.aclose()
    return asyncio.run(go())


def failure(helpdesk: Any, coroutine: Coroutine[Any, Any, Any]) -> HelpdeskError:
    """The HelpdeskError the call ends in (the test fails if it ends otherwise)."""
    with pytest.raises(HelpdeskError) as raised:
        run(helpdesk, coroutine)
    return raised.value


def refusal(helpdesk: Any, request: InboundRequest) -> int:
    """The status of the WebhookRefused that parsing the delivery ends in."""
    with pytest.raises(WebhookRefused) as refused:
        helpdesk.parse_webhook(request)
    return refused.value.status


def assert_bad_credentials_refused(fake: Any, case: Dict[str, Any], **wrong: str) -> None:
    """With a wrong credential, opening the case is refused (401), not worth retrying."""
    helpdesk = helpdesk_for(fake, **wrong)
    refused = failure(helpdesk, helpdesk.open(case, []))
    assert not refused.retry and "HTTP 401" in str(refused)


def assert_open_kept_for_later(fake: Any, case: Dict[str, Any], secret: str) -> None:
    """With the helpdesk failing (as the test set its fake), opening the case ends in an
    error worth retrying later that names the status, never the secret."""
    helpdesk = helpdesk_for(fake)
    down = failure(helpdesk, helpdesk.open(case, []))
    assert down.retry and "HTTP 503" in str(down)
    assert secret not in str(down)
