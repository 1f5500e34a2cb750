"""The outbound HTTP helper (appointments/adapters/http.py) against a real HTTP server on
127.0.0.1 (an aiohttp.web app in its own thread and loop): retries, Retry-After, giving
up, timeouts, one session per event loop, and what reaches the logs."""
from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any, Dict, List, Tuple

import pytest
from aiohttp import web

from appointments.adapters.http import HttpClient, RequestFailed, retry_after

PHONE = "whatsapp:+5215512345678"


class Server:
    """Answers every request with the next (status, headers) of `script`, then 200 with
    {"hit": n}; records each request as it arrives; waits `delay` s before answering."""

    def __init__(self, port: int = 0) -> None:
        self.script: List[Tuple[int, Dict[str, str]]] = []
        self.hits: List[Dict[str, Any]] = []
        self.delay = 0.0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.port = asyncio.run_coroutine_threadsafe(self._start(port), self.loop).result(10)
        self.url = f"http://127.0.0.1:{self.port}"

    async def _handle(self, request: web.Request) -> web.Response:
        self.hits.append({"path": request.path_qs, "at": time.monotonic()})
        if self.delay:
            await asyncio.sleep(self.delay)
        status, headers = self.script.pop(0) if self.script else (200, {})
        return web.json_response({"hit": len(self.hits)}, status=status, headers=headers)

    async def _start(self, port: int) -> int:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        return self.runner.addresses[0][1]

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture
def server():
    running = Server()
    yield running
    running.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(client: HttpClient, url: str, method: str = "GET", limit: float = 15.0, **kwargs):
    """(response, elapsed seconds); the client is closed afterwards. `limit` turns a
    wait that is far too long into a failure instead of a hung test."""
    async def go():
        started = time.monotonic()
        try:
            reply = await asyncio.wait_for(client.request(method, url, **kwargs), limit)
            return reply, time.monotonic() - started
        finally:
            await client.close()

    return asyncio.run(go())


# --- retries ---------------------------------------------------------------------------

def test_a_503_then_200_is_retried_and_succeeds(server):
    server.script = [(503, {})]
    reply, _ = call(HttpClient(backoff_seconds=0.01), server.url + "/x", "POST", json_body={})
    assert reply.status == 200 and reply.ok and reply.data == {"hit": 2}
    assert reply.headers["content-type"].startswith("application/json")  # any case
    assert len(server.hits) == 2


def test_the_backoff_grows_between_attempts(server):
    server.script = [(500, {}), (502, {})]
    reply, elapsed = call(HttpClient(attempts=3, backoff_seconds=0.2), server.url)
    assert reply.status == 200 and len(server.hits) == 3
    first, second, third = (hit["at"] for hit in server.hits)
    assert second - first >= 0.18 and third - second >= 0.38  # 0.2 s, then 0.4 s
    assert elapsed < 5


def test_retry_after_in_seconds_is_waited(server):
    server.script = [(503, {"Retry-After": "1"})]
    reply, elapsed = call(HttpClient(backoff_seconds=0.01, max_wait_seconds=5), server.url)
    assert reply.status == 200 and len(server.hits) == 2
    assert 0.9 <= elapsed < 4  # about 1 s, not the 0.01 s backoff


def test_retry_after_as_an_http_date_is_waited(server):
    when = datetime.now(timezone.utc) + timedelta(seconds=2)
    server.script = [(429, {"Retry-After": format_datetime(when, usegmt=True)})]
    reply, elapsed = call(HttpClient(backoff_seconds=0.01, max_wait_seconds=5), server.url)
    assert reply.status == 200
    assert 0.9 <= elapsed < 5  # 1-2 s: the date has whole seconds


def test_retry_after_is_capped(server):
    server.script = [(429, {"Retry-After": "120"})]
    reply, elapsed = call(HttpClient(backoff_seconds=0.01, max_wait_seconds=0.5), server.url,
                          limit=10)
    assert reply.status == 200 and len(server.hits) == 2
    assert 0.45 <= elapsed < 4


def test_a_400_is_returned_at_once(server):
    server.script = [(400, {}), (400, {})]
    reply, _ = call(HttpClient(backoff_seconds=0.01), server.url, "POST", data=b"x")
    assert reply.status == 400 and not reply.ok and reply.data == {"hit": 1}
    assert len(server.hits) == 1 and len(server.script) == 1


def test_the_last_5xx_is_returned_after_every_attempt(server):
    server.script = [(503, {})] * 5
    reply, _ = call(HttpClient(attempts=3, backoff_seconds=0.01), server.url)
    assert reply.status == 503 and len(server.hits) == 3


def test_attempts_can_be_lowered_per_call(server):
    server.script = [(503, {})] * 5
    reply, _ = call(HttpClient(attempts=4, backoff_seconds=0.01), server.url, attempts=1)
    assert reply.status == 503 and len(server.hits) == 1


