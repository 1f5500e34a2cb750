"""The lingua detector (appointments/adapters/language_detector.py) with its real models,
and the policy on its real answers: realistic WhatsApp messages both ways."""
from __future__ import annotations

import threading

import pytest

from appointments.adapters.language_detector import LanguageDetector
from appointments.interpret.language import ENGLISH, SPANISH, Detection, keep_language


@pytest.fixture(scope="module")
def detector():
    return LanguageDetector()


def test_nothing_is_loaded_until_the_first_message():
    fresh = LanguageDetector()
    assert not fresh.loaded
    assert fresh.detect("😀") == Detection()  # no letters: lingua is not needed
    assert not fresh.loaded
    fresh.detect("hola")
    assert fresh.loaded


@pytest.mark.parametrize("text", ["", None, "😀🙏", "10", "15/12", "!!!???", "16:30", "...."])
def test_nothing_to_read_has_no_language(detector, text):
    assert detector.detect(text) == Detection(None, 0.0)


@pytest.mark.parametrize("text, language", [
    ("necesito una cita mañana a las 10", SPANISH), ("quiero cancelar", SPANISH),
    ("q dias tienen", SPANISH), ("me puedes cambiar la cita para el jueves?", SPANISH),
    ("hello I need an appointment tomorrow at 10", ENGLISH), ("cancel my appointment", ENGLISH),
    ("can I reschedule to thursday", ENGLISH), ("do u have anything on friday", ENGLISH),
])
def test_clear_messages(detector, text, language):
    found = detector.detect(text)
    assert found.language == language and found.confidence >= 0.8


def test_a_huge_message_is_read_only_at_its_start(detector):
    found = detector.detect("necesito una cita " * 5000 + "hello I need an appointment " * 5000)
    assert found.language == SPANISH


@pytest.mark.parametrize("text", [
    "ok", "10", "si", "sí", "yes", "no", "hola", "hi", "hello", "gracias", "thanks", "K7P-3QX",
    "👍", "15/12", "tmrw at 5?", "ok thank you", "ok cool", "lol ok", "bye", "okis", "adiooos",
    "holaa q tal", "listo, bye", "chao chao", "hey hola", "z4w8kd", "a las 5", "el 2", "4pm?",
    "x" * 5000, "jajajaja " * 200, "?" * 10_000])
def test_short_or_odd_replies_never_flip_either_way(detector, text):
    found = detector.detect(text)
    assert keep_language(SPANISH, text, found) == SPANISH
    assert keep_language(ENGLISH, text, found) == ENGLISH


@pytest.mark.parametrize("text", [
    "hello I need an appointment tomorrow at 10", "cancel my appointment",
    "i want to cancel my appointment", "whats available next week",
    "can i book an appointment for tomorrow?", "in english please"])
def test_english_moves_a_spanish_conversation(detector, text):
    assert keep_language(SPANISH, text, detector.detect(text)) == ENGLISH


@pytest.mark.parametrize("text", [
    "necesito una cita mañana a las 10", "quiero cancelar mi cita", "q dias tienen",
    "me puedes cambiar la cita para el jueves?", "en español porfa", "no hablo inglés"])
def test_spanish_brings_an_english_conversation_back(detector, text):
    assert keep_language(ENGLISH, text, detector.detect(text)) == SPANISH


def test_threads_share_one_detector():
    shared, answers = LanguageDetector(), []
    threads = [threading.Thread(target=lambda: answers.append(shared.detect("quiero una cita")))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.language for a in answers] == [SPANISH] * 8
