"""The booking actions with the shipped business.yml (three services of 30, 60 and 90
minutes): the length of the chosen service decides what fits, a time is checked again
once the service is known, and a code left over from another flow never lends its
length or service to a new booking. Real trackers, dispatcher, Duckling and SQLite."""
from __future__ import annotations

from datetime import datetime

import pytest

from actions.booking import ActionBookAppointment, ValidateBookingForm
from appointments import bootstrap
from appointments.settings import PROJECT_ROOT, Settings

from tests.conftest import FIXED_NOW, TZ
from tests.integration.actions_helpers import run, tracker


@pytest.fixture
def clinic(tmp_path):
    settings = Settings.from_env({"BUSINESS_FILE": str(PROJECT_ROOT / "business.yml"),
                                  "DATABASE_URL": f"sqlite:///{tmp_path / 'citas.db'}"})
    parts = bootstrap.Parts(settings, clock=lambda: FIXED_NOW)  # Wednesday 25 Nov, 10:00
    bootstrap.use(parts)
    yield parts
    bootstrap.use(None)
    parts.close()


def test_a_service_named_up_front_is_taken_and_its_length_checked(clinic, phone):
    slots, said, _ = run(ValidateBookingForm(), tracker(
        phone, "quiero una limpieza el viernes a las 17:30", "book_appointment"))
    assert slots["appointment_service"] == "limpieza"
    assert slots["appointment_date"] == "2026-11-27"
    assert slots["appointment_time"] is None  # 17:30 + 1 h ends after 18:00
    assert said == ["utter_time_does_not_fit"]


def test_a_time_is_checked_again_when_the_service_is_chosen(clinic, phone):
    chosen_before = {"requested_slot": "appointment_service", "appointment_date": "2026-11-27",
                     "appointment_time": "17:00",
                     "offered_options": ["consulta", "limpieza", "blanqueamiento"]}
    slots, said, messages = run(ValidateBookingForm(), tracker(phone, "3", "reschedule_appointment",
                                                        chosen_before, entities=[]))
    assert slots["appointment_service"] == "blanqueamiento"
    assert slots["appointment_time"] is None  # 17:00 + 1 h 30 min ends after 18:00
    assert said == ["utter_time_does_not_fit"]
    assert messages[0]["duration"] == "1 h 30 min"


def test_a_leftover_code_does_not_lend_its_service_to_a_new_booking(clinic, phone):
    cleaning = clinic.appointments().for_offering(clinic.settings.business.offering("limpieza"))
    old = cleaning.book(phone, datetime(2026, 11, 26, 10, 0, tzinfo=TZ))
    booking = {"appointment_service": "consulta", "appointment_date": "2026-11-27",
               "appointment_time": "12:00", "booking_confirmed": True,
               "appointment_code": old.code}  # from a change the person gave up
    slots, said, messages = run(ActionBookAppointment(), tracker(phone, "sí", "affirm", booking))
    assert said == ["utter_booking_done_service"]
    assert messages[0]["service"] == "Consulta de valoración"
    booked = [a for a in clinic.appointments().upcoming(phone) if a.code != old.code]
    assert [(a.service, a.start.hour, a.end.hour, a.end.minute) for a in booked] == [
        ("consulta", 12, 12, 30)]