def test_a_refused_connection_is_retried_until_the_server_comes_up():
    port = free_port()
    started: List[Server] = []
    timer = threading.Timer(0.5, lambda: started.append(Server(port)))
    timer.start()
    try:
        # waits 0.1, 0.2, 0.4, 0.8, 1.6 s: the server is up from 0.5 s on
        reply, elapsed = call(HttpClient(attempts=6, backoff_seconds=0.1),
                              f"http://127.0.0.1:{port}/late")
    finally:
        timer.join()
        for server in started:
            server.stop()
    assert reply.status == 200 and elapsed >= 0.5


def test_a_refused_connection_is_reported_after_every_attempt(caplog):
    caplog.set_level(logging.WARNING, logger="appointments.adapters.http")
    client = HttpClient(attempts=3, backoff_seconds=0.1)
    started = time.monotonic()
    with pytest.raises(RequestFailed) as failure:
        call(client, f"http://127.0.0.1:{free_port()}/down")
    assert time.monotonic() - started >= 0.28  # waited 0.1 + 0.2 s between attempts
    assert not failure.value.timed_out
    assert "Connect" in str(failure.value)  # ClientConnectorError: ... Connection refused
    retries = [r.getMessage() for r in caplog.records if "attempt" in r.getMessage()]
    assert len(retries) == 2 and "attempt 1 of 3" in retries[0]


def test_a_slow_server_times_out_each_attempt(server):
    server.delay = 2.5
    started = time.monotonic()
    with pytest.raises(RequestFailed) as failure:
        call(HttpClient(attempts=2, backoff_seconds=0.01, timeout_seconds=0.3), server.url)
    assert failure.value.timed_out
    assert time.monotonic() - started < 2.0  # two 0.3 s timeouts, not the 2.5 s answer
    assert len(server.hits) == 2


# --- what the logs and errors say ------------------------------------------------------

def test_logs_name_the_origin_only(server, caplog):
    caplog.set_level(logging.DEBUG)
    server.script = [(503, {})]
    url = f"{server.url}/conversations/{PHONE}/tracker?token=query-secret"
    reply, _ = call(HttpClient(backoff_seconds=0.01), url, "POST",
                    headers={"Authorization": "Bearer header-secret"},
                    json_body={"note": "body-secret"})
    assert reply.status == 200
    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("appointments"))
    assert f"127.0.0.1:{server.port}" in text and "HTTP 503" in text
    for secret in ("query-secret", "header-secret", "body-secret", "5215512345678",
                   "/conversations"):
        assert secret not in text


def test_a_failure_message_keeps_only_the_origin_of_a_url():
    quoted = f"Connection timeout to host http://rasa:5005/conversations/{PHONE}/x?token=abc"
    failure = RequestFailed(asyncio.TimeoutError(quoted))
    assert failure.timed_out and "http://rasa:5005" in str(failure)
    assert "token" not in str(failure) and "5215512345678" not in str(failure)


def test_retry_after_values():
    now = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)
    assert retry_after("120") == 120 and retry_after(" 3 ") == 3 and retry_after("0") == 0
    assert retry_after("Wed, 25 Nov 2026 16:01:30 GMT", now) == 90
    assert retry_after("Wed, 25 Nov 2026 15:00:00 GMT", now) == 0  # in the past
    for unreadable in (None, "", "-5", "soon", "nan", "inf"):
        assert retry_after(unreadable) is None


# --- one session per event loop --------------------------------------------------------

def test_threads_with_their_own_loops_get_their_own_sessions_and_close_closes_them(server):
    client = HttpClient(backoff_seconds=0.01)
    loops = [asyncio.new_event_loop() for _ in range(2)]
    threads = [threading.Thread(target=loop.run_forever, daemon=True) for loop in loops]
    for thread in threads:
        thread.start()

    async def work():
        session = await client.session()
        reply = await client.request("GET", server.url + "/thread")
        return session, reply.status, await client.session()

    try:
        futures = [asyncio.run_coroutine_threadsafe(work(), loop) for loop in loops]
        (first, status_1, again_1), (second, status_2, again_2) = (f.result(15) for f in futures)
        assert status_1 == status_2 == 200 and len(server.hits) == 2
        assert first is not second  # never shared across loops
        assert again_1 is first and again_2 is second  # but reused within one
        assert client.open_sessions() == 2
        asyncio.run(client.close())  # from a third loop: theirs are still running
        assert first.closed and second.closed and client.open_sessions() == 0
    finally:
        for loop, thread in zip(loops, threads):
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
            loop.close()


def test_a_new_loop_closes_and_drops_the_session_of_a_closed_one(server):
    client = HttpClient(backoff_seconds=0.01)

    async def once():
        await client.request("GET", server.url)
        return await client.session()

    first = asyncio.run(once())  # no close(): the loop simply ends
    assert not first.closed and client.open_sessions() == 1
    second = asyncio.run(once())
    assert second is not first and first.closed
    assert client.open_sessions() == 1  # the old loop's session is not kept
    asyncio.run(client.close())
    assert second.closed and client.open_sessions() == 0


def test_a_client_is_usable_again_after_close(server):
    client = HttpClient(backoff_seconds=0.01)

    async def twice():
        before = await client.request("GET", server.url)
        await client.close()
        after = await client.request("GET", server.url)
        await client.close()
        return before.status, after.status

    assert asyncio.run(twice()) == (200, 200) and client.open_sessions() == 0
