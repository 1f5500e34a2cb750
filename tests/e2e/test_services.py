"""The shipped business.yml end to end: a dental clinic with three services of different
lengths (consulta 30 min $400, limpieza 1 h $800-1,200, blanqueamiento 1 h 30 min
$3,500) and its own closed dates (24 December, Nochebuena).

Every other suite runs the one-service profile tests/business_one_service.yml (see
tests/conftest.py), so this module starts a stack of its own, like the conversation
suite does: its own Redis, its own database, the action server and the Rasa server with
BUSINESS_FILE pointing at the shipped file and "now" fixed at Monday 30 November 2026,
08:00 in Mexico City. Everything goes through the REST channel.

Days used (one per test, so the tests do not depend on each other's bookings):
Wednesday 2 December (a), Thursday 3 (b), Friday 4 (c).
"""
from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Set

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.engine import Engine

from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql.tables import appointments, metadata
from appointments.settings import PROJECT_ROOT
from tests.conftest import TZ, _postgres_test_url
from tests.e2e import servers

MODEL = servers.ROOT / "models" / "citas.tar.gz"
SHIPPED_BUSINESS = PROJECT_ROOT / "business.yml"
REFERENCE_NOW = "2026-11-30T08:00:00-06:00"  # Monday, before opening
# Environment variables that would override the file's hours and booking rules
# (appointments.settings.load_business): the file alone must decide here.
FILE_OVERRIDES = ("BUSINESS_HOURS", "BUSINESS_TIMEZONE", "SLOT_MINUTES",
                  "BOOKING_HORIZON_DAYS", "MIN_NOTICE_MINUTES", "HOLIDAYS_COUNTRY")

CODE = re.compile(r"\*([A-HJKMNP-Z][2-9][A-HJKMNP-Z]-[2-9][A-HJKMNP-Z]{2})\*")
CLOCK_TIME = re.compile(r"\b\d{2}:\d{2}\b")
# (name, duration, price) as the service question lists them, in business.yml's order
SHIPPED_SERVICES = (
    ("Consulta de valoración", "(30 min)", "$400"),
    ("Limpieza dental", "(1 h)", "$800 a $1,200"),
    ("Blanqueamiento", "(1 h 30 min)", "$3,500"),
)


@dataclass
class ServicesStack:
    rasa_url: str
    engine: Engine

    def say(self, sender: str, text: str) -> str:
        """Send one message through the REST channel; every bot text of the turn joined."""
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        return "\n".join(m.get("text", "") for m in response.json() if m.get("text"))

    def rows(self, phone: str) -> List[Dict[str, Any]]:
        """The appointments table's rows of `phone`, as stored (all columns)."""
        query = (select(appointments).where(appointments.c.phone == phone)
                 .order_by(appointments.c.starts_at))
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]


def _database_url(tmp_path_factory) -> str:
    """PostgreSQL when reachable (a database of this module's own, emptied, so the
    session stack's database is never touched), else a fresh SQLite file."""
    try:
        url = _postgres_test_url("appointments_services")
    except pytest.skip.Exception:
        return f"sqlite:///{tmp_path_factory.mktemp('services-db') / 'appointments.db'}"
    engine = create_database_engine(url)
    metadata.drop_all(engine)  # fresh schema: the columns of this checkout
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def services_stack(tmp_path_factory) -> ServicesStack:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    logs = tmp_path_factory.mktemp("services-logs")
    database_url = _database_url(tmp_path_factory)
    engine = create_database_engine(database_url)
    create_schema(engine)
    redis_server = servers.RedisServer(
        servers.free_port(), tmp_path_factory.mktemp("services-redis"), logs / "redis.log"
    ).start()
    action_port, rasa_port = servers.free_port(), servers.free_port()
    token = secrets.token_urlsafe(16)
    env = servers.base_env(
        BUSINESS_FILE=str(SHIPPED_BUSINESS),
        NLU_REFERENCE_TIME=REFERENCE_NOW,
        DATABASE_URL=database_url,
        REDIS_HOST="127.0.0.1", REDIS_PORT=str(redis_server.port), REDIS_DB="0",
        REDIS_URL=f"redis://127.0.0.1:{redis_server.port}/0",
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
        RASA_API_TOKEN=token,
        AGENT_PHONE_NUMBER="", HANDOFF_WEBHOOK_URL="", TWILIO_ACCOUNT_SID="",
    )
    for name in FILE_OVERRIDES:
        env.pop(name, None)
    started = []
    try:
        for server in (
            servers.action_server(action_port, env, logs / "actions.log"),
            servers.rasa_server(rasa_port, MODEL, token, env, logs / "rasa.log"),
        ):
            started.append(server.start())
        yield ServicesStack(f"http://127.0.0.1:{rasa_port}", engine)
    finally:
        for server in reversed(started):
            server.stop()
        redis_server.stop()
        engine.dispose()


