"""The booking and cancellation actions (the forms' validation, the time and code
questions, booking, cancelling, the cap on upcoming appointments per phone) with real
rasa-sdk trackers and dispatcher, a real database and the real Duckling parser, at a
fixed "now" (Wednesday 2026-11-25 10:00). The handoff actions: test_actions_handoff.py."""
from datetime import datetime

import pytest

from actions import services
from actions.asking import ActionAskAppointmentCode, ActionAskAppointmentTime
from actions.booking import ActionBookAppointment, ValidateBookingForm
from actions.cancellation import ActionCancelAppointment, ValidateCancellationForm
from appointments.services.scheduling import AppointmentService

from tests.conftest import TZ
from tests.integration.actions_helpers import run, tracker
from tests.integration.actions_helpers import wired  # noqa: F401 - the autouse fixture


def test_date_and_time_in_one_message(phone):
    slots, said, _ = run(ValidateBookingForm(), tracker(phone, "mañana a las 5", "book_appointment"))
    assert slots["appointment_date"] == "2026-11-26"
    assert slots["appointment_time"] == "17:00"  # 05:00 is closed: "a las 5" is 17:00
    assert slots["appointment_date_text"] == "jueves 26 de noviembre"
    assert said == []


def test_a_taken_time_offers_the_nearest_free_ones(phone, wired):
    wired.book("someone", datetime(2026, 11, 26, 17, 0, tzinfo=TZ))
    booking = {"requested_slot": "appointment_time", "appointment_date": "2026-11-26"}
    slots, said, messages = run(ValidateBookingForm(), tracker(phone, "a las 5", slots=booking))
    assert slots["appointment_time"] is None
    assert said == ["utter_time_taken"]  # the time question then lists the alternatives
    assert (messages[0]["date_text"], messages[0]["time"]) == ("jueves 26 de noviembre", "17:00")
    # the four closest to 17:00 that day (17:30 is the last slot: they close at 18:00)
    assert [v[11:16] for v in slots["offered_options"]] == ["15:30", "16:00", "16:30", "17:30"]


def test_a_number_picks_the_offered_slot(phone):
    booking = {
        "requested_slot": "appointment_time",
        "appointment_date": "2026-11-26",
        "offered_options": ["2026-11-26T16:30:00-06:00", "2026-11-27T09:00:00-06:00"],
    }
    slots, said, _ = run(ValidateBookingForm(), tracker(phone, "2", "cancel_appointment", booking))
    assert (slots["appointment_date"], slots["appointment_time"]) == ("2026-11-27", "09:00")
    assert said == []


def test_a_holiday_is_explained(phone):
    slots, said, messages = run(
        ValidateBookingForm(),
        tracker(phone, "el 25 de diciembre", slots={"requested_slot": "appointment_date"}),
    )
    assert slots["appointment_date"] is None
    assert said == ["utter_date_holiday"] and messages[0]["holiday"] == "Navidad"


def test_an_answer_that_is_not_a_date_is_asked_again(phone):
    slots, said, _ = run(
        ValidateBookingForm(), tracker(phone, "el azul", slots={"requested_slot": "appointment_date"})
    )
    assert slots == {"appointment_date": None}
    assert said == ["utter_date_not_understood"]


def test_any_day_takes_the_first_free_slot(phone):
    slots, said, _ = run(
        ValidateBookingForm(), tracker(phone, "el que sea", slots={"requested_slot": "appointment_date"})
    )
    assert (slots["appointment_date"], slots["appointment_time"]) == ("2026-11-25", "11:00")
    assert said == []


def test_a_greeting_mid_question_keeps_what_was_given_and_asks_again(phone):
    booking = {"requested_slot": "appointment_time", "appointment_date": "2026-11-26"}
    slots, said, _ = run(ValidateBookingForm(), tracker(phone, "hola?", "greet", booking))
    assert slots == {"appointment_time": None} and said == ["utter_aside_greet"]


def test_leaving_mid_question_ends_the_form_without_booking(phone):
    booking = {"requested_slot": "appointment_time", "appointment_date": "2026-11-26"}
    slots, said, _ = run(ValidateBookingForm(), tracker(phone, "ya no, gracias", "deny", booking))
    assert slots == {"booking_confirmed": False, "requested_slot": None} and said == []


