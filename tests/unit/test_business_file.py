"""business.yml: the shipped example loads; mistakes stop the start with line and field;
environment variables still override the scheduling rules."""
from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from appointments.adapters.business_file import BusinessFileError, load_profile
from appointments.settings import PROJECT_ROOT, Settings, SettingsError

SHIPPED = PROJECT_ROOT / "business.yml"
MINIMAL = 'name: Salón Luz\nhours:\n  lunes: ["10:00-14:00", "16:00-20:00"]\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "business.yml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(BusinessFileError) as raised:
        load_profile(write(tmp_path, text))
    return str(raised.value)


def test_the_shipped_example_is_a_clinic_with_three_services() -> None:
    profile = load_profile(SHIPPED)
    assert [s.key for s in profile.services] == ["consulta", "limpieza", "blanqueamiento"]
    cleaning = profile.offering("limpieza")
    assert (cleaning.duration_minutes, cleaning.price_from, cleaning.price_to) == (60, 800, 1200)
    assert profile.hours[5] == ((time(9), time(13)),)
    assert 6 not in profile.hours  # Sunday closed
    assert profile.closed_dates[date(2026, 12, 24)] == "Nochebuena"
    assert profile.payment_methods and profile.faq and profile.asks_for_service


def test_breaks_are_several_periods_in_a_day(tmp_path: Path) -> None:
    profile = load_profile(write(tmp_path, MINIMAL))
    assert profile.hours == {0: ((time(10), time(14)), (time(16), time(20)))}
    assert not profile.asks_for_service  # no services: one unnamed slot-long service
    assert profile.default_offering.duration_minutes == 30


@pytest.mark.parametrize("text, expected", [
    (MINIMAL + "slot_minutes: 30\nservices:\n  - key: corte\n    name: Corte\n"
     "    duraton_minutes: 45\n",
     ["line 6, services[0] → duration_minutes: field required",
      "line 8, services[0] → duraton_minutes: unknown field (a typo?)"]),
    ('name: X\nhours:\n  lunes: ["18:00-09:00"]\n', ["line 2, hours: lunes: '18:00-09:00' closes"]),
    ('name: X\nhours:\n  lunez: ["09:00-18:00"]\n', ["hours: 'lunez' is not a weekday"]),
    ('name: X\nhours:\n  lunes: ["09:00-14:00", "13:00-18:00"]\n', ["lunes: periods overlap"]),
    (MINIMAL + "slot_minutes: 7\n", ["line 4, slot_minutes: must divide a day evenly"]),
    (MINIMAL + "timezone: Mars/Olympus\n", ["timezone: unknown time zone 'Mars/Olympus'"]),
    (MINIMAL + "services:\n  - {key: a, name: A, duration_minutes: 30, price: caro}\n",
     ["services[0] → price: 'caro' is not a price"]),
    (MINIMAL + "services:\n  - {key: a, name: A, duration_minutes: 30}\n"
     "  - {key: a, name: B, duration_minutes: 30}\n", ["services: two services share one key"]),
    (MINIMAL + "closed_dates:\n  - date: 2026-13-01\n    reason: x\n", ["line 5: not valid YAML (month must be in 1..12)"]),
    (MINIMAL + "faq:\n  - key: f\n    questions: []\n    answer: A\n",
     ["faq[0] → questions: give at least one way to ask it"]),
    ("hours:\n  lunes: []\n", ["name: field required"]),
    ('name: X\nhours: {lunes: ["09:00-10:00"]\n  bad', ["business.yml, line 3: not valid YAML"]),
    ("- a list\n", ["expected fields such as 'name:'"]),
])
def test_mistakes_name_the_line_and_the_field(tmp_path: Path, text: str, expected: list) -> None:
    message = error_of(tmp_path, text)
    for part in expected:
        assert part in message, message
    assert message.startswith("business.yml")


def test_settings_read_the_file_and_environment_variables_override_it(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "slot_minutes: 20\nmin_notice_minutes: 120\n")
    settings = Settings.from_env({"BUSINESS_FILE": str(path)})
    assert settings.business.name == "Salón Luz" and settings.business.slot_minutes == 20
    overridden = Settings.from_env({
        "BUSINESS_FILE": str(path), "SLOT_MINUTES": "15", "HOLIDAYS_COUNTRY": "none",
        "BUSINESS_HOURS": "mon-fri 08:00-13:00,15:00-19:00", "MIN_NOTICE_MINUTES": "0",
    })
    business = overridden.business
    assert (business.slot_minutes, business.holidays_country, business.min_notice_minutes) \
        == (15, None, 0)
    assert business.hours[4] == ((time(8), time(13)), (time(15), time(19)))


def test_a_broken_or_missing_business_file_stops_the_settings(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="BUSINESS_FILE: .*line 4, colour: unknown field"):
        Settings.from_env({"BUSINESS_FILE": str(write(tmp_path, MINIMAL + "colour: red\n"))})
    with pytest.raises(SettingsError, match="cannot read it"):
        Settings.from_env({"BUSINESS_FILE": str(tmp_path / "missing.yml")})
