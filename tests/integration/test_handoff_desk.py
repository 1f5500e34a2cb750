"""HandoffDesk and RasaClient over a real database, a local fake of Twilio and a local
fake of Rasa's HTTP API (or a closed port: Rasa down)."""
from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List

import jwt
import pytest

from appointments.adapters.twilio import TwilioSender
from appointments.services.handoff_desk import HandoffDesk, SendFailed
from appointments.adapters.rasa_http import RasaClient, RasaUnavailable
from appointments.adapters.sql.handoffs import CaseClosed, SqlHandoffRepository
from appointments.adapters.sql.message_log import SqlMessageLog
from appointments.adapters.sql.tables import messages, utc_now
from tests.e2e import servers
from tests.fakes.twilio_api import FakeTwilio

RASA_TOKEN = "rasa+token/="


class FakeRasa:
    """Records requests; answers 500 for senders listed in `broken`."""

    def __init__(self) -> None:
        self.requests: List[Dict] = []
        self.broken: List[str] = []  # sender ids as they appear in the path
        self.broken_calls: List[str] = []  # e.g. "trigger_intent": fails for everyone
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, body=None) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"null")
                fake.requests.append({"method": self.command, "path": self.path, "json": payload,
                                      "authorization": self.headers.get("Authorization")})
                failing = any(f"/{sender}/" in self.path for sender in fake.broken) or any(
                    f"/{call}" in self.path for call in fake.broken_calls)
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
    fakes[1].broken_calls.clear()
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


def test_give_back_resumes_and_triggers_the_finished_intent(engine, twilio, rasa, phone):
    desk = make_desk(engine, twilio, rasa.url)
    case_id = open_case(desk, phone)
    case = run(desk, desk.give_back(case_id, agent_name="ana"))
    assert case["status"] == "closed" and case["closed_by"] == "agent"
    assert case["closed_agent"] == "ana"  # the audit trail names the account
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
    with pytest.raises(CaseClosed):  # the second click
        run(desk, desk.give_back(case_id))
    assert len(rasa.requests) == 2


def test_is_paused_reads_the_tracker(engine, twilio, rasa, phone):
    desk = make_desk(engine, twilio, rasa.url)
    assert run(desk, desk.rasa.is_paused(phone)) is True
    assert rasa.requests[0]["method"] == "GET"


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


def test_resumed_but_user_not_told_puts_everything_back(engine, twilio, rasa, phone):
    desk = make_desk(engine, twilio, rasa.url)
    rasa.broken_calls.append("trigger_intent")
    case_id = open_case(desk, phone)
    with pytest.raises(RasaUnavailable):
        run(desk, desk.give_back(case_id))
    assert [r["json"] for r in rasa.requests] == [
        [{"event": "resume"}, {"event": "action", "name": "action_listen"}],
        {"name": "EXTERNAL_handoff_finished", "entities": {}},
        {"event": "pause"}]
    assert desk.cases.get(case_id)["status"] == "open"


def test_expire_idle_gives_back_only_idle_cases(engine, twilio, rasa, phone):
    later = utc_now() + timedelta(minutes=241)
    desk = make_desk(engine, twilio, rasa.url, clock=lambda: later)
    idle = open_case(desk, phone)
    assert run(desk, desk.expire_idle()) == [idle]
    case = desk.cases.get(idle)
    assert case["status"] == "closed" and case["closed_by"] == "timeout"
    fresh = make_desk(engine, twilio, rasa.url)  # the real clock: nothing is idle yet
    other = open_case(fresh, phone + "1")
    assert run(fresh, fresh.expire_idle()) == []
    assert fresh.cases.get(other)["status"] == "open"


def test_a_user_still_writing_keeps_the_case_open(engine, twilio, rasa, phone):
    later = utc_now() + timedelta(minutes=241)
    desk = make_desk(engine, twilio, rasa.url, clock=lambda: later)
    case_id = open_case(desk, phone)
    with engine.begin() as connection:  # the user wrote while paused, 1 minute ago
        connection.execute(messages.insert().values(
            direction="in", phone=phone, body="¿Siguen ahí?", media="[]", status="received",
            author="user", created_at=later - timedelta(minutes=1)))
    assert run(desk, desk.expire_idle()) == []
    assert desk.cases.get(case_id)["status"] == "open" and rasa.requests == []


def test_expire_idle_with_rasa_down_keeps_cases_open(engine, twilio, phone):
    later = utc_now() + timedelta(hours=5)
    desk = make_desk(engine, twilio, f"http://127.0.0.1:{servers.free_port()}",
                     clock=lambda: later)
    first, second = open_case(desk, phone), open_case(desk, phone + "9")
    assert run(desk, desk.expire_idle()) == []
    assert {desk.cases.get(i)["status"] for i in (first, second)} == {"open"}


def test_one_failure_does_not_stop_the_others(engine, twilio, rasa, phone):
    later = utc_now() + timedelta(hours=5)
    desk = make_desk(engine, twilio, rasa.url, clock=lambda: later)
    broken, fine = phone, phone + "7"
    rasa.broken.append(broken)
    broken_id, fine_id = open_case(desk, broken), open_case(desk, fine)
    assert run(desk, desk.expire_idle()) == [fine_id]
    assert desk.cases.get(broken_id)["status"] == "open"
    assert desk.cases.get(fine_id)["status"] == "closed"


def test_reply_splits_long_texts_and_logs_each_chunk(engine, twilio, rasa, phone):
    desk = make_desk(engine, twilio, rasa.url)
    case_id = open_case(desk, phone)
    text = ("Párrafo uno. " * 100).strip() + "\n\n" + ("Párrafo dos. " * 100).strip()
    run(desk, desk.reply(case_id, text, "Lucía"))
    sent = twilio.to(phone)
    assert len(sent) == 2 and all(len(chunk) <= 1600 for chunk in sent)
    logged = desk.log.conversation(phone)
    assert [m["body"] for m in logged] == sent and {m["author"] for m in logged} == {"agent"}


def test_reply_refuses_blank_text_and_closed_cases(engine, twilio, rasa, phone):
    desk = make_desk(engine, twilio, rasa.url)
    case_id = open_case(desk, phone)
    with pytest.raises(ValueError):
        run(desk, desk.reply(case_id, " \n ", "Lucía"))
    desk.cases.close(case_id, "agent")
    with pytest.raises(CaseClosed):
        run(desk, desk.reply(case_id, "hola", "Lucía"))
    assert twilio.to(phone) == []


def test_a_failed_send_is_logged_and_raised(engine, twilio, rasa, phone):
    desk = make_desk(engine, twilio, rasa.url)
    case_id = open_case(desk, phone)
    twilio.failures = [400]
    with pytest.raises(SendFailed, match="24-hour window"):
        run(desk, desk.reply(case_id, "hola", "Lucía"))
    [logged] = desk.log.conversation(phone)
    assert logged["status"] == "failed" and "63016" in logged["error"]


def test_case_view_has_the_messages_since_the_case_opened(engine, twilio, rasa, phone):
    desk = make_desk(engine, twilio, rasa.url)
    desk.log.record("in", phone, "antes del caso", "received")
    case_id = open_case(desk, phone)
    desk.log.record("out", phone, "Conectando con un agente...", "queued")
    desk.log.record("in", phone, "¿sigues ahí?", "received")
    view = run(desk, desk.case_view(case_id))
    assert [m["body"] for m in view["messages"]] == ["Conectando con un agente...", "¿sigues ahí?"]
    assert [c["id"] for c in run(desk, desk.open_cases())] == [case_id]
