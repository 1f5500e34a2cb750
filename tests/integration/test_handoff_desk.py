"""HandoffDesk over its real pieces: the SQL cases and message log, TwilioSender against a
local fake of Twilio, and RasaClient against a local fake of Rasa's HTTP API (or a
closed port: Rasa down).

Only what needs those pieces is here: what RasaClient sends (paths, the signed token,
the events), and Rasa being down or answering 500 coming out as AssistantUnavailable
with the case reopened in the database. The desk's rules (the second click, undoing a
half-done give-back, the idle timeout, replies in chunks, failed sends, the case view)
run in memory in tests/unit/test_handoff_desk.py; the SQL cases and log are held to
the fakes by test_repository_contract_handoffs.py; replies through the console, with
Twilio's errors, in test_console.py.
"""
from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List

import jwt
import pytest

from appointments.adapters.twilio import TwilioSender
from appointments.services.handoff_desk import HandoffDesk
from appointments.adapters.rasa_http import RasaClient, RasaUnavailable
from appointments.adapters.sql.handoffs import SqlHandoffRepository
from appointments.adapters.sql.message_log import SqlMessageLog
from appointments.adapters.sql.tables import utc_now
from tests.e2e import servers
from tests.fakes.twilio_api import FakeTwilio

RASA_TOKEN = "rasa+token/="


class FakeRasa:
    """Records requests; answers 500 for senders listed in `broken`."""

    def __init__(self) -> None:
        self.requests: List[Dict] = []
        self.broken: List[str] = []  # sender ids as they appear in the path
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, body=None) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"null")
                fake.requests.append({"method": self.command, "path": self.path, "json": payload,
                                      "authorization": self.headers.get("Authorization")})
                failing = any(f"/{sender}/" in self.path for sender in fake.broken)
                data = json.dumps({"error": "boom"} if failing else body or {}).encode()
                self.send_response(500 if failing else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                self._answer()

            def do_GET(self) -> None:  # noqa: N802
                self._answer({"sender_id": "x", "paused": True})

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="module")
def fakes():
    twilio, rasa = FakeTwilio(), FakeRasa()
    yield twilio, rasa
    twilio.stop()
    rasa.stop()


@pytest.fixture
def twilio(fakes):
    fakes[0].failures.clear()
    return fakes[0]  # each test has its own phone numbers


@pytest.fixture
def rasa(fakes):
    fakes[1].requests.clear()
    fakes[1].broken.clear()
    return fakes[1]


def make_desk(engine, twilio, rasa_url, clock=utc_now, timeout_minutes=240) -> HandoffDesk:
    sender = TwilioSender("ACtest", "token", "whatsapp:+14155238886", base_url=twilio.url,
                          backoff_seconds=0.01)
    return HandoffDesk(SqlHandoffRepository(engine), SqlMessageLog(engine), sender,
                       RasaClient(rasa_url, RASA_TOKEN, timeout_seconds=5),
                       timeout_minutes, clock)


def run(desk: HandoffDesk, coroutine):
    async def go():
        try:
            return await coroutine
        finally:
            await desk.sender.close()
            await desk.rasa.close()

    return asyncio.run(go())


def open_case(desk, phone, summary=None):
    return desk.cases.open_case(phone, "user_request", summary or {"goal": None, "slots": {}})


def test_give_back_speaks_rasas_http_api(engine, twilio, rasa, phone):
    desk = make_desk(engine, twilio, rasa.url)
    case_id = open_case(desk, phone)
    case = run(desk, desk.give_back(case_id, agent_name="ana"))
    assert case["status"] == "closed" and case["closed_by"] == "agent"
    assert desk.cases.get(case_id)["closed_agent"] == "ana"  # the audit trail names the account
    quoted = phone  # verbatim: Rasa's Sanic does not decode path parameters
    resume, trigger = rasa.requests
    # the secret signs a short-lived admin token in a header; it is never in the URL
    assert resume["path"] == f"/conversations/{quoted}/tracker/events"
    scheme, _, token = resume["authorization"].partition(" ")
    claims = jwt.decode(token, RASA_TOKEN, algorithms=["HS256"])
    assert scheme == "Bearer" and claims["user"]["role"] == "admin"
    assert claims["exp"] - time.time() <= 60
    assert all("token" not in request["path"] for request in rasa.requests)
    assert resume["json"] == [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
    assert trigger["path"].startswith(f"/conversations/{quoted}/trigger_intent?")
    assert "output_channel=whatsapp" in trigger["path"]
    assert trigger["json"] == {"name": "EXTERNAL_handoff_finished", "entities": {}}


def test_pause_and_is_paused_speak_rasas_http_api(rasa, phone):
    client = RasaClient(rasa.url, RASA_TOKEN, timeout_seconds=5)

    async def go():
        try:
            await client.pause(phone)
            return await client.is_paused(phone)
        finally:
            await client.close()

    assert asyncio.run(go()) is True
    pause, tracker = rasa.requests
    assert (pause["method"], pause["path"], pause["json"]) == (
        "POST", f"/conversations/{phone}/tracker/events", {"event": "pause"})
    assert (tracker["method"], tracker["path"]) == ("GET", f"/conversations/{phone}/tracker")
    assert all(r["authorization"].startswith("Bearer ") for r in rasa.requests)


def test_rasa_down_reopens_the_case(engine, twilio, phone):
    desk = make_desk(engine, twilio, f"http://127.0.0.1:{servers.free_port()}")
    case_id = open_case(desk, phone)
    with pytest.raises(RasaUnavailable) as error:
        run(desk, desk.give_back(case_id))
    assert "not reachable" in str(error.value) and RASA_TOKEN not in str(error.value)
    case = desk.cases.get(case_id)
    assert case["status"] == "open" and case["closed_at"] is None



def test_reading_the_tracker_is_retried_then_reported_without_the_phone(phone):
    rasa = RasaClient(f"http://127.0.0.1:{servers.free_port()}", RASA_TOKEN)

    async def go():
        try:
            return await rasa.is_paused(phone)
        finally:
            await rasa.close()

    started = time.monotonic()
    with pytest.raises(RasaUnavailable) as error:
        asyncio.run(go())
    assert time.monotonic() - started >= 0.55  # 0.2 + 0.4 s between three attempts
    message = str(error.value)
    assert "not reachable" in message and "GET /conversations/" in message
    assert phone not in message and phone[-4:] in message and RASA_TOKEN not in message

def test_an_error_answer_from_rasa_reopens_the_case(engine, twilio, rasa, phone):
    desk = make_desk(engine, twilio, rasa.url)
    rasa.broken.append(phone)
    case_id = open_case(desk, phone)
    with pytest.raises(RasaUnavailable, match="500"):
        run(desk, desk.give_back(case_id))
    assert desk.cases.get(case_id)["status"] == "open"
    assert [r["json"] for r in rasa.requests] == [
        [{"event": "resume"}, {"event": "action", "name": "action_listen"}]]
