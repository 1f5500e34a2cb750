"""WhatsApp text: numbered buttons, replies mapped back, Twilio's 1,600-character limit."""
import pytest

from appointments.domain.messages import MAX_LENGTH, split
from appointments.rasa.channels.rendering import render
from appointments.interpret.menu import button_payload
from appointments.privacy import mask_phone

YES_NO = [{"title": "Sí, confirmar", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]


def test_buttons_become_a_numbered_list():
    assert render({"text": "¿Confirmas?", "buttons": YES_NO}) == "¿Confirmas?\n1. Sí, confirmar\n2. No"


def test_a_text_that_already_numbers_its_options_is_left_alone():
    text = "Elige:\n1. Sí, confirmar\n2. No"
    assert render({"text": text, "buttons": YES_NO}) == text


@pytest.mark.parametrize("reply, payload", [("1", "/affirm"), ("2.", "/deny"), ("no", "/deny"),
                                            ("SI, CONFIRMAR", "/affirm"), ("3", None), ("hola", None)])
def test_replies_map_back_to_buttons(reply, payload):
    assert button_payload(reply, YES_NO) == payload


def test_long_texts_are_split_between_paragraphs_and_keep_every_character():
    paragraphs = ["¡Hola! " + "á" * 700, "ñ" * 900, "¿Qué tal? " + "é" * 500]
    text = "\n\n".join(paragraphs)
    chunks = split(text)
    assert all(len(c) <= MAX_LENGTH for c in chunks)
    assert chunks[0] == paragraphs[0] and chunks[0].startswith("¡Hola!")
    assert "".join(chunks).replace("\n", "") == text.replace("\n", "")


def test_a_huge_word_is_cut_hard():
    assert [len(c) for c in split("x" * 4000)] == [1600, 1600, 800]


def test_short_and_empty_texts():
    assert split("hola") == ["hola"] and split("") == []


def test_phones_are_masked_for_logs_down_to_the_last_four_digits():
    # more cases in tests/unit/test_privacy.py
    assert mask_phone("whatsapp:+5215512345678") == "whatsapp:+*********5678"


@pytest.mark.parametrize("raw, count", [("0", 0), ("2", 2), ("", 0), ("dos", 0), ("-1", 0), ("99", 10)])
def test_a_malformed_media_count_counts_as_none(raw, count):
    from appointments.rasa.channels.twilio_request import media_count

    assert media_count({"NumMedia": raw}) == count
