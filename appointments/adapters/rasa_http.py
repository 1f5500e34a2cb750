"""The few calls to Rasa's HTTP API the agent console needs (server started by
appointments/launch/rasa_server.py: JWT signed with RASA_API_TOKEN): resume a paused
conversation, trigger an intent, read the paused flag. The secret signs a short-lived
token sent in a header; it is never put in a URL."""
from __future__ import annotations

import time
from typing import Any, Dict, Optional
from urllib.parse import quote

import jwt
from yarl import URL

from appointments.adapters.http import HttpClient, RequestFailed
from appointments.domain.handoff import AssistantUnavailable
from appointments.privacy import mask_phone, redact_phones

SAFE = ":+@!$&'()*,;=-._~"  # RFC 3986 path characters, sent (and seen by Rasa) verbatim


TOKEN_SECONDS = 60
# A read is retried (connection refused, 429, 5xx); a write is sent once: Rasa may have
# applied it before failing, and a repeated trigger_intent would make the bot speak twice.
READ_ATTEMPTS = 3


def api_headers(secret: Optional[str], username: str = "appointments") -> Dict[str, str]:
    """`Authorization: Bearer <jwt>` for Rasa's HTTP API: an admin, valid for a minute."""
    if not secret:
        return {}
    claims = {"user": {"username": username, "role": "admin"},
              "exp": int(time.time()) + TOKEN_SECONDS}
    return {"Authorization": f"Bearer {jwt.encode(claims, secret, algorithm='HS256')}"}


class RasaUnavailable(AssistantUnavailable):
    """Rasa did not answer, or answered with an error; the message says which."""


class RasaClient:
    def __init__(
        self, base_url: str, token: Optional[str] = None, timeout_seconds: float = 10
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout_seconds = timeout_seconds
        self.http = HttpClient(READ_ATTEMPTS, backoff_seconds=0.2, timeout_seconds=timeout_seconds)

    async def close(self) -> None:
        await self.http.close()

    def _conversation_url(self, sender_id: str, tail: str) -> URL:
        # Rasa's server (Sanic 21.12) does not percent-decode path parameters: the id
        # must arrive as it is ("whatsapp:+52..." keeps ':' and '+'); only what would
        # break the URL is escaped.
        return URL(
            f"{self.base_url}/conversations/{quote(sender_id, safe=SAFE)}/{tail}", encoded=True
        )

    @staticmethod
    def _what(method: str, sender_id: str, tail: str) -> str:
        return f"{method} /conversations/{mask_phone(sender_id)}/{tail}"  # for messages

    def _hide_token(self, text: str) -> str:
        """Error text for logs and agents: no secret, no whole phone (aiohttp's errors
        quote the URL, which holds the sender id)."""
        return redact_phones(text.replace(self.token, "***") if self.token else text)

    async def _call(
        self,
        method: str,
        url: URL,
        what: str,
        payload: Optional[Dict[str, Any]] = None,
        params: Optional[Dict[str, str]] = None,
    ) -> Any:
        try:
            reply = await self.http.request(
                method, url.with_query(params) if params else url, json_body=payload,
                headers=api_headers(self.token), attempts=None if method == "GET" else 1,
            )
        except RequestFailed as failure:
            if failure.timed_out:
                raise RasaUnavailable(
                    f"Rasa at {self.base_url} did not answer {what} within "
                    f"{self.timeout_seconds:g} s"
                ) from None
            raise RasaUnavailable(
                self._hide_token(f"Rasa at {self.base_url} not reachable ({what}): {failure}")
            ) from None
        if not reply.ok:
            raise RasaUnavailable(
                self._hide_token(f"Rasa answered {reply.status} to {what}: {reply.text[:300]}")
            )
        return reply.data

    async def resume(self, sender_id: str) -> None:
        """Un-pause the conversation (Rasa's ConversationResumed event).

        A paused bot stops right after its handoff action, before `action_listen`, and
        what the user wrote meanwhile is logged unanswered. Without a listen here the
        next turn starts from a state no rule covers, and the fallback fires."""
        tail = "tracker/events"
        await self._call(
            "POST", self._conversation_url(sender_id, tail), self._what("POST", sender_id, tail),
            [{"event": "resume"}, {"event": "action", "name": "action_listen"}],
        )

    async def pause(self, sender_id: str) -> None:
        """Pause the conversation again (Rasa's ConversationPaused event)."""
        tail = "tracker/events"
        await self._call(
            "POST", self._conversation_url(sender_id, tail), self._what("POST", sender_id, tail),
            {"event": "pause"},
        )

    async def trigger_intent(
        self,
        sender_id: str,
        intent: str,
        entities: Optional[Dict[str, Any]] = None,
        output_channel: str = "whatsapp",
    ) -> Any:
        """Make the bot act as if the user said `intent`; its answer goes out through
        `output_channel`."""
        return await self._call(
            "POST",
            self._conversation_url(sender_id, "trigger_intent"),
            self._what("POST", sender_id, "trigger_intent"),
            {"name": intent, "entities": entities or {}},
            {"output_channel": output_channel},
        )

    async def is_paused(self, sender_id: str) -> bool:
        url = self._conversation_url(sender_id, "tracker")
        tracker = await self._call("GET", url, self._what("GET", sender_id, "tracker"))
        return bool((tracker or {}).get("paused"))


__all__ = ["RasaClient", "RasaUnavailable"]
