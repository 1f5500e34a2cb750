"""Spanish dates and times through the in-process Duckling parser, at a fixed "now"."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from appointments.rasa.nlu.duckling_parser import SpanishTimeParser

TZ = ZoneInfo("America/Mexico_City")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)  # Wednesday


@pytest.fixture(scope="module")
def parser():
    return SpanishTimeParser("America/Mexico_City")


def only(parser, text):
    entities = parser.parse(text, NOW)
    assert len(entities) == 1, entities
    return entities[0]


@pytest.mark.parametrize(
    "text, value, grain",
    [
        ("mañana a las 5 de la tarde", "2026-11-26T17:00:00.000-06:00", "hour"),
        ("manana a las 10", "2026-11-26T10:00:00.000-06:00", "hour"),
        ("el 3 de diciembre", "2026-12-03T00:00:00.000-06:00", "day"),
        ("el lunes", "2026-11-30T00:00:00.000-06:00", "day"),
        ("a las 4:30 de la tarde", "2026-11-25T16:30:00.000-06:00", "minute"),
        ("el próximo miércoles a las 11", "2026-12-02T11:00:00.000-06:00", "hour"),
    ],
)
def test_common_phrases(parser, text, value, grain):
    entity = only(parser, text)
    assert entity["entity"] == "time"
    assert entity["value"] == value
    assert entity["additional_info"]["grain"] == grain


@pytest.mark.parametrize(
    "text, value",
    [
        ("el 15/12 a las 9", "2026-12-15T09:00:00.000-06:00"),
        ("15/12", "2026-12-15T00:00:00.000-06:00"),
        ("el 15-12-2026 a las 10", "2026-12-15T10:00:00.000-06:00"),
        ("para el 3/12 porfa", "2026-12-03T00:00:00.000-06:00"),
    ],
)
def test_numeric_day_month_dates(parser, text, value):
    """Raw Duckling reads "15/12" as two broken pieces; we read it as 15 December."""
    assert only(parser, text)["value"] == value


def test_weekday_that_disagrees_with_the_date_keeps_the_date(parser):
    # The 2nd of December 2026 is a Wednesday; raw Duckling jumps to 2031.
    entity = only(parser, "martes 2 de diciembre")
    assert entity["value"] == "2026-12-02T00:00:00.000-06:00"
    assert entity["additional_info"]["weekday_mismatch"] is True


def test_weekday_that_agrees_is_not_flagged(parser):
    entity = only(parser, "el martes 1 de diciembre")
    assert entity["value"] == "2026-12-01T00:00:00.000-06:00"
    assert "weekday_mismatch" not in entity["additional_info"]


def test_bare_hour_is_flagged_ambiguous_and_explicit_one_is_not(parser):
    assert only(parser, "mañana a las 5")["additional_info"]["meridiem_ambiguous"] is True
    assert only(parser, "a las 9 am")["additional_info"]["meridiem_ambiguous"] is False
    assert only(parser, "a las 5 de la tarde")["additional_info"]["meridiem_ambiguous"] is False


def test_day_part_is_an_interval(parser):
    entity = only(parser, "pasado mañana en la mañana")
    assert entity["value"]["from"].startswith("2026-11-27T")
    assert entity["value"]["to"].startswith("2026-11-27T12:00")
    assert entity["additional_info"]["type"] == "interval"


def test_offsets_are_characters_of_the_original_text(parser):
    text = "¿Tienen lugar mañana a las 5? 🙏"
    entity = only(parser, text)
    assert entity["text"] == "mañana a las 5"
    assert text[entity["start"] : entity["end"]] == "mañana a las 5"


def test_offsets_survive_a_rewritten_numeric_date(parser):
    text = "ñ el 15/12 a las 9"
    entity = only(parser, text)
    assert entity["text"] == "el 15/12 a las 9"
    assert (entity["start"], entity["end"]) == (2, len(text))


@pytest.mark.parametrize("text", ["", "   ", "hola", "2", "👍👍", "quiero cancelar"])
def test_no_time_in_text(parser, text):
    assert parser.parse(text, NOW) == []


def test_long_message_is_handled(parser):
    text = "hola " * 1000 + "mañana a las 10"
    assert only(parser, text)["value"] == "2026-11-26T10:00:00.000-06:00"


def test_reference_time_follows_the_business_time_zone():
    madrid = SpanishTimeParser("Europe/Madrid")
    entity = only(madrid, "mañana a las 10 de la mañana")
    # 10:00 Mexico City on the 25th is already 17:00 in Madrid; tomorrow is the 26th there.
    assert entity["value"] == "2026-11-26T10:00:00.000+01:00"


@pytest.mark.parametrize("text", ["cancelar k7p3qx", "mi cita K7P-3QX", "codigo m4r-8tw"])
def test_appointment_codes_are_not_read_as_times(parser, text):
    assert parser.parse(text, NOW) == []


# --- found by fuzzing (tests/unit/test_fuzz_nlu.py) -------------------------------------

def test_repeated_time_words_are_blanked_before_duckling_keeping_offsets():
    from appointments.rasa.nlu.duckling_guard import guard

    text = "mañana " * 5
    blanked = guard(text)
    assert len(blanked) == len(text)
    assert blanked.split() == ["mañana", "mañana"]  # 2 kept: "el 5 ... a las 5" is normal
    run = "hoy mañana pasado lunes martes 5 6 7 8 9 10"
    cut = run.index(" martes")  # past 7 time words, a new chain from the last weekday
    assert guard(run) == run[:cut] + "\n" + run[cut + 1:]


def test_a_realistic_message_keeps_every_word_and_its_reading(parser):
    from appointments.rasa.nlu.duckling_guard import guard

    text = "el martes 2 de diciembre a las 5 de la tarde, no, mejor el miércoles 3 a las 5"
    assert guard(text).split() == text.split()  # at most a space became a line break
    assert [e["text"] for e in parser.parse(text)] == [
        "el martes 2 de diciembre a las 5 de la tarde", "el miércoles 3 a las 5"]


@pytest.mark.parametrize("text, value", [
    ("el martes 15 a las cinco y media de la tarde", "2026-12-15T17:30:00.000-06:00"),
    ("el martes 15 de diciembre a las 5 y media de la tarde", "2026-12-15T17:30:00.000-06:00"),
    ("el próximo martes 1 de diciembre de 2026 a las 5 de la tarde",
     "2026-12-01T17:00:00.000-06:00"),
    ("quiero una cita y una limpieza, a la una de la tarde", "2026-11-25T13:00:00.000-06:00"),
    ("el 1o de diciembre a las once", "2026-12-01T11:00:00.000-06:00"),
])
def test_the_guard_leaves_normal_messages_alone(parser, text, value):
    from appointments.rasa.nlu.duckling_guard import guard

    assert guard(text).split() == text.split()  # nothing blanked
    entity = only(parser, text)
    assert (entity["text"], entity["value"]) == (text[entity["start"]:], value)


def test_a_list_of_days_and_hours_keeps_its_hours(parser):
    # one chain of 11 time words for Duckling: cut in two, nothing lost but the join
    text = "el lunes 7, martes 8 o miércoles 9, a las 4 o a las 5"
    texts = [e["text"] for e in parser.parse(text, NOW)]
    assert texts[-2:] == ["a las 4", "a las 5"]


def test_what_made_duckling_explode_now_parses(parser):
    # "mañana a las 5 " x 6 took 146 s and "mañana " x 16 ran out of memory before;
    # "a las cinco " x 12 ran past 20 s, "1a 1a " x 8 as well (tests/security/test_redos.py)
    assert [e["text"] for e in parser.parse("mañana " * 16)] == ["mañana mañana"]
    assert parser.parse("quiero una cita " + "mañana a las 5 " * 6)
    assert parser.parse("a las cinco " * 12, NOW)[0]["text"].startswith("a las cinco")


def test_the_guard_only_ever_blanks_or_cuts():
    from appointments.rasa.nlu.duckling_guard import guard

    for text in ("1a 1a " + "a " * 50, "del 1 al 2 " * 9, "uno, " * 20, "día de la tierra " * 9,
                 "K7P-3QX 5pm " * 9, "el primero " * 12, "1 de enero a 2 de febrero a 3 de marzo"):
        guarded = guard(text)
        assert len(guarded) == len(text)
        assert all(g == c or g in " \n" for g, c in zip(guarded, text))


def test_nul_and_dates_python_cannot_hold_do_not_break_the_parse(parser):
    assert [e["text"] for e in parser.parse("\x00 mañana a las 10")] == ["mañana a las 10"]
    texts = [e["text"] for e in parser.parse("hace 740000 días, mejor mañana a las 10")]
    assert texts == ["mañana a las 10"]
