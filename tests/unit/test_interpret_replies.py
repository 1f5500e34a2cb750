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


# --- English (issue 16): the same readers, the same vocabulary -------------------------

@pytest.mark.parametrize("text, answer, rest", [
    ("yes", True, ()), ("Yeah!", True, ()), ("yep", True, ()), ("yup", True, ()),
    ("sure", True, ()), ("ok", True, ()), ("sounds good", True, ()), ("correct", True, ()),
    ("that's right", True, ()), ("thats right", True, ()), ("That’s correct", True, ()),
    ("go ahead", True, ()), ("confirm", True, ()), ("do it", True, ()), ("please do", True, ()),
    ("yes thank you", True, ()), ("yes please", True, ()), ("yesss", True, ()),
    ("no", False, ()), ("nope", False, ()), ("nah", False, ()), ("no thanks", False, ()),
    ("No thank you", False, ()), ("not really", False, ()), ("never mind", False, ()),
    ("please don't", False, ()), ("no, at 5", False, ("at", "5")),
    ("yes but at 5", True, ("but", "at", "5")),
    ("do you have anything earlier?", None, ("do", "you", "have", "anything", "earlier")),
    ("hi", None, ("hi",)),
])
def test_english_yes_no(text, answer, rest):
    read = read_yes_no(text)
    assert (read.answer, read.rest) == (answer, rest)


@pytest.mark.parametrize("text, index", [
    ("the first one", 0), ("1st", 0), ("2nd", 1), ("the 2nd one", 1), ("second", 1),
    ("the last one", 3), ("two", 1), ("option 3", 2), ("option three", 2), ("at 4", 3),
    ("the one at 11", 1), ("11 am", 1), ("4pm please", 3), ("I'll take the 3rd", 2),
    ("let's go with number 3", 2), ("any", 0), ("either", 0), ("whatever", 0),
    ("the earliest", 0), ("earliest", 0), ("soonest", 0), ("first available", 0), ("asap", 0),
    ("any time", 0), ("doesn't matter", 0), ("whichever", 0), ("that one", None),
    ("no one", None),
])
def test_an_english_pick_from_a_numbered_list(text, index):
    assert read_choice(text, ALTERNATIVES).index == index


@pytest.mark.parametrize("text, hour", [
    ("10 am", time(10)), ("at 4", time(16)), ("4:30 pm", time(16, 30)),
    ("the one at 9 please", time(9)), ("the earliest", time(9)), ("any time", time(9)),
])
def test_a_whole_day_is_answered_with_the_hour_in_english(text, hour):
    choice = read_choice(text, DAY_TIMES, numbered=False)
    assert DAY_TIMES[choice.index].at == hour


@pytest.mark.parametrize("text, index", [
    ("tuesday", 1), ("the thursday one", 3), ("tomorrow", 1), ("today", 0), ("wed", 2),
    ("the first one", 0), ("2nd", 1),
])
def test_an_english_day_list(text, index):
    assert read_choice(text, DAYS, today=date(2026, 11, 30)).index == index


@pytest.mark.parametrize("text, index", [
    ("the one on the 8th", 1), ("the thursday one", 0), ("tuesday at 9", 1),
    ("the one at 4", 0), ("that one", None), ("the one tomorrow", None),
])
def test_an_english_appointment_by_weekday_date_or_time(text, index):
    assert read_choice(text, APPOINTMENTS, numbered=False, today=date(2026, 11, 30)).index == index


@pytest.mark.parametrize("text", ["that one", "this one please", "yes", "yeah that one", "it",
                                  "the same one", "sure"])
def test_that_one_or_yes_picks_the_only_option(text):
    assert read_choice(text, APPOINTMENTS[:1]).index == 0


def test_any_inside_a_question_is_no_pick():
    assert wants_first("any") and wants_first("Any please") and wants_first("the earliest you have")
    assert not wants_first("do you have any on friday?") and not wants_first("either friday or monday")


@pytest.mark.parametrize("text, kind", [
    ("hi", GREET), ("Hello!", GREET), ("hi there", GREET), ("good morning", GREET),
    ("hmm", HESITATE), ("umm", HESITATE), ("let me think", HESITATE), ("idk", HESITATE),
    ("not sure", HESITATE), ("I don't know which", HESITATE), ("which one?", HESITATE),
    ("thanks", THANK), ("thank you!", THANK), ("Thank you so much", THANK), ("ok thanks", THANK),
    ("thx", THANK), ("never mind", LEAVE), ("nvm", LEAVE), ("forget it", LEAVE),
    ("cancel that", LEAVE), ("stop", LEAVE), ("go back", LEAVE), ("main menu", LEAVE),
    ("no thanks", LEAVE), ("so never mind", LEAVE), ("ok I changed my mind", LEAVE),
    ("what time do you open?", None), ("tuesday", None),
])
def test_english_interjections(text, kind):
    assert read_interjection(text) == kind


def test_english_assistant_words():
    assert wants_assistant("main menu") and wants_assistant("Menu please")
    assert wants_assistant("back to the bot") and wants_assistant("assistant")
    assert not wants_assistant("book an appointment")


@pytest.mark.parametrize("text", ["option 4", "Option 4", "number 4", "the option 4"])
def test_english_menu_numbers(text):
    assert menu_choice(text, MENU) == "human_handoff"


# Spanish words that are English words too, or English words that are Spanish ones: the
# Spanish reading stays ("me" / "a" / "con" / "once" / "sale" / "don" / "yo" / "red" / "pie").
@pytest.mark.parametrize("text, answer", [
    ("sale", True), ("me late", True), ("me parece", True), ("si", True), ("no", False),
    ("yo", None), ("don", None), ("once", None), ("a las 5", None),
])
def test_spanish_yes_no_is_unchanged(text, answer):
    assert read_yes_no(text).answer is answer


def test_spanish_picks_are_unchanged():
    twelve = [Option(d.isoformat(), d) for d in (date(2026, 12, n) for n in range(1, 13))]
    assert read_choice("la once", twelve).index == 10  # Spanish eleven, no English "once"
    assert read_choice("me quedo con la 2", ALTERNATIVES).index == 1
    assert read_choice("a las 4", ALTERNATIVES).index == 3
    assert read_choice("sale", APPOINTMENTS[:1]).index == 0
    assert read_choice("no", DAYS).index is None and read_choice("yo", DAYS).index is None
    assert read_interjection("yo") is None and read_interjection("red") is None
    assert read_interjection("pie") is None and read_interjection("no gracias") == LEAVE


@pytest.mark.parametrize("text, hour", [("ok 11 then", 11), ("ok 11 entonces", 11),
                                        ("bueno, a las 4 pues", 16), ("so 10 then", 10)])
def test_a_pick_after_a_pause_word_is_still_a_pick(text, hour):
    picked = read_choice(text, DAY_TIMES, numbered=False)
    assert DAY_TIMES[picked.index].at == time(hour)


def test_a_pause_word_alone_picks_nothing():
    assert read_choice("ok", DAY_TIMES).index is None
    assert read_choice("ok then", DAY_TIMES).index is None


@pytest.mark.parametrize("text, index", [("cancel the second one", 1), ("cancela la segunda", 1),
                                         ("cambia la 2", 1), ("move the first one", 0)])
def test_a_request_around_a_pick_from_a_list_picks(text, index):
    assert read_choice(text, APPOINTMENTS, numbered=True).index == index
