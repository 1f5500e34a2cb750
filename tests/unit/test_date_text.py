"""Dates and times the way people write them, read with a fixed clock (Monday 30
November 2026, 08:00 in Mexico City): typos, a weekday with a bare time, relative days,
next week, and a weekday that does not match the date."""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from appointments.interpret.date_text import rewrite
from appointments.rasa.nlu.duckling_parser import SpanishTimeParser
from appointments.interpret.requested_time import read_requested_time
from tests.conftest import business_calendar

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=ZoneInfo("America/Mexico_City"))


@pytest.fixture(scope="module")
def parser():
    return SpanishTimeParser()


def read(parser, text):
    return read_requested_time(parser.parse(text, NOW), business_calendar())


@pytest.mark.parametrize("text, day, at", [
    ("cita el viernes 10:30", date(2026, 12, 4), time(10, 30)),
    ("martes 11:00", date(2026, 12, 1), time(11)),
    ("jueves 9:30", date(2026, 12, 3), time(9, 30)),
    ("viernes 10 am", date(2026, 12, 4), time(10)),
    ("el viernes 17 hrs", date(2026, 12, 4), time(17)),
    ("martes 11", date(2026, 12, 1), time(11)),      # the 11th is a Friday: an hour
    ("el martes 8 a las 9", date(2026, 12, 8), time(9)),  # the 8th is a Tuesday: a date
    ("en 2 días a las 10", date(2026, 12, 2), time(10)),
    ("dentro de tres días a las 9", date(2026, 12, 3), time(9)),
    ("dic 16 a las 3 pm", date(2026, 12, 16), time(15)),
    ("mñn a las 10", date(2026, 12, 1), time(10)),
    ("manana alas 3", date(2026, 12, 1), time(15)),
    ("mañana a mediodía", date(2026, 12, 1), time(12)),
    ("el viernes de la otra semana", date(2026, 12, 11), None),
    ("la próxima semana el martes", date(2026, 12, 8), None),
    ("el 15/12 a las 9", date(2026, 12, 15), time(9)),
    ("ayer a las 10", date(2026, 11, 29), time(10)),  # the booking rules say it passed
])
def test_day_and_time(parser, text, day, at):
    wanted = read(parser, text)
    assert (wanted.day, wanted.at) == (day, at)
    assert not wanted.weekday_mismatch


@pytest.mark.parametrize("text, day, window", [
    ("mañana en la mañana", date(2026, 12, 1), (time(4), time(12))),
    ("mañana en la tarde", date(2026, 12, 1), (time(12), time(19))),
    ("el jueves en la mañana", date(2026, 12, 3), (time(4), time(12))),
])
def test_parts_of_the_day(parser, text, day, window):
    wanted = read(parser, text)
    assert (wanted.day, wanted.window) == (day, window)


@pytest.mark.parametrize("text, date_read, weekday_read", [
    ("el viernes 12 de diciembre", date(2026, 12, 12), date(2026, 12, 4)),
    ("el jueves 4", date(2026, 12, 4), date(2026, 12, 3)),
    ("el martes 10 a las 12", date(2026, 12, 10), date(2026, 12, 1)),
])
def test_a_weekday_that_does_not_match_keeps_both_readings(parser, text, date_read, weekday_read):
    wanted = read(parser, text)
    assert wanted.weekday_mismatch
    assert (wanted.day, wanted.weekday_alternative) == (date_read, weekday_read)


def test_offsets_point_into_what_the_person_wrote(parser):
    text = "oye mñn alas 3 porfa"
    [entity] = parser.parse(text, NOW)
    assert text[entity["start"]:entity["end"]] == entity["text"] == "mñn alas 3"


def test_a_code_is_not_rewritten():
    assert rewrite("cancelar K7P-3QX", date(2026, 11, 30))[0] == "cancelar K7P-3QX"
