"""Editing business.yml and restarting changes the answers and the free times, with no
retraining: the actions read the profile through the process's parts (bootstrap), so
building the parts again from an edited file is what a restart does."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from actions.business_answers import ActionAnswerQuestion
from actions.service_choice import ActionAskAppointmentService
from appointments import bootstrap
from appointments.settings import PROJECT_ROOT, Settings

from tests.conftest import TZ
from tests.integration.actions_helpers import run, tracker

SATURDAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)


def start(tmp_path: Path, text: str) -> bootstrap.Parts:
    """What a restart does: settings and parts built again from the file."""
    (tmp_path / "business.yml").write_text(text, encoding="utf-8")
    settings = Settings.from_env({"BUSINESS_FILE": str(tmp_path / "business.yml"),
                                  "DATABASE_URL": f"sqlite:///{tmp_path / 'citas.db'}"})
    parts = bootstrap.Parts(settings, clock=lambda: NOW)
    bootstrap.use(parts)
    return parts


@pytest.fixture
def shipped() -> str:
    return (PROJECT_ROOT / "business.yml").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def unwire():
    yield
    bootstrap.use(None)


def hours_answer(phone: str) -> str:
    _, said, messages = run(ActionAnswerQuestion(), tracker(phone, "horario?", "ask_hours",
                                                            entities=[]))
    assert said == ["utter_answer_hours"]
    return messages[0]["hours"]


def test_closing_saturdays_changes_the_answer_and_the_free_times(tmp_path, shipped, phone):
    parts = start(tmp_path, shipped)
    assert "sábado: 09:00 a 13:00" in hours_answer(phone)
    assert parts.appointments().free_slots(SATURDAY)

    closed = shipped.replace('  sábado: ["09:00-13:00"]\n', "")
    parts = start(tmp_path, closed)
    assert "sábado a domingo: cerrado" in hours_answer(phone)
    assert parts.appointments().free_slots(SATURDAY) == []


def test_adding_a_service_lists_it_in_the_service_question(tmp_path, shipped, phone):
    start(tmp_path, shipped)
    _, _, messages = run(ActionAskAppointmentService(), tracker(phone, "quiero cita"))
    assert "Ortodoncia" not in messages[0]["options"]

    added = shipped.replace("payment_methods:", (
        "  - key: ortodoncia\n    name: Ortodoncia\n    duration_minutes: 45\n"
        "    price: 1500\n\npayment_methods:"), 1)
    start(tmp_path, added)
    slots, _, messages = run(ActionAskAppointmentService(), tracker(phone, "quiero cita"))
    assert "4. Ortodoncia (45 min) · $1,500" in messages[0]["options"]
    assert slots["offered_options"][-1] == "ortodoncia"
