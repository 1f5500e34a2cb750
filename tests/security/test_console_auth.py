"""The agent console's login against the real console (`python -m appointments.console`,
or its app served in this process where a test moves the clock) over a real database
(SQLite, and PostgreSQL when reachable); accounts made by the real scripts/agent_add.py
(the script on its own: test_agent_add.py)."""
from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Optional

import pytest
import requests
from sanic import Sanic

from appointments.adapters.twilio import TwilioSender
from appointments.console import auth as console_auth
from appointments.console.accounts import hash_password
from appointments.console.app import create_app
from appointments.console.throttle import LoginThrottle
from appointments.services.handoff_desk import HandoffDesk
from appointments.adapters.rasa_http import RasaClient
from appointments.settings import Settings
from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.handoffs import SqlHandoffRepository
from appointments.adapters.sql.message_log import SqlMessageLog
from appointments.adapters.sql.tables import metadata
from appointments.adapters.sql.appointments import SqlAppointmentRepository
from appointments.domain import Appointment
from appointments.domain.codes import generate_code
from tests.conftest import TZ, _postgres_test_url
from tests.e2e import servers
from tests.fakes.twilio_api import FakeTwilio
from tests.security.helpers import PASSWORDS, ROOT, agent_add

TOKEN = "clave-compartida-de-prueba-2026"


@contextlib.contextmanager
def served_here(app):
    """`app` served on a free port by a thread of this process (its own event loop)."""
    port, loop = servers.free_port(), asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()

    async def boot():
        server = await app.create_server(host="127.0.0.1", port=port,
                                         return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.after_start()
        return server

    server = asyncio.run_coroutine_threadsafe(boot(), loop).result(30)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(server.before_stop(), loop).result(30)
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)


@dataclass
class Backend:
    url: str
    folder: Path
    cases: SqlHandoffRepository
    log: SqlMessageLog
    twilio: FakeTwilio

    def open_case(self) -> int:
        phone = f"whatsapp:+52155{uuid.uuid4().int % 10**8:08d}"
        return self.cases.open_case(phone, "user_request", {"goal": "crear una cita"}, (), "Ana")

    def settings(self, **env: str) -> Settings:
        return Settings.from_env(self.env(**env))

    def desk(self) -> HandoffDesk:
        sender = TwilioSender("ACtest", "x", "whatsapp:+14155238886", base_url=self.twilio.url)
        rasa = RasaClient(f"http://127.0.0.1:{servers.free_port()}", "rasa-token")
        return HandoffDesk(self.cases, self.log, sender, rasa, 240)

    def env(self, **overrides: str):
        return servers.base_env(**{
            "DATABASE_URL": self.url, "RASA_URL": f"http://127.0.0.1:{servers.free_port()}",
            "TWILIO_ACCOUNT_SID": "ACtest", "TWILIO_AUTH_TOKEN": "test-auth-token",
            "TWILIO_PHONE_NUMBER": "whatsapp:+14155238886",
            "TWILIO_API_BASE_URL": self.twilio.url, "AGENT_ACCOUNTS": "",
            "AGENT_CONSOLE_TOKEN": "", "AGENT_ACCOUNTS_FILE": str(self.folder / "none"),
            **overrides})


def _backend(kind: str, folder: Path):
    url = (f"sqlite:///{folder / 'appointments.db'}" if kind == "sqlite"
           else _postgres_test_url("appointments_console_auth"))
    engine, twilio = create_database_engine(url), FakeTwilio()
    metadata.drop_all(engine)
    create_schema(engine)
    yield Backend(url, folder, SqlHandoffRepository(engine), SqlMessageLog(engine), twilio)
    twilio.stop()
    engine.dispose()


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request, tmp_path_factory):
    """For the tests of what lands in the audit trail: both databases."""
    yield from _backend(request.param, tmp_path_factory.mktemp("console-auth"))


@pytest.fixture(scope="module")
def sqlite(tmp_path_factory):
    yield from _backend("sqlite", tmp_path_factory.mktemp("console-auth-sqlite"))


@pytest.fixture(scope="module")
def hashes():
    return {name: hash_password(password) for name, password in PASSWORDS.items()}


