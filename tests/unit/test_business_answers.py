"""What the answers to business questions hold, from the shipped business.yml: the
service a question names, the frequent question it asks, a given day's hours."""
from __future__ import annotations

from datetime import date, time

import pytest

from appointments.adapters.business_file import load_profile
from appointments.domain.calendar import BusinessCalendar
from appointments.interpret.phrases import find_named, match_question
from appointments.services.business_answers import BusinessAnswers
from appointments.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def answers() -> BusinessAnswers:
    profile = load_profile(PROJECT_ROOT / "business.yml")
    return BusinessAnswers(profile, BusinessCalendar.from_profile(profile))


@pytest.mark.parametrize("text, key", [
    ("cuanto cuesta la limpieza?", "limpieza"),
    ("kiero una limpiesa dental el viernes", "limpieza"),
    ("precio del blanquiamiento", "blanqueamiento"),
    ("quiero dientes blancos", "blanqueamiento"),
    ("es mi primera vez, cuanto sale la consulta", "consulta"),
    ("cuanto cuesta", None),
    ("quiero una cita el viernes", None),
])
def test_the_service_a_message_names(answers: BusinessAnswers, text: str, key: str) -> None:
    named = answers.offering_named(text)
    assert (named.key if named else None) == key


@pytest.mark.parametrize("text, key", [
    ("facturan?", "factura"),
    ("oye necesito factura porfa", "factura"),
    ("aceptan mi seguro de gastos medicos?", "seguros"),
    ("atienden niños?", "ninos"),
    ("atienden sabados?", None),  # shares "atienden" with a FAQ entry, asks something else
    ("quiero agendar una cita para el viernes a las 10", None),
    ("", None),
])
def test_the_frequent_question_a_message_asks(answers: BusinessAnswers, text: str, key: str) -> None:
    entry = answers.faq_for(text)
    assert (entry.key if entry else None) == key


def test_a_long_story_is_not_a_frequent_question() -> None:
    story = "facturan " + "bla " * 100
    assert match_question(story, [["facturan?"]]) is None


def test_the_longest_name_wins() -> None:
    names = [["dental"], ["limpieza dental"]]
    assert find_named("una limpieza dental", names) == 1


def test_a_day_open_closed_or_on_a_holiday(answers: BusinessAnswers) -> None:
    assert answers.day(date(2026, 12, 5)).periods == ((time(9), time(13)),)  # Saturday
    sunday = answers.day(date(2026, 12, 6))
    assert sunday.periods == () and sunday.closed_reason is None
    christmas_eve = answers.day(date(2026, 12, 24))  # a closed date of business.yml
    assert christmas_eve.periods == () and christmas_eve.closed_reason == "Nochebuena"
    assert answers.day(date(2026, 12, 25)).closed_reason  # Mexican holiday


def test_the_week_groups_days_with_equal_hours(answers: BusinessAnswers) -> None:
    rows = [(row.weekdays, row.periods) for row in answers.week()]
    assert rows == [
        ((0, 1, 2, 3, 4), ((time(9), time(18)),)),
        ((5,), ((time(9), time(13)),)),
        ((6,), ()),
    ]


def test_a_verb_that_starts_like_a_service_is_not_the_service(answers: BusinessAnswers) -> None:
    assert answers.offering_named("queria consultar precios") is None
    assert answers.offering_named("cuanto cuestan las limpiezas") is not None
