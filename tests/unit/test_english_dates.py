"""Dates and times in English: what the bot writes (Babel's en_US) and what it reads
(Duckling's EN_US locale after interpret.date_text_en), beside the Spanish ones."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from actions import formatting
from appointments.domain import date_words
from appointments.domain.language import use_language
from appointments.interpret.date_text_en import rewrite_english
from appointments.rasa.nlu.duckling_parser import SpanishTimeParser

TZ = ZoneInfo("America/Mexico_City")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=TZ)  # a Monday, before opening
MOMENT = datetime(2026, 12, 3, 16, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def parser():
    return SpanishTimeParser("America/Mexico_City")


def test_the_bot_writes_dates_the_way_each_language_reads_them():
    assert date_words.day_time_text(MOMENT) == "jueves 3 de diciembre a las 16:00"
    with use_language("en"):
        assert date_words.day_time_text(MOMENT) == "Thursday, December 3 at 4:00 PM"
        assert date_words.moment_text(MOMENT) == "Thursday, December 3, 4:00 PM"
        assert formatting.grouped_times([MOMENT.replace(hour=9, minute=30), MOMENT]) == \
            "Morning: 9:30 AM\nAfternoon: 4:00 PM"
        assert formatting.weekday_name(5) == "Saturday"
    assert date_words.day_text(MOMENT.date(), "en") == "Thursday, December 3"


def test_what_the_business_reads_stays_spanish_in_an_english_conversation():
    with use_language("en"):
        assert date_words.moment_text(MOMENT, "es") == "jueves 3 de diciembre, 16:00"


@pytest.mark.parametrize("said, read", [
    ("tmrw at 4pm", "tomorrow at 4pm"),
    ("friday 4", "friday at 4"),
    ("fri 10:30", "fri at 10:30"),
    ("15/12", "December 15"),
    ("12/15", "12/15"),  # the US order: Duckling reads it
    ("friday the 4th", "friday the 4th"),
])
def test_english_shorthand_is_rewritten_for_duckling(said, read):
    rewritten, index_map = rewrite_english(said, NOW.date())
    assert rewritten == read
    assert len(index_map) == len(rewritten) + 1 and index_map[-1] == len(said)


@pytest.mark.parametrize("said, value", [
    ("hi, I need an appointment tomorrow at 10", "2026-12-01T10:00:00.000-06:00"),
    ("tmrw 4pm", "2026-12-01T16:00:00.000-06:00"),
    ("next tuesday at 11am", "2026-12-08T11:00:00.000-06:00"),
    ("thursday 3pm", "2026-12-03T15:00:00.000-06:00"),
    ("dec 3 at 4 pm", "2026-12-03T16:00:00.000-06:00"),
    ("the 15th", "2026-12-15T00:00:00.000-06:00"),
])
def test_english_dates_are_read_in_an_english_conversation(parser, said, value):
    entities = parser.parse(said, NOW, "en")
    assert [e["value"] for e in entities] == [value]
    start, end = entities[0]["start"], entities[0]["end"]
    assert said[start:end] == entities[0]["text"]


def test_the_same_words_read_in_spanish_find_no_english_date(parser):
    assert parser.parse("tomorrow at 10", NOW, "en")[0]["value"].startswith("2026-12-01")
    assert all(not e["value"].startswith("2026-12-01") for e in parser.parse("tomorrow at 10", NOW))
    assert parser.parse("mañana a las 10", NOW)[0]["value"] == "2026-12-01T10:00:00.000-06:00"


def test_a_code_is_no_english_time(parser):
    assert parser.parse("my code is K7P-3QX", NOW, "en") == []


def test_english_bare_hours_are_flagged_for_business_hours(parser):
    entity = parser.parse("at 5", NOW, "en")[0]
    assert entity["additional_info"]["meridiem_ambiguous"] is True
    assert date(2026, 11, 30).isoformat() in entity["value"]


@pytest.mark.parametrize("said", ["the first one", "the 2nd option", "second one pls",
                                  "the last one"])
def test_a_pick_from_a_list_is_no_date(parser, said):
    assert parser.parse(said, NOW, "en") == []


def test_a_date_beside_a_pick_is_still_read(parser):
    [entity] = parser.parse("the first one, on friday", NOW, "en")
    assert entity["text"] == "on friday"
