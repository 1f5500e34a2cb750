"""Outbound HTTP for every client of the project (Twilio, the helpdesk webhook, Rasa's API).

`HttpClient` keeps one aiohttp session per running event loop: the process has several
(Sanic's, the WhatsApp turn worker's, one per action thread) and a session must never be
used from a loop other than its own. A session whose loop has closed is closed and
dropped when a new loop asks for one (a WeakKeyDictionary would not let it go: the
session refers to its loop), and `close()` closes them all.

`request()` retries 429, 5xx, refused or broken connections and timeouts, with
exponential backoff or the server's Retry-After (seconds or an HTTP-date), never waiting
more than `max_wait_seconds`; other answers (2xx, 3xx, 4xx) come back at once. It returns
a `Response` (status, headers, text, parsed JSON), or raises `RequestFailed` when no
answer came. Logs name the method and the origin only: never the path or query (phones,
tokens), headers or bodies.
"""
from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Dict, Mapping, Optional, Tuple, Union

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

logger = logging.getLogger(__name__)

# Worth another try: the request may not have reached the server, or may succeed later.
TRANSIENT = (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, asyncio.TimeoutError)
CLOSE_WAIT_SECONDS = 5.0  # for a session of another, running loop to close
_URLS = re.compile(r"https?://[^\s'\"<>]+")


def retryable(status: int) -> bool:
    """429 (rate limited) and 5xx are retried; any other status is the answer."""
    return status == 429 or 500 <= status <= 599


def retry_after(value: Optional[str], now: Optional[datetime] = None) -> Optional[float]:
    """Seconds to wait from a Retry-After header ("120" or an HTTP-date); None when
    absent or unreadable, 0 for a date in the past."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - (now or datetime.now(timezone.utc))).total_seconds())


def origin(url: Union[str, URL]) -> str:
    """scheme://host[:port] of `url`: what a log may say about where a call went."""
    try:
        return str(URL(url).origin())
    except (ValueError, TypeError):
        return "<url>"


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # a case-insensitive copy
    text: str
    data: Any = None  # the body parsed as JSON; None when empty or not JSON

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class RequestFailed(Exception):
    """No HTTP answer: refused or broken connection, timeout, invalid URL (after the
    attempts that made sense). The message names the error class and the server's
    origin, never a whole URL."""

    def __init__(self, failure: BaseException) -> None:
        self.failure = failure
        self.timed_out = isinstance(failure, asyncio.TimeoutError)
        detail = _URLS.sub(lambda found: origin(found.group()), str(failure))
        super().__init__(f"{failure.__class__.__name__}: {detail}".rstrip(": "))


class HttpClient:
    def __init__(
        self,
        attempts: int = 3,
        backoff_seconds: float = 0.5,
        timeout_seconds: float = 10.0,
        max_wait_seconds: float = 10.0,
    ) -> None:
        self.attempts = max(1, attempts)
        self.backoff_seconds = backoff_seconds
        self.timeout_seconds = timeout_seconds
        self.max_wait_seconds = max_wait_seconds
        self._sessions: Dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}
        self._lock = threading.Lock()  # the loops run in different threads

    async def session(self) -> aiohttp.ClientSession:
        """The running loop's session (made on first use there)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            session = self._sessions.get(loop)
            if session is not None and not session.closed:
                return session
            stale = [item for item in self._sessions.items() if item[0].is_closed()]
            for old_loop, _ in stale:
                del self._sessions[old_loop]
            session = self._sessions[loop] = aiohttp.ClientSession()
        for _, old in stale:
            await _close_orphan(old)
        return session

    def open_sessions(self) -> int:
        with self._lock:
            return sum(not session.closed for session in self._sessions.values())

    async def close(self) -> None:
        """Close every loop's session: this loop's now, a running loop's through that
        loop (waiting up to CLOSE_WAIT_SECONDS), an idle loop's when it next runs."""
        with self._lock:
            sessions, self._sessions = self._sessions, {}
        here = asyncio.get_running_loop()
        for loop, session in sessions.items():
            if loop is here or loop.is_closed():
                await _close_orphan(session)
                continue
            try:
                closing = asyncio.run_coroutine_threadsafe(session.close(), loop)
            except RuntimeError:  # closed in the meantime
                await _close_orphan(session)
                continue
            if loop.is_running():
                try:
                    await asyncio.wait_for(asyncio.wrap_future(closing), CLOSE_WAIT_SECONDS)
                except Exception:  # noqa: BLE001 - closing is best effort
                    logger.warning("an HTTP session of another event loop did not close")

    async def request(
        self,
        method: str,
        url: Union[str, URL],
        *,
        headers: Optional[Mapping[str, str]] = None,
        data: Any = None,
        json_body: Any = None,
        basic_auth: Optional[Tuple[str, str]] = None,
        attempts: Optional[int] = None,
    ) -> Response:
        """One call, retried as the module says. `data` is a form (dict) or raw bytes;
        `json_body` is sent as JSON; a yarl URL made with encoded=True goes out as it is.
        `attempts` overrides the client's (1 for calls that must not be repeated)."""
        attempts = max(1, attempts or self.attempts)
        auth = aiohttp.BasicAuth(*basic_auth) if basic_auth else None
        timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
        for attempt in range(1, attempts + 1):
            answer: Optional[Response] = None
            try:
                session = await self.session()
                async with session.request(method, url, headers=headers, data=data,
                                           json=json_body, auth=auth, timeout=timeout) as reply:
                    answer = await _read(reply)
            except TRANSIENT as failure:
                if attempt == attempts:
                    raise RequestFailed(failure) from None
                why = failure.__class__.__name__
            except aiohttp.ClientError as failure:  # invalid URL and the like: no retry
                raise RequestFailed(failure) from None
            else:
                if not retryable(answer.status) or attempt == attempts:
                    return answer
                why = f"HTTP {answer.status}"
            wait = self._pause(attempt, answer)
            logger.warning("%s %s: %s (attempt %d of %d), again in %.2f s",
                           method, origin(url), why, attempt, attempts, wait)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _pause(self, attempt: int, answer: Optional[Response]) -> float:
        wait = self.backoff_seconds * 2 ** (attempt - 1)
        hinted = retry_after(answer.headers.get("Retry-After")) if answer else None
        return min(wait if hinted is None else hinted, self.max_wait_seconds)


async def _read(reply: aiohttp.ClientResponse) -> Response:
    raw = await reply.read()
    try:
        text = raw.decode(reply.charset or "utf-8", errors="replace")
    except LookupError:  # an unknown charset
        text = raw.decode("utf-8", errors="replace")
    try:
        data = json.loads(text) if text.strip() else None
    except ValueError:
        data = None
    return Response(reply.status, CIMultiDictProxy(CIMultiDict(reply.headers)), text, data)


async def _close_orphan(session: aiohttp.ClientSession) -> None:
    """Close a session from a loop that may not be its own: fine when its loop is this
    one or closed (aiohttp then only marks it closed; its sockets go with it)."""
    try:
        await session.close()
    except Exception:  # noqa: BLE001
        session.detach()  # at least not reported as leaked