def test_no_with_a_new_time_at_the_confirmation_changes_the_time(phone):
    booking = {"requested_slot": "booking_confirmed", "appointment_date": "2026-11-26",
               "appointment_time": "16:30"}
    slots, said, _ = run(ValidateBookingForm(), tracker(phone, "no, a las 5", "deny", booking))
    assert slots["appointment_time"] == "17:00" and slots["booking_confirmed"] is None


def test_a_weekday_that_does_not_match_the_date_is_asked_about(phone):
    slots, said, _ = run(ValidateBookingForm(), tracker(
        phone, "el viernes 12 de diciembre", slots={"requested_slot": "appointment_date"}))
    assert slots["appointment_date"] is None
    assert slots["offered_options"] == ["2026-11-27", "2026-12-12"]


def test_the_only_appointment_is_chosen_without_asking(phone, wired):
    mine = wired.book(phone, datetime(2026, 11, 26, 10, 0, tzinfo=TZ))
    slots, said, _ = run(ValidateCancellationForm(), tracker(phone, "cancelar mi cita", "cancel_appointment"))
    assert slots["appointment_code"] == mine.code
    assert slots["selected_appointment_text"] == "jueves 26 de noviembre a las 10:00"


def test_a_change_of_topic_extracts_nothing_so_rasa_rejects_the_form(phone):
    slots, said, _ = run(
        ValidateBookingForm(),
        tracker(phone, "mejor cancela mi cita", "cancel_appointment",
                slots={"requested_slot": "appointment_date"}),
    )
    assert slots == {} and said == []


def test_starting_a_form_forgets_an_earlier_flow(phone):
    stale = {"appointment_date": "2026-11-30", "appointment_time": "10:00", "booking_confirmed": True}
    slots, _, _ = run(ValidateBookingForm(), tracker(phone, "quiero una cita", "book_appointment", stale))
    assert slots == {"appointment_date": None, "appointment_time": None, "booking_confirmed": None,
                     "appointment_service": "consulta"}  # the only service: never asked


def test_booking_after_yes_stores_it_and_sends_the_code(phone, wired):
    confirmed = {"appointment_date": "2026-11-26", "appointment_time": "10:00", "booking_confirmed": True}
    slots, said, messages = run(ActionBookAppointment(), tracker(phone, "sí", "affirm", confirmed))
    assert said == ["utter_booking_done"]
    [appointment] = wired.upcoming(phone)
    assert messages[0]["code"] == appointment.code
    assert messages[0]["time"] == "10:00"
    remembered = slots.pop("last_appointment_code")  # for "cámbiala" right after
    assert remembered == appointment.code
    assert all(value is None for value in slots.values())


def test_booking_after_no_stores_nothing(phone, wired):
    declined = {"appointment_date": "2026-11-26", "appointment_time": "10:00", "booking_confirmed": False}
    _, said, _ = run(ActionBookAppointment(), tracker(phone, "no", "deny", declined))
    assert said == ["utter_booking_discarded"] and wired.upcoming(phone) == []


def test_a_slot_taken_meanwhile_goes_back_to_the_time_question(phone, wired):
    wired.book("faster", datetime(2026, 11, 26, 10, 0, tzinfo=TZ))
    confirmed = {"appointment_date": "2026-11-26", "appointment_time": "10:00", "booking_confirmed": True}
    slots, said, _ = run(ActionBookAppointment(), tracker(phone, "sí", "affirm", confirmed))
    assert said == ["utter_time_taken"]
    assert slots["appointment_time"] is None and slots["offered_options"]
    assert wired.upcoming(phone) == []


def test_time_question_lists_free_times_of_the_day(phone):
    _, said, messages = run(
        ActionAskAppointmentTime(), tracker(phone, slots={"appointment_date": "2026-11-28"})
    )
    assert said == ["utter_ask_time_grouped"]
    assert messages[0]["options"] == (
        "Mañana: 09:00, 09:30, 10:00, 10:30, 11:00, 11:30\nTarde: 12:00, 12:30")
    assert messages[0]["date_text"] == "sábado 28 de noviembre"