@dataclass
class Running:
    url: str
    server: Optional[servers.Server]

    def get(self, auth, path="/agent/", **kwargs):
        return requests.get(self.url + path, auth=auth, timeout=30, **kwargs)

    def reply(self, auth, case_id, text="Hola, soy del equipo."):
        return requests.post(f"{self.url}/agent/cases/{case_id}/reply", data={"text": text},
                             auth=auth, allow_redirects=False, timeout=30)

    def log(self) -> str:
        return self.server.log.read_text(errors="replace")


@pytest.fixture
def start(tmp_path):
    """start(backend, user, password, **env): the console in a subprocess, ready when
    that user and password get a 200."""
    started = []

    def run(backend: Backend, user: str, password: str, **env: str) -> Running:
        port = servers.free_port()
        started.append(servers.Server(
            "agent console", [sys.executable, "-m", "appointments.console", "--port", str(port)],
            backend.env(**env), f"http://{user}:{password}@127.0.0.1:{port}/agent/",
            tmp_path / f"console-{port}.log").start(timeout=60))
        return Running(f"http://127.0.0.1:{port}", started[-1])

    yield run
    for server in started:
        server.stop()


def test_the_shared_token_never_records_a_typed_name(backend, start):
    console = start(backend, "agente", TOKEN, AGENT_CONSOLE_TOKEN=TOKEN)
    forged = ("Mallory", TOKEN)
    page = console.get(forged).text
    assert "Conectado como agente (clave compartida)" in page and "Mallory" not in page
    case_id = backend.open_case()
    assert console.reply(forged, case_id).status_code == 303
    phone = backend.cases.get(case_id)["phone"]
    [sent] = [m for m in backend.log.conversation(phone) if m["author"] == "agent"]
    assert sent["agent_name"] == "agente (clave compartida)"
    bearer = console.get(None, headers={"Authorization": f"Bearer {TOKEN}"})
    assert bearer.status_code == 200 and "agente (clave compartida)" in bearer.text
    assert f"agent agente (clave compartida) replied on case {case_id}" in console.log()
    assert "Mallory" not in console.log()


def test_a_short_shared_token_is_refused_at_start(sqlite):
    for token in ("corta-123", "x" * 15):
        done = subprocess.run(
            [sys.executable, "-m", "appointments.console", "--port", str(servers.free_port())],
            env=sqlite.env(AGENT_CONSOLE_TOKEN=token), cwd=ROOT, capture_output=True,
            text=True, timeout=60)
        assert done.returncode == 2 and "AGENT_CONSOLE_TOKEN es demasiado corta" in done.stderr
        assert "al menos 16" in done.stderr and token not in done.stderr
    with pytest.raises(ValueError, match="al menos 16"):
        create_app(sqlite.settings(AGENT_CONSOLE_TOKEN="x" * 15), sqlite.desk(),
                   name=f"c{uuid.uuid4().hex}")


