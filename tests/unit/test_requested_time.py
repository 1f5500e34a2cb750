"""Reading what day and time a person asked for, against business hours."""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from appointments.rasa.nlu.duckling_parser import SpanishTimeParser
from appointments.interpret.requested_time import read_requested_time

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("America/Mexico_City"))


@pytest.fixture(scope="module")
def parser():
    return SpanishTimeParser()


@pytest.mark.parametrize(
    "text, day, at",
    [
        ("mañana a las 5", date(2026, 11, 26), time(17)),
        ("mañana a las 5 de la tarde", date(2026, 11, 26), time(17)),
        ("mañana a las 9", date(2026, 11, 26), time(9)),
        ("el viernes 27 a las 10:30", date(2026, 11, 27), time(10, 30)),
        ("el 15/12 a las 9", date(2026, 12, 15), time(9)),
        ("a las 5", None, time(17)),            # a time alone does not choose the day
        ("9:00", None, time(9)),
        ("a las 4:30 de la tarde", None, time(16, 30)),
        ("a las 9 de la mañana", None, time(9)),
        ("el lunes", date(2026, 11, 30), None),
        ("hoy", date(2026, 11, 25), None),
        ("el sabado a las 12", date(2026, 11, 28), time(12)),
    ],
)
def test_day_and_time(parser, calendar, text, day, at):
    wanted = read_requested_time(parser.parse(text, NOW), calendar)
    assert (wanted.day, wanted.at) == (day, at)


def test_part_of_the_day_is_a_window(parser, calendar):
    wanted = read_requested_time(parser.parse("pasado mañana en la tarde", NOW), calendar)
    assert wanted.day == date(2026, 11, 27)
    assert wanted.at is None
    assert wanted.window == (time(12), time(19))


def test_weekday_mismatch_is_reported(parser, calendar):
    wanted = read_requested_time(parser.parse("martes 2 de diciembre", NOW), calendar)
    assert wanted.day == date(2026, 12, 2) and wanted.weekday_mismatch


def test_no_entities_means_nothing_asked(calendar):
    assert read_requested_time([], calendar).is_empty
    assert read_requested_time([{"entity": "appointment_code", "value": "K7P-3QX"}], calendar).is_empty


@pytest.mark.parametrize(
    "text, day, at",
    [
        ("tomorrow at 5", date(2026, 11, 26), time(17)),
        ("friday at 10:30", date(2026, 11, 27), time(10, 30)),
        ("fri 4", date(2026, 11, 27), time(16)),
        ("December 15 at 9", date(2026, 12, 15), time(9)),
        ("the 3rd at 11", date(2026, 12, 3), time(11)),
        ("at 5", None, time(17)),  # a time alone does not choose the day, as "a las 5"
        ("at 4:30 pm", None, time(16, 30)),
        ("on monday", date(2026, 11, 30), None),
        ("today", date(2026, 11, 25), None),
        ("tonight", date(2026, 11, 25), None),
    ],
)
def test_english_day_and_time(parser, calendar, text, day, at):
    wanted = read_requested_time(parser.parse(text, NOW, "en"), calendar)
    assert (wanted.day, wanted.at) == (day, at)


def test_an_english_part_of_the_day_is_a_window(parser, calendar):
    wanted = read_requested_time(parser.parse("tomorrow in the afternoon", NOW, "en"), calendar)
    assert (wanted.day, wanted.at, wanted.window) == (date(2026, 11, 26), None, (time(12), time(19)))
    wanted = read_requested_time(parser.parse("in the afternoon", NOW, "en"), calendar)
    assert (wanted.day, wanted.window) == (None, (time(12), time(19)))
