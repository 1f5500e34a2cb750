"""What log lines show of a person (appointments/privacy.py): at most a number's last four
digits, nothing of a short one, the channel prefix kept."""
import re
import time

import pytest

from appointments.privacy import mask_key, mask_phone, redact_phones


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@pytest.mark.parametrize("phone, masked", [
    ("whatsapp:+5215512345678", "whatsapp:+*********5678"),
    ("+5215512345678", "+*********5678"),
    ("5215512345678", "*********5678"),
    ("whatsapp:+14155238886", "whatsapp:+*******8886"),
    ("sms:+441632960961", "sms:+********0961"),
])
def test_only_the_last_four_digits_of_a_phone_remain(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("phone", ["whatsapp:+1234", "whatsapp:+5512345", "12345", "7", "+52"])
def test_a_short_number_is_masked_whole(phone):
    assert digits(mask_phone(phone)) == ""
    assert len(mask_phone(phone)) == len(phone)


@pytest.mark.parametrize("phone", [
    "whatsapp:+5215512345678", "whatsapp:+14155238886", "+5215512345678", "52155123456789012345",
    "whatsapp:+52 1 55 1234 5678", "whatsapp:+52-155-1234-5678", "whatsapp:5215512345678",
])
def test_never_more_than_four_digits_show(phone):
    masked = mask_phone(phone)
    assert len(digits(masked)) <= 4
    assert digits(phone).endswith(digits(masked))


def test_the_channel_prefix_stays_and_digits_hidden_in_it_do_not():
    assert mask_phone("whatsapp:+5215512345678").startswith("whatsapp:+")
    assert digits(mask_phone("5215512345678:x")) == ""


def test_nothing_and_other_ids_do_not_fail():
    assert mask_phone("") == ""
    assert mask_phone("whatsapp:") == "whatsapp:"
    assert mask_phone("default") == "*******"  # a short REST sender id
    assert mask_phone("3f2a9c1e-77b0-4c5d") == "********-****-4c5d"


def test_a_redis_key_with_a_sender_shows_only_the_last_four_digits():
    key = "citas:twilio:lease:whatsapp:+5215512345678"
    assert mask_key(key) == "citas:twilio:lease:whatsapp:+*********5678"


def test_phones_inside_free_text_are_masked_and_the_rest_kept():
    text = "Rasa answered 500 to POST /conversations/whatsapp:+5215512345678/tracker at 12:30"
    assert redact_phones(text) == (
        "Rasa answered 500 to POST /conversations/whatsapp:+*********5678/tracker at 12:30"
    )
    assert redact_phones("error 42 in case 1234567") == "error 42 in case *******"


@pytest.mark.parametrize("text", ["1" * 200_000, "+1" * 100_000, "a:" * 100_000 + "1" * 50_000])
def test_adversarial_inputs_take_linear_time(text):
    started = time.perf_counter()
    mask_phone(text)
    redact_phones(text)
    assert time.perf_counter() - started < 2
