"""The shipped business.yml end to end: a dental clinic with three services of different
lengths (consulta 30 min $400, limpieza 1 h $800-1,200, blanqueamiento 1 h 30 min
$3,500) and its own closed dates (24 December, Nochebuena), on the stack of
tests/e2e/shipped_stack.py. Everything goes through the REST channel.

Days used (one per test, so the tests do not depend on each other's bookings):
Wednesday 2 December (a), Thursday 3 (b), Friday 4 (c).
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Set

import pytest

from tests.conftest import TZ
from tests.e2e.shipped_stack import ServicesStack

CODE = re.compile(r"\*([A-HJKMNP-Z][2-9][A-HJKMNP-Z]-[2-9][A-HJKMNP-Z]{2})\*")
CLOCK_TIME = re.compile(r"\b\d{2}:\d{2}\b")
# (name, duration, price) as the service question lists them, in business.yml's order
SHIPPED_SERVICES = (
    ("Consulta de valoración", "(30 min)", "$400"),
    ("Limpieza dental", "(1 h)", "$800 a $1,200"),
    ("Blanqueamiento", "(1 h 30 min)", "$3,500"),
)


def new_sender() -> str:
    return f"whatsapp:+52155{uuid.uuid4().int % 10**8:08d}"


def listed_times(reply: str) -> Set[str]:
    """Every "HH:MM" of a time list ("Mañana: 09:00, 09:30\nTarde: 12:00, ...")."""
    listed = [line for line in reply.splitlines() if line.startswith(("Mañana:", "Tarde:"))]
    return set(CLOCK_TIME.findall("\n".join(listed)))  # not the "(por ejemplo *10:30*)"


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
