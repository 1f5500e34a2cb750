"""The console's "Hoy" page, run for real: `python -m appointments.console` in a
subprocess over a real database (SQLite file, and PostgreSQL when reachable), with "now"
fixed at Wednesday 2026-11-25 10:00 in Mexico City (NLU_REFERENCE_TIME)."""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import requests
from sqlalchemy import delete

from appointments.adapters.sql.appointments import SqlAppointmentRepository
from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.tables import appointments as table
from appointments.adapters.sql.tables import metadata
from appointments.domain import Appointment

from tests.conftest import FIXED_NOW, TZ, _postgres_test_url
from tests.e2e import servers

TOKEN = "consola-secreta-123"
AUTH = ("Lucía", TOKEN)
SHARED = "agente (clave compartida)"


@dataclass
class Console:
    url: str
    repository: SqlAppointmentRepository

    def get(self, path="/agent/today", auth=AUTH, **kwargs):
        return requests.get(self.url + path, auth=auth, timeout=10, **kwargs)

    def mark(self, code, attendance, auth=AUTH, **kwargs):
        return requests.post(f"{self.url}/agent/today/{code}/attendance",
                             data={"attendance": attendance}, auth=auth, timeout=10,
                             allow_redirects=False, **kwargs)

    def add(self, code, hour, minute=0, day=25, phone="whatsapp:+5215512345678",
            name="Ana", status="booked"):
        start = datetime(2026, 11, day, hour, minute, tzinfo=TZ)
        added = self.repository.add(Appointment(
            code=code, phone=phone, start=start, end=start + timedelta(minutes=30),
            status="booked", created_at=FIXED_NOW - timedelta(days=2), customer_name=name))
        if status == "cancelled":
            self.repository.cancel(code, phone, FIXED_NOW)
        return added


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def running(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("console-agenda")
    url = (f"sqlite:///{folder / 'appointments.db'}" if request.param == "sqlite"
           else _postgres_test_url("appointments_console"))  # test_console.py's, in turn
    engine = create_database_engine(url)
    metadata.drop_all(engine)
    create_schema(engine)
    port = servers.free_port()
    env = servers.base_env(
        DATABASE_URL=url, AGENT_CONSOLE_TOKEN=TOKEN, AGENT_ACCOUNTS="",
        AGENT_ACCOUNTS_FILE=str(folder / "no-agent-accounts"),
        RASA_URL=f"http://127.0.0.1:{servers.free_port()}", RASA_API_TOKEN="rasa-token",
        NLU_REFERENCE_TIME=FIXED_NOW.isoformat(),
    )
    server = servers.Server(
        "agent console", [sys.executable, "-m", "appointments.console", "--port", str(port)],
        env, f"http://agente:{TOKEN}@127.0.0.1:{port}/agent/", folder / "console.log",
    ).start(timeout=60)
    yield Console(f"http://127.0.0.1:{port}", SqlAppointmentRepository(engine, TZ))
    server.stop()
    engine.dispose()


@pytest.fixture
def console(running):
    with running.repository.engine.begin() as connection:
        connection.execute(delete(table))
    return running


def listed(page):
    return re.findall(r'<li class="(?:booked|cancelled)" id="cita-([A-Z0-9-]+)"', page)


def test_the_page_and_the_buttons_need_a_login(console):
    console.add("A2A-2AA", 9)
    for auth in (None, ("Lucía", "wrong"), ("", "")):
        assert console.get(auth=auth).status_code == 401
        assert console.mark("A2A-2AA", "attended", auth=auth).status_code == 401
    assert console.repository.get("A2A-2AA").attendance is None


def test_the_case_list_links_to_today(console):
    page = console.get("/agent/").text
    assert '<a href="/agent/today">Citas de hoy</a>' in page


def test_today_lists_the_business_day_in_order_with_its_state(console):
    console.add("C4C-4CC", 12, name="Carla", status="cancelled")
    console.add("B3B-3BB", 11, name="Beto", phone="whatsapp:+5215587654321")
    console.add("A2A-2AA", 9, name="Ana")
    console.add("M5M-5MM", 0, 0, name="Medianoche")  # 06:00 UTC: today, first
    console.add("N6N-6NN", 23, 45, name="Noche")  # 05:45 UTC of the 26th: still today
    console.add("Y7Y-7YY", 23, 30, day=24, name="Ayer")
    console.add("T8T-8TT", 9, day=26, name="Mañana")
    assert console.repository.confirm("A2A-2AA", "whatsapp:+5215512345678", FIXED_NOW)
    page = console.get().text
    assert listed(page) == ["M5M-5MM", "A2A-2AA", "B3B-3BB", "C4C-4CC", "N6N-6NN"]
    assert "Citas de hoy, miércoles 25 de noviembre (4)" in page  # the cancelled one apart
    rows = dict(zip(listed(page), page.split('<li class="')[1:]))
    assert '<span class="time">09:00</span>' in rows["A2A-2AA"]
    # stored and shown in one form: +521 (legacy mobile prefix) is +52
    assert "Ana" in rows["A2A-2AA"] and "whatsapp:+525512345678" in rows["A2A-2AA"]
    assert "✅ Confirmada" in rows["A2A-2AA"] and "(25/11 10:00)" in rows["A2A-2AA"]
    assert "Sin confirmar" in rows["B3B-3BB"] and "whatsapp:+525587654321" in rows["B3B-3BB"]
    assert "Cancelada" in rows["C4C-4CC"] and "attendance" not in rows["C4C-4CC"]
    assert '<span class="time">23:45</span>' in rows["N6N-6NN"]
    assert rows["B3B-3BB"].count('method="post"') == 2
    assert 'action="/agent/today/B3B-3BB/attendance"' in rows["B3B-3BB"]


def test_an_agent_records_attendance_and_may_correct_it(console):
    console.add("A2A-2AA", 9)
    answer = console.mark("A2A-2AA", "no_show")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/agent/today?aviso=no_show&cita=A2A-2AA"
    stored = console.repository.get("A2A-2AA")
    assert (stored.attendance, stored.attendance_by) == ("no_show", SHARED)
    assert stored.attendance_at == FIXED_NOW
    page = console.get(answer.headers["Location"]).text
    assert "Cita A2A-2AA: quedó registrada como «No asistió»." in page
    assert "registró agente (clave compartida), 10:00" in page
    assert '<button type="submit" class="no_show" disabled>' in page
    assert console.mark("A2A-2AA", "attended").status_code == 303
    assert console.repository.get("A2A-2AA").attendance == "attended"


def test_what_cannot_be_recorded_is_refused(console):
    console.add("C4C-4CC", 12, status="cancelled")
    console.add("T8T-8TT", 9, day=26)
    console.add("A2A-2AA", 9)
    assert console.mark("C4C-4CC", "attended").status_code == 409
    tomorrow = console.mark("T8T-8TT", "no_show")
    assert tomorrow.status_code == 409 and "es de otro día" in tomorrow.text
    assert console.mark("Z9Z-9ZZ", "attended").status_code == 404
    assert console.mark("A2A-2AA", "maybe").status_code == 400
    assert console.mark("A2A-2AA", "").status_code == 400
    assert [console.repository.get(c).attendance for c in ("C4C-4CC", "T8T-8TT", "A2A-2AA")] \
        == [None, None, None]


def test_a_cross_origin_post_is_refused(console):
    console.add("A2A-2AA", 9)
    answer = console.mark("A2A-2AA", "attended", headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403
    assert console.repository.get("A2A-2AA").attendance is None
    same = console.mark("A2A-2AA", "attended", headers={"Origin": console.url})
    assert same.status_code == 303


def test_names_are_escaped(console):
    console.add("A2A-2AA", 9, name='<img src=x onerror="alert(1)">')
    page = console.get().text
    assert "<img" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
