"""normalize_phone: one written form per number, so one person is one person (WhatsApp
writes a Mexican mobile as "+521" + 10 digits or as "+52" + 10 digits)."""
import time

import pytest

from appointments.domain.phones import normalize_phone, same_phone


@pytest.mark.parametrize("written, normal", [
    # Mexican mobiles: the legacy "1" after +52 goes; both forms meet
    ("whatsapp:+5215512345678", "whatsapp:+525512345678"),
    ("whatsapp:+525512345678", "whatsapp:+525512345678"),
    ("+5215512345678", "+525512345678"),
    ("+52 1 55 1234 5678", "+525512345678"),
    ("+52 (1) 33-1234-5678", "+523312345678"),
    (" WhatsApp:+52 1 81 1234 5678 \n", "whatsapp:+528112345678"),
    # a Mexican landline (10 digits, no "1"), written with separators
    ("+52 55 5555 1234", "+525555551234"),
    ("+52 (999) 123.4567", "+529991234567"),
    # elsewhere: E.164, nothing dropped
    ("+1 (415) 523-8886", "+14155238886"),
    ("whatsapp:+14155238886", "whatsapp:+14155238886"),
    ("+44 20 7946 0958", "+442079460958"),
    ("sms:+1 415 523 8886", "sms:+14155238886"),
])
def test_a_number_gets_its_normal_form(written, normal):
    assert normalize_phone(written) == normal
    assert normalize_phone(normal) == normal  # the normal form is a fixed point


@pytest.mark.parametrize("written", [
    "garbage", "prueba", "dev-1a2b3c4d", "", "whatsapp:", "+", "+0", "+999 123",
    "whatsapp:+521",  # too short to be a number
    "5512345678",  # no country code: not guessed
    "+1-800-FLOWERS",  # letters are not read as digits
    "+52 55 1234 5678 ext. 9", "whatsapp:+52155\x001234", "+52155😀12345678",
])
def test_anything_else_comes_back_as_written_only_stripped(written):
    assert normalize_phone(f"  {written}\t") == written.strip()


def test_none_and_an_empty_string_do_not_raise():
    assert normalize_phone(None) == ""  # type: ignore[arg-type]
    assert normalize_phone("   ") == ""


def test_very_long_input_comes_back_fast_and_unchanged():
    for long in ("+52" + "1" * 100_000, "whatsapp:+" + "5" * 1_000_000, "a" * 1_000_000,
                 "+" + " " * 39 + "1", "whatsapp:" * 10_000):
        started = time.perf_counter()
        assert normalize_phone(long) == long.strip()
        assert time.perf_counter() - started < 0.05


def test_the_two_mexican_forms_are_the_same_person_and_others_are_not():
    assert same_phone("whatsapp:+5215512345678", "whatsapp:+525512345678")
    assert same_phone("+52 1 55 1234 5678", "+525512345678")
    assert not same_phone("whatsapp:+5215512345678", "whatsapp:+5215512345679")
    assert not same_phone("whatsapp:+525512345678", "+525512345678")  # another channel
    assert not same_phone("+15512345678", "+525512345678")
