"""Words that settle the intent when the classifier hesitates between neighbours."""
import pytest

from appointments.interpret.intent_hints import hinted_intent
from appointments.interpret.requested_time import names_a_moment


@pytest.mark.parametrize("text, intent, has_time, hinted", [
    ("mejor cancélala", "deny", False, "cancel_appointment"),
    ("cambiala pal martes 15 a las 9", "book_appointment", True, "reschedule_appointment"),
    ("hola buenas, tienen el jueves a las 10?", "greet", True, "book_appointment"),
    ("kiero sita el domingo tempranito", "nlu_fallback", True, "book_appointment"),
    ("cita el domingo a las 11", "list_appointments", True, "book_appointment"),
    ("ok ya, el viernes a las 12 entonces", "cancel_appointment", True, "book_appointment"),
    ("mis citas del jueves", "list_appointments", True, None),
    ("cancela la del jueves", "cancel_appointment", True, None),
    ("hola", "greet", False, None),
    ("quién ganó el partido de ayer?", "out_of_scope", True, None),
    ("que tal estuvo la semana pasada", "out_of_scope", True, None),
    ("quién ganó el partido de ayer?", "bot_challenge", True, None),
    ("ayer no pude ir, quiero otra cita el viernes", "out_of_scope", True, "book_appointment"),
    ("hazme el favor, pasado mañana a las 5", "out_of_scope", True, "book_appointment"),
])
def test_hinted_intent(text, intent, has_time, hinted):
    assert hinted_intent(text, intent, has_time) == hinted


def test_now_and_this_month_are_no_moment_to_book():
    def entity(**info):
        return {"entity": "time", "additional_info": info}
    assert names_a_moment(entity(grain="day")) and names_a_moment(entity(type="interval"))
    assert not names_a_moment(entity(grain="second"))  # "ya", "ahora"
    assert not names_a_moment(entity(grain="month"))  # "este mes"


def test_an_unsure_question_about_opening_on_a_day_is_about_the_hours():
    from appointments.interpret.intent_hints import hinted_intent

    assert hinted_intent("abren el sabado?", "nlu_fallback", True) == "ask_hours"
    assert hinted_intent("buenas, atienden el 25?", "greet", True) == "ask_hours"
    assert hinted_intent("hola atienden el sabado? quiero cita", "greet", True) == "book_appointment"
    assert hinted_intent("hola, cita el sabado", "greet", True) == "book_appointment"


def test_a_long_story_with_a_day_under_a_business_question_is_a_booking():
    from appointments.interpret.intent_hints import hinted_intent

    story = ("hola q tal buenas noches, oiga necesito traer a mi mama a revision porque ya le "
             "toca, q tiene el jueves en la tarde?")
    assert hinted_intent(story, "ask_preparation", True) == "book_appointment"
    assert hinted_intent("puedo pagar con tarjeta el viernes?", "ask_payment", True) is None


def test_an_unsure_business_question_that_names_a_time_gives_the_time():
    assert hinted_intent("ah caray, entonces a las 11", "ask_facilities", True, 0.57) == "inform"
    assert hinted_intent("hay estacionamiento a las 11?", "ask_facilities", True, 0.97) is None
    assert hinted_intent("ah caray", "ask_facilities", False, 0.57) is None


@pytest.mark.parametrize("text", ["English", "in english pls", "english please", "español",
                                  "en español por favor", "can we do english?"])
def test_asking_for_a_language_by_name_is_switching_language(text):
    assert hinted_intent(text, "greet", False) == "switch_language"
    assert hinted_intent(text, "nlu_fallback", False, 0.3) == "switch_language"


@pytest.mark.parametrize("text, intent, hinted", [
    ("change it pls", "affirm", "reschedule_appointment"),
    ("can you move it to friday", "book_appointment", "reschedule_appointment"),
    ("cancel it", "deny", "cancel_appointment"),
    ("i speak english and spanish", "greet", None),  # names both: no request
])
def test_english_words_settle_the_intent_too(text, intent, hinted):
    assert hinted_intent(text, intent, False) == hinted


def test_english_small_talk_about_the_past_is_not_a_booking():
    assert hinted_intent("who won the game last night", "out_of_scope", True) is None
    assert hinted_intent("are you open on saturday", "greet", True) == "ask_hours"
    assert hinted_intent("hey, saturday at 10", "greet", True) == "book_appointment"


@pytest.mark.parametrize("text", ["don't cancel it", "no dont change it", "do not move it"])
def test_a_negated_english_cancel_or_change_is_left_to_the_classifier(text):
    assert hinted_intent(text, "deny", False) is None


@pytest.mark.parametrize("text, hinted", [
    ("17 hrs", "inform"), ("a las 5 pm", "inform"),
    ("hrs on saturday?", None), ("what r ur hours on sat", None), ("horario del sábado?", None),
    ("a q hora abren el sabado", None), ("tienen servicio en domingo?", None),
    ("oye el lunes es festivo, van a abrir?", None), ("at 4pm", "inform"),
])
def test_an_hour_alone_is_no_question_about_the_hours(text, hinted):
    assert hinted_intent(text, "ask_hours", True) == hinted


def test_another_one_for_someone_else_is_a_booking_not_a_listing():
    said = "and another one on friday at 10 for my husband"
    assert hinted_intent(said, "list_appointments", True) == "book_appointment"
    assert hinted_intent("my appointments on friday?", "list_appointments", True) is None
