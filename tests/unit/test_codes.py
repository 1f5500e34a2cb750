import random
import re

import pytest

from appointments.domain.codes import (
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


@pytest.mark.parametrize("typed", ["K7P--3QX", "K7P3QXA", "XK7P-3QX", "K7P_3QX", "K7P-3QXZ"])
def test_normalize_rejects_near_misses(typed):
    assert normalize_code(typed) is None


def test_default_generator_is_unpredictable_and_well_formed():
    codes = {generate_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(normalize_code(code) == code for code in codes)


@pytest.mark.parametrize("text", ["mi código es K7P 3QX", "k7p3qx", "(K7P-3QX)"])
def test_regex_accepts_the_ways_people_write_a_code(text):
    found = re.search(CODE_REGEX, text, re.IGNORECASE)
    assert found and normalize_code(found.group(0)) == "K7P-3QX"


def test_nlu_regex_agrees_with_codes_module():
    """data/nlu/regex.yml feeds the NLU; it must accept exactly what normalize_code does."""
    import yaml

    from pathlib import Path

    regex_file = Path(__file__).resolve().parents[2] / "data" / "nlu" / "regex.yml"
    with open(regex_file, encoding="utf-8") as handle:
        [entry] = [e for e in yaml.safe_load(handle)["nlu"] if e.get("regex") == "appointment_code"]
    nlu_pattern = entry["examples"].strip().lstrip("- ").strip()
    samples = ["K7P-3QX", "k7p 3qx", "K0P-3QX", "I7P-3QX", "ABC-DEF", "K7P-3Q", "K7P3QX"]
    for sample in samples + [generate_code(random.Random(n)) for n in range(50)]:
        ours = re.fullmatch(CODE_REGEX, sample, re.IGNORECASE) is not None
        assert (re.fullmatch(nlu_pattern, sample) is not None) == ours, sample
