"""The agent console, run for real: `python -m appointments.console` in a subprocess,
over a real database (SQLite file, and PostgreSQL when reachable), sending through a
local fake of Twilio. RASA_URL points at a closed port: Rasa is down for these tests."""
from __future__ import annotations

import re
import sys
import uuid
from dataclasses import dataclass

import pytest
import requests

from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.handoffs import SqlHandoffRepository
from appointments.adapters.sql.message_log import SqlMessageLog
from appointments.adapters.sql.tables import metadata
from tests.conftest import _postgres_test_url
from tests.e2e import servers
from tests.fakes.twilio_api import FakeTwilio

TOKEN = "consola-secreta-123"
BASIC = ("Lucía", TOKEN)
TEXT = "¡Hola! ¿Te confirmo mañana a las 10:00? 😊"


@dataclass
class Console:
    url: str
    cases: SqlHandoffRepository
    log: SqlMessageLog
    twilio: FakeTwilio

    def get(self, path, auth=BASIC, **kwargs):
        return requests.get(self.url + path, auth=auth, timeout=10, **kwargs)

    def post(self, path, data=None, auth=BASIC, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        return requests.post(self.url + path, data=data, auth=auth, timeout=30, **kwargs)

    def open_case(self, transcript=(), profile_name="Ana", summary=None):
        phone = f"whatsapp:+52155{uuid.uuid4().int % 10**8:08d}"
        summary = summary or {"goal": "crear una cita", "slots": {"appointment_date": "2026-11-26"}}
        case_id = self.cases.open_case(phone, "user_request", summary, transcript, profile_name)
        return case_id, phone


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def console(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("console")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'appointments.db'}"
    else:
        url = _postgres_test_url("appointments_console")
    engine = create_database_engine(url)
    metadata.drop_all(engine)
    create_schema(engine)
    twilio = FakeTwilio()
    port = servers.free_port()
    env = servers.base_env(
        DATABASE_URL=url,
        AGENT_CONSOLE_TOKEN=TOKEN,  # no accounts: the shared token (tests/security has those)
        AGENT_ACCOUNTS="",
        AGENT_ACCOUNTS_FILE=str(folder / "no-agent-accounts"),  # not the developer's var/
        RASA_URL=f"http://127.0.0.1:{servers.free_port()}",  # nobody listens there
        RASA_API_TOKEN="rasa-token",
        TWILIO_ACCOUNT_SID="ACtest",
        TWILIO_AUTH_TOKEN="test-auth-token",
        TWILIO_PHONE_NUMBER="whatsapp:+14155238886",
        TWILIO_API_BASE_URL=twilio.url,
    )
    # Ready once an authenticated GET answers 200 (requests reads the URL's user:password).
    server = servers.Server(
        "agent console",
        [sys.executable, "-m", "appointments.console", "--port", str(port)],
        env,
        f"http://agente:{TOKEN}@127.0.0.1:{port}/agent/",
        folder / "console.log",
    ).start(timeout=60)
    yield Console(f"http://127.0.0.1:{port}", SqlHandoffRepository(engine),
                  SqlMessageLog(engine), twilio)
    server.stop()
    twilio.stop()
    engine.dispose()


def listed_ids(page: str):
    return {int(i) for i in re.findall(r'<a class="case" href="/agent/cases/(\d+)"', page)}


def test_every_route_needs_the_token(console):
    case_id, phone = console.open_case()
    for auth in (None, ("Lucía", "wrong"), ("", "")):
        for path in ("/agent/", f"/agent/cases/{case_id}", f"/agent/cases/{case_id}/messages.json"):
            answer = console.get(path, auth=auth)
            assert answer.status_code == 401, path
            assert answer.headers["WWW-Authenticate"].startswith('Basic realm="Consola de agentes"')
    bearer = console.get("/agent/", auth=None, headers={"Authorization": "Bearer nope"})
    assert bearer.status_code == 401
    answer = console.post(f"/agent/cases/{case_id}/reply", {"text": TEXT}, auth=None)
    assert answer.status_code == 401
    assert console.post(f"/agent/cases/{case_id}/resume", auth=("x", "nope")).status_code == 401
    assert console.twilio.to(phone) == []


def test_basic_and_bearer_are_both_accepted(console):
    assert console.get("/agent/").status_code == 200
    bearer = console.get("/agent/", auth=None, headers={"Authorization": f"Bearer {TOKEN}"})
    assert bearer.status_code == 200 and 'lang="es"' in bearer.text


def test_the_list_shows_open_cases_only(console):
    open_id, _ = console.open_case(profile_name="Abierta")
    closed_id, _ = console.open_case(profile_name="Cerrada")
    console.cases.close(closed_id, "agent")
    page = console.get("/agent/").text
    assert open_id in listed_ids(page) and closed_id not in listed_ids(page)
    assert "Pidió hablar con una persona" in page and "crear una cita" in page


def test_the_case_page_escapes_what_users_wrote(console):
    transcript = [{"author": "user", "text": "<script>alert(1)</script>",
                   "at": "2026-11-25T16:00:00+00:00"}]
    case_id, phone = console.open_case(transcript, profile_name="<b>Ana</b>")
    console.log.record("in", phone, '<img src=x onerror="alert(2)">', "received")
    page = console.get(f"/agent/cases/{case_id}").text
    assert "<script>alert(1)</script>" not in page and "<b>Ana</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page and "&lt;img src=x" in page
    assert "25/11 10:00" in page  # 16:00 UTC in the business time zone (Mexico City)
    assert 'class="message user"' in page and 'name="text"' in page
    assert 'id="send"' in page and 'id="resume"' in page


def test_a_reply_reaches_the_user_intact_and_is_logged(console):
    case_id, phone = console.open_case()
    before = console.cases.get(case_id)["updated_at"]
    answer = console.post(f"/agent/cases/{case_id}/reply", {"text": TEXT})
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/agent/cases/{case_id}?aviso=enviado"
    assert console.twilio.to(phone) == [TEXT]
    last = console.log.conversation(phone)[-1]
    assert (last["author"], last["body"], last["direction"]) == ("agent", TEXT, "out")
    assert last["status"] == "queued" and last["message_sid"].startswith("SM")
    assert console.cases.get(case_id)["updated_at"] > before
    page = console.get(answer.headers["Location"]).text
    assert 'class="notice"' in page and 'class="message agent"' in page and TEXT in page


def test_a_blank_reply_is_refused(console):
    case_id, phone = console.open_case()
    for data in ({"text": "   \r\n "}, {"text": ""}, {}):
        answer = console.post(f"/agent/cases/{case_id}/reply", data)
        assert answer.status_code == 400 and 'class="error"' in answer.text
    assert console.twilio.to(phone) == [] and console.log.conversation(phone) == []


def test_a_reply_to_a_closed_case_is_not_sent(console):
    case_id, phone = console.open_case()
    console.cases.close(case_id, "timeout")
    answer = console.post(f"/agent/cases/{case_id}/reply", {"text": TEXT})
    assert answer.status_code == 409
    assert "Este caso ya fue devuelto al asistente; el mensaje no se envió." in answer.text
    assert console.twilio.to(phone) == []
    page = console.get(f"/agent/cases/{case_id}").text
    assert "Caso cerrado" in page and 'name="text"' not in page and 'id="resume"' not in page


def test_a_failed_send_says_so(console):
    case_id, phone = console.open_case()
    console.twilio.failures = [400]  # 63016: outside the 24-hour window
    answer = console.post(f"/agent/cases/{case_id}/reply", {"text": TEXT})
    assert answer.status_code == 502
    assert "no lo recibió" in answer.text and "24-hour window" in answer.text
    logged = console.log.conversation(phone)[-1]
    assert logged["status"] == "failed" and logged["author"] == "agent"


def test_resume_with_rasa_down_keeps_the_case_open(console):
    case_id, _ = console.open_case()
    answer = console.post(f"/agent/cases/{case_id}/resume")
    assert answer.status_code == 503 and "No se pudo devolver al asistente" in answer.text
    assert "rasa-token" not in answer.text
    case = console.cases.get(case_id)
    assert case["status"] == "open" and case["closed_by"] is None
    assert case_id in listed_ids(console.get("/agent/").text)


def test_resume_of_a_closed_case_is_a_conflict(console):
    case_id, _ = console.open_case()
    console.cases.close(case_id, "agent")
    answer = console.post(f"/agent/cases/{case_id}/resume")
    assert answer.status_code == 409 and "ya fue devuelto al asistente" in answer.text


def test_unknown_cases_are_404(console):
    assert console.get("/agent/cases/999999").status_code == 404
    assert console.get("/agent/cases/999999/messages.json").status_code == 404
    assert console.post("/agent/cases/999999/reply", {"text": "hola"}).status_code == 404
    assert console.post("/agent/cases/999999/resume").status_code == 404


def test_messages_json_has_the_conversation(console):
    transcript = [{"author": "user", "text": "quiero hablar con alguien", "at": None}]
    case_id, phone = console.open_case(transcript)
    console.log.record("out", phone, "Conectando con un agente...", "queued")
    console.log.record("in", phone, "¿hola?", "received")
    assert console.post(f"/agent/cases/{case_id}/reply", {"text": TEXT}).status_code == 303
    answer = console.get(f"/agent/cases/{case_id}/messages.json")
    assert answer.status_code == 200
    data = answer.json()
    assert data["status"] == "open"
    assert [(m["author"], m["body"]) for m in data["messages"]] == [
        ("user", "quiero hablar con alguien"), ("bot", "Conectando con un agente..."),
        ("user", "¿hola?"), ("agent", TEXT),
    ]
    assert data["messages"][-1]["at"].endswith("-06:00")  # business time zone


def test_a_cross_origin_post_is_refused(console):
    case_id, phone = console.open_case()
    answer = console.post(f"/agent/cases/{case_id}/reply", {"text": TEXT},
                          headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403
    answer = console.post(f"/agent/cases/{case_id}/resume", headers={"Origin": "null"})
    assert answer.status_code == 403
    assert console.twilio.to(phone) == [] and console.cases.get(case_id)["status"] == "open"
    same = console.post(f"/agent/cases/{case_id}/reply", {"text": TEXT},
                        headers={"Origin": console.url})
    assert same.status_code == 303 and console.twilio.to(phone) == [TEXT]
