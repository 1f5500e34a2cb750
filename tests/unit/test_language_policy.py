"""The per-conversation language policy (appointments/interpret/language.py), pure: the
detector's answer is given. Even a detector sure of the other language cannot flip a
short or ambiguous reply; an explicit request always switches."""
from __future__ import annotations

import pytest

from appointments.interpret.language import (
    ENGLISH, SPANISH, Detection, keep_language, real_words, requested_language)

SURE_EN, SURE_ES = Detection(ENGLISH, 0.99), Detection(SPANISH, 0.99)

# Replies that say nothing about the language, whatever the detector thinks.
AMBIGUOUS = ["ok", "OK!", "10", "si", "sí", "Sí 👍", "yes", "no", "Nooo", "k", "K7P-3QX",
             "15/12", "15/12 10:30", "👍", "🙏🙏", "😂", "gracias",
             "Gracias!!", "thanks", "thx", "ty", "hola", "hi", "hello", "hey", "bye", "ok gracias",
             "ok thank you", "yes please", "jajaja", "lol ok", "2", "2️⃣", "#3", "4pm", "10:30",
             "tmrw at 5?", "...", "?!", "", None, "ok ok ok ok ok", "sí sí sí", "perfect",
             "perfecto gracias", "thank you so much"]


@pytest.mark.parametrize("text", AMBIGUOUS)
@pytest.mark.parametrize("current, other", [(SPANISH, SURE_EN), (ENGLISH, SURE_ES)])
def test_a_short_or_ambiguous_reply_never_flips(text, current, other):
    assert keep_language(current, text, other) == current


@pytest.mark.parametrize("text", [
    "hello I need an appointment tomorrow at 10", "cancel my appointment",
    "can I reschedule to thursday", "what time do you open on saturday",
    "do u have anything on friday", "i want to cancel my appt pls"])
def test_clear_english_flips_a_spanish_conversation(text):
    assert keep_language(SPANISH, text, Detection(ENGLISH, 0.97)) == ENGLISH


@pytest.mark.parametrize("text", [
    "necesito una cita mañana a las 10", "quiero cancelar mi cita",
    "q dias tienen libres", "me puedes cambiar la cita al jueves"])
def test_clear_spanish_flips_an_english_conversation(text):
    assert keep_language(ENGLISH, text, Detection(SPANISH, 0.97)) == SPANISH


def test_a_long_message_with_an_unsure_detector_keeps_the_language():
    text = "hello I need an appointment tomorrow at 10"
    assert keep_language(SPANISH, text, Detection(ENGLISH, 0.69)) == SPANISH
    assert keep_language(SPANISH, text, Detection(ENGLISH, 0.70)) == ENGLISH


def test_two_words_are_not_enough_three_are():
    assert keep_language(SPANISH, "cancel appointment", SURE_EN) == SPANISH
    assert keep_language(SPANISH, "cancel my appointment", SURE_EN) == ENGLISH


def test_the_same_language_or_no_answer_keeps_it():
    text = "necesito una cita mañana a las 10"
    assert keep_language(SPANISH, text, SURE_ES) == SPANISH
    assert keep_language(SPANISH, text, Detection()) == SPANISH
    assert keep_language(ENGLISH, text, Detection()) == ENGLISH
    assert keep_language(SPANISH, text, Detection("fr", 1.0)) == SPANISH


@pytest.mark.parametrize("current", [None, "", "fr", "ES"])
def test_an_unknown_current_language_is_spanish(current):
    assert keep_language(current, "ok", SURE_EN) == SPANISH
    assert keep_language(current, "quiero cancelar mi cita", SURE_ES) == SPANISH


@pytest.mark.parametrize("text, language", [
    ("English", ENGLISH), ("in english", ENGLISH), ("inglés", ENGLISH), ("en inglés", ENGLISH),
    ("EN INGLES POR FAVOR", ENGLISH), ("english please", ENGLISH), ("do you speak english?", ENGLISH),
    ("hablas inglés?", ENGLISH), ("español", SPANISH), ("Spanish", SPANISH),
    ("in spanish", SPANISH), ("en español porfa", SPANISH), ("can we talk in spanish", SPANISH),
])
def test_an_explicit_request_switches_at_any_time(text, language):
    assert requested_language(text) == language
    for current in (SPANISH, ENGLISH):
        # whatever the detector says: "español" alone reads as a word of either language
        assert keep_language(current, text, Detection(ENGLISH if language == SPANISH
                                                      else SPANISH, 0.99)) == language


@pytest.mark.parametrize("text, language", [
    ("no hablo inglés", SPANISH), ("no entiendo ingles, perdón", SPANISH),
    ("I don't speak spanish", ENGLISH), ("sorry i dont understand spanish very well", ENGLISH),
    ("no english", SPANISH), ("no spanish", ENGLISH)])
def test_not_speaking_a_language_asks_for_the_other(text, language):
    assert requested_language(text) == language


@pytest.mark.parametrize("text", [
    "no quiero la clase de inglés", "english or spanish?",
    "do you have english speaking staff", "clase de inglés", "quiero una cita en español o inglés",
    "english " * 20])
def test_a_language_named_in_a_sentence_is_not_a_request(text):
    assert requested_language(text) is None


def test_no_hablo_ingles_keeps_or_brings_back_spanish():
    assert keep_language(SPANISH, "no hablo inglés", SURE_EN) == SPANISH
    assert keep_language(ENGLISH, "no hablo inglés", SURE_EN) == SPANISH


def test_adversarial_input_is_bounded_and_never_flips_alone():
    repeated = "ok " * 100_000
    assert keep_language(SPANISH, repeated, SURE_EN) == SPANISH
    assert keep_language(SPANISH, "!?.,;:" * 10_000, SURE_EN) == SPANISH
    assert keep_language(SPANISH, "😀" * 50_000, SURE_EN) == SPANISH
    assert keep_language(SPANISH, "appointment " * 50_000, SURE_EN) == SPANISH  # one word
    words = real_words("cancel my appointment " * 50_000)
    assert words - {"cancel", "my", "appointment"} <= {"appo"}  # read up to MAX_READ only


def test_real_words_leave_out_digits_codes_and_neutral_words():
    assert real_words("ok gracias, mi código es K7P-3QX a las 10:30 👍") == {"mi", "codigo", "es", "las"}
    assert real_words("hello I need an appointment") == {"need", "an", "appointment"}


@pytest.mark.parametrize("text", ["can i talk to a person", "I need to cancel my appt"])
def test_plain_english_requests_the_detector_is_less_sure_of_still_switch(text):
    from appointments.adapters.language_detector import LanguageDetector

    detection = LanguageDetector().detect(text)
    assert keep_language(SPANISH, text, detection) == ENGLISH


@pytest.mark.parametrize("payload", ['/confirm_appointment{"appointment_code": "K7P-3QX"}',
                                     "/reschedule_appointment", " /show_menu"])
def test_a_payload_never_switches_the_language(payload):
    assert keep_language(SPANISH, payload, SURE_EN) == SPANISH
    assert keep_language(ENGLISH, payload, Detection(SPANISH, 0.99)) == ENGLISH
