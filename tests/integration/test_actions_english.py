"""The forms read English replies as they read Spanish ones (issue 16): a date and time
in one message, a pick from a list, "the earliest", yes/no at the confirmation, asides
("hi there", "hmm not sure", "never mind") and "cancel it" for the appointment just
booked. Real rasa-sdk trackers, a real database and the real Duckling parser (English
locale), at the fixed "now" (Wednesday 2026-11-25 10:00)."""
from datetime import datetime

from actions.booking import ValidateBookingForm
from actions.cancellation import ValidateCancellationForm

from tests.conftest import FIXED_NOW, TZ
from tests.integration.actions_helpers import PARSER, run, tracker
from tests.integration.actions_helpers import wired  # noqa: F401 - the autouse fixture

CONFIRMING = {"requested_slot": "booking_confirmed", "appointment_date": "2026-11-26",
              "appointment_time": "16:30"}


def english(phone, text, intent="inform", slots=None):
    return tracker(phone, text, intent, slots, PARSER.parse(text, FIXED_NOW, "en"))


def test_date_and_time_in_one_english_message(phone):
    slots, said, _ = run(ValidateBookingForm(), english(phone, "tomorrow at 5", "book_appointment"))
    assert (slots["appointment_date"], slots["appointment_time"]) == ("2026-11-26", "17:00")
    assert said == []


def test_the_earliest_takes_the_first_free_slot(phone):
    slots, said, _ = run(ValidateBookingForm(),
                         english(phone, "the earliest", slots={"requested_slot": "appointment_date"}))
    assert (slots["appointment_date"], slots["appointment_time"]) == ("2026-11-25", "11:00")
    assert said == []


def test_an_ordinal_picks_the_offered_slot(phone):
    booking = {"requested_slot": "appointment_time", "appointment_date": "2026-11-26",
               "offered_options": ["2026-11-26T16:30:00-06:00", "2026-11-27T09:00:00-06:00"]}
    slots, said, _ = run(ValidateBookingForm(), english(phone, "the 2nd one please", slots=booking))
    assert (slots["appointment_date"], slots["appointment_time"]) == ("2026-11-27", "09:00")
    assert said == []


def test_yes_and_no_at_the_confirmation(phone):
    # read from the words, whatever the classifier made of them
    slots, _, _ = run(ValidateBookingForm(), english(phone, "yeah sounds good", "inform", CONFIRMING))
    assert slots["booking_confirmed"] is True
    slots, _, _ = run(ValidateBookingForm(), english(phone, "nah never mind", "inform", CONFIRMING))
    assert slots["booking_confirmed"] is False


def test_no_with_a_new_time_at_the_confirmation_changes_the_time(phone):
    slots, said, _ = run(ValidateBookingForm(), english(phone, "no, at 5", "deny", CONFIRMING))
    assert slots["appointment_time"] == "17:00" and slots["booking_confirmed"] is None


def test_english_asides_keep_the_question(phone):
    booking = {"requested_slot": "appointment_time", "appointment_date": "2026-11-26"}
    slots, said, _ = run(ValidateBookingForm(), english(phone, "hi there", "greet", booking))
    assert slots == {"appointment_time": None} and said == ["utter_aside_greet"]
    slots, said, _ = run(ValidateBookingForm(), english(phone, "hmm not sure", slots=booking))
    assert slots == {"appointment_time": None} and said == ["utter_aside_hesitate"]
    slots, said, _ = run(ValidateBookingForm(), english(phone, "thank you!", "thank", booking))
    assert said == ["utter_aside_thank"]


def test_a_bare_yes_to_a_list_is_asked_again(phone):
    booking = {"requested_slot": "appointment_time", "appointment_date": "2026-11-26",
               "offered_options": ["2026-11-26T16:30:00-06:00", "2026-11-27T09:00:00-06:00"]}
    slots, said, _ = run(ValidateBookingForm(), english(phone, "yes", "affirm", booking))
    assert said == ["utter_aside_hesitate_options"] and slots == {"appointment_time": None}


def test_never_mind_leaves_the_form_without_booking(phone):
    booking = {"requested_slot": "appointment_time", "appointment_date": "2026-11-26"}
    slots, said, _ = run(ValidateBookingForm(), english(phone, "never mind", "deny", booking))
    assert slots == {"booking_confirmed": False, "requested_slot": None} and said == []


def test_cancel_it_names_the_appointment_just_booked(phone, wired):
    wired.book(phone, datetime(2026, 11, 26, 10, 0, tzinfo=TZ))
    last = wired.book(phone, datetime(2026, 11, 27, 12, 0, tzinfo=TZ))
    slots, _, _ = run(ValidateCancellationForm(), english(
        phone, "cancel it", "cancel_appointment", {"last_appointment_code": last.code}))
    assert slots["appointment_code"] == last.code
    slots, _, _ = run(ValidateCancellationForm(), english(
        phone, "I want to cancel that appointment", "cancel_appointment",
        {"last_appointment_code": last.code}))
    assert slots["appointment_code"] == last.code
