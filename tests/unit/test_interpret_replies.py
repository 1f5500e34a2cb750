"""Replies read against what the bot just asked: options, hours, yes/no, leaving."""
from datetime import date, time

import pytest

from appointments.interpret.choices import Option, read_choice, wants_first
from appointments.interpret.menu import menu_choice
from appointments.interpret.replies import GREET, HESITATE, LEAVE, THANK, read_interjection, wants_assistant
from appointments.interpret.yes_no import read_yes_no

TUESDAY = date(2026, 12, 1)
DAY_TIMES = [Option(f"t{m}", TUESDAY, time(m // 60, m % 60)) for m in range(9 * 60, 18 * 60, 30)]
ALTERNATIVES = [Option(v, date(2026, 12, 4), at) for v, at in
                (("a", time(10)), ("b", time(11)), ("c", time(12)), ("d", time(16)))]
DAYS = [Option(d.isoformat(), d) for d in (date(2026, 11, 30), date(2026, 12, 1),
                                           date(2026, 12, 2), date(2026, 12, 3))]
APPOINTMENTS = [Option("K8P-8RH", date(2026, 12, 3), time(16), "K8P-8RH"),
                Option("T5U-9KQ", date(2026, 12, 8), time(9), "T5U-9KQ")]


@pytest.mark.parametrize("text, hour", [
    ("10", time(10)), ("4", time(16)), ("11", time(11)), ("12", time(12)), ("4:30", time(16, 30)),
    ("a las 4", time(16)), ("la de las 9", time(9)), ("16:00", time(16)), ("5 pm", time(17)),
    ("las 10 porfa", time(10)), ("la más temprana", time(9)), ("cualquiera", time(9)),
])
def test_a_whole_day_is_answered_with_the_hour(text, hour):
    choice = read_choice(text, DAY_TIMES, numbered=False)
    assert DAY_TIMES[choice.index].at == hour


@pytest.mark.parametrize("text, index", [
    ("11", 1), ("2", 1), ("10", 0), ("la segunda", 1), ("la última", 3), ("2️⃣", 1),
    ("opción 3", 2), ("#1", 0), ("16:00", 3),
])
def test_a_numbered_list_by_position_or_listed_hour(text, index):
    assert read_choice(text, ALTERNATIVES).index == index


def test_a_number_that_is_both_a_position_and_a_listed_hour_is_asked_about():
    choice = read_choice("4", ALTERNATIVES)  # option 4 (16:00)... or 16:00? the same one
    assert choice.index == 3
    times = [Option(v, TUESDAY, at) for v, at in (("a", time(9)), ("b", time(10)), ("c", time(11)),
                                                  ("d", time(12)), ("e", time(15)))]
    choice = read_choice("3", times)  # option 3 is 11:00, 3 pm is 15:00
    assert choice.ambiguous and set(choice.candidates) == {2, 4}


@pytest.mark.parametrize("text, index", [
    ("k8p8rh", 0), ("T5U 9KQ", 1), ("la del jueves", 0), ("la del 8", 1), ("la de las 4", 0),
    ("el martes", 1), ("2", 1), ("cancela la del martes", 1), ("la de mañana", None),
    ("la de las 9 del martes", 1), ("esa", None),
])
def test_an_appointment_by_code_weekday_date_or_time(text, index):
    assert read_choice(text, APPOINTMENTS, today=date(2026, 11, 30)).index == index


def test_esa_or_si_picks_the_only_option():
    assert read_choice("esa", APPOINTMENTS[:1]).index == 0
    assert read_choice("sí", APPOINTMENTS[:1]).index == 0


@pytest.mark.parametrize("text, index", [("2", 1), ("la 3", 2), ("el jueves", 3), ("mañana", 1),
                                         ("la primera", 0), ("el segundo", 1)])
def test_a_day_list(text, index):
    assert read_choice(text, DAYS, today=date(2026, 11, 30)).index == index


@pytest.mark.parametrize("text", ["5", "0", "el 2 de diciembre a las 2 pm", "", None, "no",
                                  "quiero hablar con alguien"])
def test_not_a_pick(text):
    assert read_choice(text, DAYS).index is None


@pytest.mark.parametrize("text, answer, rest", [
    ("si", True, ()), ("Sí, gracias", True, ()), ("simón", True, ()), ("sip", True, ()),
    ("va", True, ()), ("órale", True, ()), ("sale pues", True, ()), ("👍", True, ()),
    ("nel", False, ()), ("mejor no", False, ()), ("no, a las 5", False, ("a", "las", "5")),
    ("siiii", True, ()), ("claro que sí", True, ()), ("hola", None, ("hola",)),
])
def test_yes_no(text, answer, rest):
    read = read_yes_no(text)
    assert (read.answer, read.rest) == (answer, rest)


@pytest.mark.parametrize("text, kind", [
    ("hola?", GREET), ("buenas tardes", GREET), ("?", HESITATE), ("hmm", HESITATE),
    ("no sé", HESITATE), ("ya no, gracias", LEAVE), ("olvídalo", LEAVE), ("menú", LEAVE),
    ("gracias!", THANK), ("oye y a qué hora abren", None), ("el martes", None),
])
def test_interjections(text, kind):
    assert read_interjection(text) == kind


def test_first_free_and_assistant_words():
    assert wants_first("lo antes posible porfa") and wants_first("la que sea")
    assert not wants_first("el jueves")
    assert wants_assistant("Menú") and wants_assistant("volver al asistente")
    assert not wants_assistant("quiero una cita")


MENU = {"1": "book_appointment", "4": "human_handoff"}


@pytest.mark.parametrize("text", ["4", " 4 ", "4.", "4)", "4️⃣", "opción 4", "Opcion 4", "#4",
                                  "número 4", "la opción 4"])
def test_menu_numbers(text):
    assert menu_choice(text, MENU) == "human_handoff"


@pytest.mark.parametrize("text", ["7", "44", "la 4", "el 4 de diciembre", "a las 4", "", None])
def test_not_menu_numbers(text):
    assert menu_choice(text, MENU) is None