def new_sender() -> str:
    return f"whatsapp:+52155{uuid.uuid4().int % 10**8:08d}"


def listed_times(reply: str) -> Set[str]:
    """Every "HH:MM" of a time list ("Mañana: 09:00, 09:30\nTarde: 12:00, ...")."""
    return set(CLOCK_TIME.findall(reply))


def local(moment: datetime) -> datetime:
    return moment.astimezone(TZ)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of December 2026 in the business's time zone."""
    return datetime(2026, 12, day, hour, minute, tzinfo=TZ)


def code_in(reply: str) -> str:
    match = CODE.search(reply)
    assert match, reply
    return match.group(1)


# --- (a) choosing the service; a 60-minute booking holds two 30-minute slots ---------

def test_booking_asks_for_the_service_and_a_long_one_takes_two_slots(services_stack):
    say, first = services_stack.say, new_sender()

    question = say(first, "quiero una cita")
    assert "¿Qué servicio necesitas?" in question, question
    lines = question.splitlines()
    for number, (name, duration, price) in enumerate(SHIPPED_SERVICES, start=1):
        line = next((l for l in lines if name in l), "")
        assert line.startswith(f"{number}. "), question
        assert duration in line and price in line, line

    days = say(first, "2")  # the second service: Limpieza dental
    assert "¿Para qué día" in days, days
    assert "¿Qué servicio" not in days

    times = say(first, "el miercoles")
    assert "Horarios libres el miércoles 2 de diciembre" in times, times
    assert "10:00" in listed_times(times)

    confirm = say(first, "10:00")
    assert "¿Confirmas tu cita" in confirm, confirm
    assert "Limpieza dental" in confirm
    assert "miércoles 2 de diciembre a las 10:00" in confirm

    done = say(first, "sí")
    assert "quedó agendada" in done and "Limpieza dental" in done, done
    code = code_in(done)

    [row] = services_stack.rows(first)
    assert row["code"] == code and row["status"] == "booked"
    assert "service" in row, "the appointments table has no `service` column"
    assert row["service"] == "limpieza"
    assert local(row["starts_at"]) == at(2, 10)
    assert local(row["ends_at"]) == at(2, 11)  # 60 minutes, not one 30-minute slot

    # Someone else wants a 30-minute consulta that day: 10:00 and 10:30 are both taken.
    second = new_sender()
    assert "¿Qué servicio necesitas?" in say(second, "quiero una cita")
    assert "¿Para qué día" in say(second, "1")  # Consulta de valoración
    other_times = say(second, "el miercoles")
    assert "Horarios libres el miércoles 2 de diciembre" in other_times, other_times
    offered = listed_times(other_times)
    assert "10:00" not in offered and "10:30" not in offered, other_times
    assert "09:30" in offered and "11:00" in offered, other_times

    # A 60-minute limpieza cannot start at 09:30 either: it would run into 10:00.
    third = new_sender()
    third_times = say(third, "quiero una limpieza el miercoles")
    assert "Horarios libres el miércoles 2 de diciembre" in third_times, third_times
    offered = listed_times(third_times)
    assert not {"09:30", "10:00", "10:30"} & offered, third_times
    assert "09:00" in offered and "11:00" in offered, third_times