def test_cancellation_lists_my_appointments_and_checks_the_owner(phone, wired):
    mine = wired.book(phone, datetime(2026, 11, 26, 10, 0, tzinfo=TZ))
    _, said, messages = run(ActionAskAppointmentCode(), tracker(phone, loop="cancellation_form"))
    assert said == ["utter_ask_code_for_cancellation"] and mine.code in messages[0]["options"]

    stranger = tracker("intruder", f"cancelar {mine.code}", "cancel_appointment",
                       entities=[{"entity": "appointment_code", "value": mine.code}])
    slots, said, _ = run(ValidateCancellationForm(), stranger)
    assert said == ["utter_code_not_found"] and slots["appointment_code"] is None

    confirmed = {"appointment_code": mine.code, "cancellation_confirmed": True}
    _, said, _ = run(ActionCancelAppointment(), tracker(phone, "sí", "affirm", confirmed))
    assert said == ["utter_cancellation_done"] and wired.upcoming(phone) == []


def test_an_hour_alone_at_the_confirmation_is_confirmed_again(phone):
    booking = {"requested_slot": "booking_confirmed", "appointment_date": "2026-11-26",
               "appointment_time": "12:00"}
    slots, said, _ = run(ValidateBookingForm(), tracker(phone, "4", "inform", booking, entities=[]))
    assert slots["appointment_time"] == "16:00" and slots["booking_confirmed"] is None


def test_an_unclear_answer_at_the_confirmation_asks_yes_or_no(phone):
    booking = {"requested_slot": "booking_confirmed", "appointment_date": "2026-11-26",
               "appointment_time": "12:00"}
    slots, said, _ = run(ValidateBookingForm(), tracker(phone, "el azul", "inform", booking))
    assert slots == {"booking_confirmed": None} and said == ["utter_yes_or_no"]


# --- the cap on upcoming appointments per phone ------------------------------------------

@pytest.fixture
def capped(wired):
    service = AppointmentService(wired.calendar, wired.repository, wired.clock,
                                 max_upcoming_per_phone=2)
    services.use(service)
    return service


def test_at_the_cap_booking_is_refused_before_asking_for_a_day(phone, capped):
    for hour in (10, 11):
        capped.book(phone, datetime(2026, 11, 26, hour, 0, tzinfo=TZ))
    start = tracker(phone, "quiero otra cita el viernes a las 10", "book_appointment")
    slots, said, messages = run(ValidateBookingForm(), start)
    assert said == ["utter_too_many_appointments"] and messages[0]["limit"] == 2
    assert slots["requested_slot"] is None and slots["appointment_date"] is None  # form ends
    slots, said, _ = run(ActionBookAppointment(), tracker(phone, "quiero otra cita"))
    assert said == [] and all(value is None for value in slots.values())  # already said
    assert len(capped.upcoming(phone)) == 2


def test_a_booking_made_meanwhile_is_refused_at_the_yes(phone, capped):
    confirmed = {"appointment_date": "2026-11-27", "appointment_time": "10:00",
                 "booking_confirmed": True}
    for hour in (10, 11):  # e.g. from a second conversation while this one confirmed
        capped.book(phone, datetime(2026, 11, 26, hour, 0, tzinfo=TZ))
    slots, said, messages = run(ActionBookAppointment(), tracker(phone, "sí", "affirm", confirmed))
    assert said == ["utter_too_many_appointments"] and messages[0]["limit"] == 2
    assert all(value is None for value in slots.values())
    assert capped.check_slot(datetime(2026, 11, 27, 10, 0, tzinfo=TZ)) is None  # not written


def test_under_the_cap_the_form_starts_as_usual(phone, capped):
    capped.book(phone, datetime(2026, 11, 26, 10, 0, tzinfo=TZ))
    start = tracker(phone, "cita el viernes a las 10", "book_appointment")
    slots, said, _ = run(ValidateBookingForm(), start)
    assert said == [] and slots["appointment_date"] == "2026-11-27"
    declined = tracker(phone, "ya no", "deny", {"booking_confirmed": False})
    _, said, _ = run(ActionBookAppointment(), declined)
    assert said == ["utter_booking_discarded"]
