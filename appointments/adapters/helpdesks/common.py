"""What every helpdesk adapter needs: its settings read (all required ones at once, or a
SettingsError naming the missing ones) and one HTTP call turned into the answer's JSON or
a HelpdeskError that says whether trying again later makes sense; a webhook's body read
as a JSON object or refused; the settings, console URL and HTTP client an adapter holds.

The HTTP helper (appointments/adapters/http.py) already retries 429, 5xx and broken
connections a few times; what still fails comes here as HelpdeskError(retry=True), and
the worker tries again later (services/helpdesk_sync.py). A 4xx is an answer: retry=False.
Errors name the method, the status and the product, never a URL, a token or a body.
"""
from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional

from appointments.adapters.http import HttpClient, RequestFailed
from appointments.domain.helpdesk import Helpdesk, HelpdeskError, WebhookRefused
from appointments.settings_values import SettingsError

MIN_SECRET_LENGTH = 16


@dataclass(frozen=True)
class Product:
    """A helpdesk HELPDESK may name (registry.py)."""

    name: str
    read_settings: Callable[[Mapping[str, str]], Any]  # SettingsError when incomplete
    build: Callable[[Any, Optional[str]], Helpdesk]  # (its settings, the console's URL)


class HttpHelpdesk:
    """What every adapter holds: its settings, the console's URL (for the summary) and its
    HTTP client (a few quick retries of 429, 5xx and broken connections), which `aclose`
    closes."""

    def __init__(self, settings: Any, console_url: Optional[str] = None,
                 http: Optional[HttpClient] = None) -> None:
        self.settings = settings
        self.console_url = console_url
        self.http = http or HttpClient(attempts=3, backoff_seconds=0.5, timeout_seconds=10.0)

    async def aclose(self) -> None:
        await self.http.close()


class ApiError(HelpdeskError):
    """The product answered with an error status (`status`)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message, retry=status == 429 or status >= 500)
        self.status = status


def require(env: Mapping[str, str], product: str, *names: str) -> Dict[str, str]:
    """The values of `names` (stripped); SettingsError naming all the missing ones."""
    values = {name: (env.get(name) or "").strip() for name in names}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise SettingsError(f"HELPDESK={product} needs {', '.join(missing)}")
    return values


def long_secret(name: str, value: str) -> str:
    if len(value) < MIN_SECRET_LENGTH:
        raise SettingsError(f"{name} must be at least {MIN_SECRET_LENGTH} characters")
    return value


def same_secret(given: Optional[str], expected: str) -> bool:
    """Constant-time comparison; False for a missing value."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def json_object(body: bytes) -> Dict[str, Any]:
    """A webhook's body as a JSON object; WebhookRefused(400) when it is not one."""
    try:
        data = json.loads(body)
    except ValueError:
        raise WebhookRefused(400, "not JSON") from None
    if not isinstance(data, dict):
        raise WebhookRefused(400, "not a JSON object")
    return data


async def call(http: HttpClient, product: str, method: str, url: str,
               headers: Mapping[str, str], json_body: Any = None,
               attempts: Optional[int] = None) -> Any:
    """One API call; the answer's JSON (None when empty). HelpdeskError otherwise."""
    what = f"{product} {method}"
    try:
        reply = await http.request(method, url, headers=headers, json_body=json_body,
                                   attempts=attempts)
    except RequestFailed as failure:
        raise HelpdeskError(f"{what}: {failure}") from None
    if reply.ok:
        return reply.data
    raise ApiError(f"{what}: HTTP {reply.status}", reply.status)