# --- (b) the service named in the first message --------------------------------------

def test_a_service_named_up_front_skips_the_service_question(services_stack):
    say, sender = services_stack.say, new_sender()

    times = say(sender, "quiero una limpieza el jueves")
    assert "¿Qué servicio necesitas?" not in times, times
    assert "¿Para qué día" not in times, times
    assert "Horarios libres el jueves 3 de diciembre" in times, times
    offered = listed_times(times)
    assert "09:00" in offered and "17:00" in offered, times
    assert "17:30" not in offered, times  # a 1-hour limpieza would end after 18:00

    confirm = say(sender, "a las 12")
    assert "Limpieza dental" in confirm, confirm
    assert "jueves 3 de diciembre a las 12:00" in confirm
    assert services_stack.rows(sender) == []  # nothing booked before the "sí"


# --- (c) "mis citas" names the service ------------------------------------------------

def book_on_friday(stack: ServicesStack, sender: str, request: str, hour: str,
                   service_name: str) -> str:
    """Book `request` ("quiero una limpieza el viernes") at `hour`; return its code."""
    times = stack.say(sender, request)
    assert "Horarios libres el viernes 4 de diciembre" in times, times
    confirm = stack.say(sender, hour)
    assert service_name in confirm and f"viernes 4 de diciembre a las {hour}" in confirm, confirm
    done = stack.say(sender, "sí")
    assert "quedó agendada" in done and service_name in done, done
    return code_in(done)


def test_my_appointments_name_each_service(services_stack):
    sender = new_sender()
    cleaning = book_on_friday(services_stack, sender, "quiero una limpieza el viernes",
                              "12:00", "Limpieza dental")
    checkup = book_on_friday(services_stack, sender, "quiero una consulta el viernes",
                             "16:00", "Consulta de valoración")

    listing = services_stack.say(sender, "mis citas")
    lines = listing.splitlines()
    cleaning_line = next((l for l in lines if cleaning in l), "")
    checkup_line = next((l for l in lines if checkup in l), "")
    assert "viernes 4 de diciembre, 12:00" in cleaning_line, listing
    assert "Limpieza dental" in cleaning_line, listing
    assert "viernes 4 de diciembre, 16:00" in checkup_line, listing
    assert "Consulta de valoración" in checkup_line, listing

    services_by_code = {r["code"]: r["service"] for r in services_stack.rows(sender)}
    assert services_by_code == {cleaning: "limpieza", checkup: "consulta"}


# --- (d) answers come from the shipped file -------------------------------------------

@pytest.mark.parametrize(
    "question, expected",
    [
        ("cuanto cuesta el blanqueamiento", ["Blanqueamiento", "$3,500"]),
        ("cuanto cuesta la limpieza?", ["Limpieza dental", "$800 a $1,200"]),
        # a closed date of business.yml, not an official holiday
        ("abren el 24 de diciembre?", ["jueves 24 de diciembre", "no abrimos (Nochebuena)"]),
        ("horario?", ["lunes a viernes: 09:00 a 18:00", "sábado: 09:00 a 13:00",
                      "domingo: cerrado"]),
        ("donde estan?", ["Clínica Dental Sonrisa Roma", "Calle Orizaba 101"]),
        ("atienden niños?", ["desde los 4 años"]),  # a frequent question of the file
    ],
    ids=["price-one", "price-range", "closed-date", "hours", "address", "faq"],
)
def test_answers_come_from_the_shipped_business_file(services_stack, question, expected):
    reply = services_stack.say(new_sender(), question)
    for text in expected:
        assert text in reply, reply
    assert "Consultorio Ejemplo" not in reply  # not the test profile's
