"""Numbered replies pick the option the bot listed."""
import pytest

from appointments.nlu.menu_numbers import menu_choice
from appointments.nlu.options import pick_option


@pytest.mark.parametrize(
    "text, index",
    [
        ("2", 1), (" 2 ", 1), ("2.", 1), ("la 2", 1), ("el 3", 2), ("opción 1", 0),
        ("opcion 1", 0), ("#4", 3), ("2️⃣", 1), ("la segunda", 1), ("el primero", 0),
        ("la última", 3), ("Número 3", 2), ("la 2 porfa", 1),
    ],
)
def test_picks(text, index):
    assert pick_option(text, 4) == index


@pytest.mark.parametrize(
    "text",
    ["5", "0", "el 2 de diciembre", "a las 2", "mañana", "", None, "no", "sí", "la una"],
)
def test_not_a_pick(text):
    assert pick_option(text, 4) is None


def test_nothing_offered():
    assert pick_option("1", 0) is None


MENU = {"1": "book_appointment", "4": "human_handoff"}


@pytest.mark.parametrize("text", ["4", " 4 ", "4.", "4)", "4️⃣", "opción 4", "Opcion 4", "#4", "número 4", "la opción 4"])
def test_menu_numbers(text):
    assert menu_choice(text, MENU) == "human_handoff"


@pytest.mark.parametrize("text", ["7", "44", "la 4", "el 4 de diciembre", "a las 4", "", None])
def test_not_menu_numbers(text):
    assert menu_choice(text, MENU) is None
