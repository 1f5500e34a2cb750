import random
import re

import pytest

from appointments.scheduling.codes import (
    CODE_DIGITS, CODE_LETTERS, CODE_REGEX, generate_code, normalize_code,
)


def test_generated_codes_have_the_shape_and_no_confusable_characters():
    rng = random.Random(7)
    codes = {generate_code(rng) for _ in range(2000)}
    assert len(codes) > 1990
    for code in codes:
        assert re.fullmatch(r"[A-Z][2-9][A-Z]-[2-9][A-Z]{2}", code)
        assert not set(code) & set("ILO01")
        assert normalize_code(code) == code


@pytest.mark.parametrize("typed", ["k7p3qx", " K7P 3QX ", "k7p-3qx", "K7P-3QX"])
def test_normalize_accepts_how_people_type_codes(typed):
    assert normalize_code(typed) == "K7P-3QX"


@pytest.mark.parametrize("typed", ["ABC-DEF", "K0P-3QX", "K7P-3Q", "I7P-3QX", "", None, "hola"])
def test_normalize_rejects_non_codes(typed):
    assert normalize_code(typed) is None


def test_regex_finds_codes_but_not_words():
    pattern = re.compile(CODE_REGEX, re.IGNORECASE)
    assert pattern.search("cancelar mi cita k7p-3qx porfa")
    for sentence in ("quiero ayudar", "cancelar", "agendar cita", "a las 10:30"):
        assert not pattern.search(sentence)
    assert set(CODE_LETTERS).isdisjoint("ILO") and set(CODE_DIGITS).isdisjoint("01")