def test_an_account_logs_in_and_is_the_recorded_author(backend, start, tmp_path):
    accounts_file = tmp_path / "agent-accounts"
    assert agent_add("ana", PASSWORDS["ana"], accounts_file).returncode == 0
    console = start(backend, "ana", PASSWORDS["ana"], AGENT_ACCOUNTS_FILE=str(accounts_file),
                    AGENT_CONSOLE_TOKEN=TOKEN)
    ana = ("Ana", PASSWORDS["ana"])  # names are not case-sensitive
    page = console.get(ana)
    assert page.status_code == 200 and "Conectado como ana" in page.text
    case_id = backend.open_case()
    assert console.reply(ana, case_id).status_code == 303
    # With accounts the shared token opens nothing, whatever the name typed.
    assert console.get(("ana", TOKEN)).status_code == 401
    assert console.get(None, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 401
    assert console.get(("ana", PASSWORDS["luis"])).status_code == 401
    # An account added while the console runs works without a restart.
    assert agent_add("luis", PASSWORDS["luis"], accounts_file).returncode == 0
    assert "Conectado como luis" in console.get(("luis", PASSWORDS["luis"])).text
    assert f"agent ana replied on case {case_id}" in console.log()
    assert PASSWORDS["ana"] not in console.log()
    phone = backend.cases.get(case_id)["phone"]
    [sent] = [m for m in backend.log.conversation(phone) if m["author"] == "agent"]
    assert sent["agent_name"] == "ana"  # in the database's audit trail too


def test_todays_agenda_needs_a_login_and_records_the_account(backend, start, hashes):
    """The "Hoy" page and its attended / no-show buttons: no login, a wrong password or
    the shared token (accounts exist) get 401 and change nothing; an account's mark is
    recorded under its name."""
    repository = SqlAppointmentRepository(backend.cases.engine, TZ)
    today = datetime.now(TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    start_ = today + timedelta(seconds=uuid.uuid4().int % 3600)  # a second of its own
    code = repository.add(Appointment(
        code=generate_code(), phone="whatsapp:+5215512345678", start=start_,
        end=start_ + timedelta(seconds=1), status="booked",
        created_at=today - timedelta(days=1))).code
    console = start(backend, "ana", PASSWORDS["ana"], AGENT_ACCOUNTS=f"ana:{hashes['ana']}",
                    AGENT_CONSOLE_TOKEN=TOKEN)
    url = f"{console.url}/agent/today/{code}/attendance"
    for auth in (None, ("ana", "mala-clave-123"), ("ana", TOKEN)):
        assert console.get(auth, "/agent/today").status_code == 401
        refused = requests.post(url, data={"attendance": "attended"}, auth=auth,
                                allow_redirects=False, timeout=30)
        assert refused.status_code == 401
    assert repository.get(code).attendance is None
    ana = ("ana", PASSWORDS["ana"])
    assert code in console.get(ana, "/agent/today").text
    marked = requests.post(url, data={"attendance": "attended"}, auth=ana,
                           allow_redirects=False, timeout=30)
    assert marked.status_code == 303
    stored = repository.get(code)
    assert (stored.attendance, stored.attendance_by) == ("attended", "ana")
    assert f"agent ana marked appointment {code} as attended" in console.log()


def test_repeated_failures_lock_the_name_out(sqlite, start, hashes):
    inline = ",".join(f"{name}:{hashes[name]}" for name in ("ana", "luis"))  # commas inside
    console = start(sqlite, "ana", PASSWORDS["ana"], AGENT_ACCOUNTS=inline)
    for _ in range(5):
        assert console.get(("luis", "no-es-la-clave")).status_code == 401
    locked = console.get(("luis", "no-es-la-clave"))
    assert locked.status_code == 429 and "Demasiados intentos" in locked.text
    assert 0 < int(locked.headers["Retry-After"]) <= 300
    assert "WWW-Authenticate" not in locked.headers
    assert locked.headers["Cache-Control"] == "no-store"
    # The right password does not help until the lockout is over.
    assert console.get(("luis", PASSWORDS["luis"])).status_code == 429
    # A burst of parallel guesses cannot all slip in before the first failures count.
    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        answers = [a.status_code for a in pool.map(console.get, [("pepe", "x" * 12)] * 12)]
    assert answers.count(401) <= 5 and answers.count(429) >= 7
    # Another agent behind the same IP is not locked out by these failures.
    assert console.get(("ana", PASSWORDS["ana"])).status_code == 200
    assert "console login failed as 'luis' from 127.0.0.1: locked out" in console.log()


def test_the_lockout_ends_after_its_time(sqlite, hashes, monkeypatch):
    now = [1000.0]
    throttle = LoginThrottle(window_seconds=600, lockout_seconds=300, clock=lambda: now[0])
    checks = []
    real_check = console_auth._check
    monkeypatch.setattr(console_auth, "_check", lambda *args: checks.append(
        threading.current_thread().name) or real_check(*args))
    monkeypatch.setattr(Sanic, "test_mode", True)  # else Sanic 21.12 fails a second app
    settings = sqlite.settings(AGENT_ACCOUNTS=f"luis:{hashes['luis']}")
    authenticator = console_auth.Authenticator(settings, throttle)
    app = create_app(settings, sqlite.desk(), expire_interval_seconds=None,
                     name=f"c{uuid.uuid4().hex}", authenticator=authenticator)
    luis = ("luis", PASSWORDS["luis"])
    with served_here(app) as url:
        console = Running(url, None)
        for _ in range(6):
            console.get(("luis", "mala-clave-123"))
        assert len(checks) == 5  # the sixth was refused before any hashing
        answer = console.get(luis)
        assert answer.status_code == 429 and answer.headers["Retry-After"] == "300"
        now[0] += 299
        assert console.get(luis).status_code == 429
        now[0] += 2
        for _ in range(3):  # a page and its refreshes: one argon2 check, then the cache
            answer = console.get(luis)
            assert answer.status_code == 200 and "Conectado como luis" in answer.text
    assert len(checks) == 6
    assert all(name.startswith("console-login") for name in checks)  # off the event loop
