"""English conversations through the REST channel and the real stack (issue 16): an
English speaker books, lists, reschedules and cancels in English and the database keeps
the language; short replies ("ok", "10", "sí", "yes", "1") never switch the language
either way; "English" / "español" switch it at any time, also in the middle of a form.
WhatsApp, handoff and reminders in English: test_languages_whatsapp.py."""
from datetime import time

from appointments.domain.appointment import BOOKED, CANCELLED

from tests.e2e.languages import (
    CODE,
    appointment_row,
    book,
    english_day,
    language_slot,
    local_start,
    next_open_day,
    reads_english,
    reads_spanish,
    repository,  # noqa: F401 - a fixture
    user_languages,
)


def test_an_english_speaker_books_in_one_message_and_sees_it_listed(stack, say, sender):
    day, named = next_open_day()
    asked = say(f"hi, I need an appointment {named} at 10")
    question = f"Shall I book your appointment for {english_day(day)} at 10:00 AM?"
    assert question in asked, asked
    booked = say("yes")
    assert "✅ Done! Your appointment is booked for" in booked, booked
    assert f"{english_day(day)} at 10:00 AM" in booked
    code = CODE.search(booked).group(1)
    assert language_slot(stack, sender) == "en"
    row = appointment_row(stack, code)
    assert row["status"] == BOOKED and row["language"] == "en"
    assert (local_start(row).date(), local_start(row).time()) == (day, time(10, 0))

    listing = say("my appointments")
    assert "Your upcoming appointments:" in listing and code in listing, listing
    assert f"{english_day(day)}, 10:00 AM" in listing
    assert set(user_languages(stack, sender)) == {"en"}


def test_an_english_speaker_lists_and_reschedules(stack, say, sender, repository):
    day, named = next_open_day()
    code = "E2N-7AA"
    book(repository, sender, code, day, time(12, 0), language="en")
    greeted = say("hello, how are you doing?")
    assert language_slot(stack, sender) == "en" and not reads_spanish(greeted), greeted

    listing = say("my appointments")
    assert "Your upcoming appointments:" in listing and code in listing, listing
    assert f"{english_day(day)}, 12:00 PM" in listing

    moving = say("reschedule my appointment")
    assert "What day would you like to move your appointment on" in moving, moving
    assert f"{english_day(day)} at 12:00 PM" in moving
    times = say(named)
    assert f"Open times on {english_day(day)}" in times, times
    confirm = say("12:30")
    assert f"Shall I move your appointment {code}" in confirm, confirm
    assert f"to {english_day(day)} at 12:30 PM?" in confirm
    moved = say("yes")
    assert f"Done, your appointment {code} is now on {english_day(day)}" in moved, moved
    assert "12:30 PM" in moved
    row = appointment_row(stack, code)
    assert row["status"] == BOOKED and local_start(row).time() == time(12, 30)
    assert set(user_languages(stack, sender)) == {"en"}


def test_an_english_speaker_cancels(stack, say, sender, repository):
    day, _ = next_open_day()
    code = "E3C-8AA"
    book(repository, sender, code, day, time(11, 0), language="en")
    greeted = say("hello, how are you doing?")
    assert language_slot(stack, sender) == "en" and not reads_spanish(greeted), greeted
    assert code in say("my appointments")

    asking = say("cancel it")
    assert "Shall I cancel your appointment on" in asking and code in asking, asking
    assert f"{english_day(day)} at 11:00 AM" in asking
    cancelled = say("yes")
    assert f"Your appointment {code} on" in cancelled and "has been canceled" in cancelled
    assert appointment_row(stack, code)["status"] == CANCELLED
    assert "You have no upcoming appointments" in say("my appointments")
    assert set(user_languages(stack, sender)) == {"en"}


def test_a_spanish_speaker_writing_short_replies_stays_in_spanish(stack, say, sender):
    replies = {}
    for text in ("quiero agendar una cita", "ok", "3", "10", "yes"):
        replies[text] = say(text)
        assert language_slot(stack, sender) == "es", (text, replies[text])
        assert not reads_english(replies[text]), (text, replies[text])
    assert "¿Para qué día quieres tu cita?" in replies["quiero agendar una cita"]
    assert "Horarios libres el" in replies["3"], replies["3"]
    assert "¿Confirmas tu cita" in replies["10"], replies["10"]
    assert "✅ ¡Listo!" in replies["yes"] and CODE.search(replies["yes"]), replies["yes"]
    code = CODE.search(replies["yes"]).group(1)
    assert appointment_row(stack, code)["language"] in (None, "es")

    for text in ("sí", "1", "ok", "10"):  # after the booking: the menu's "1" is booking
        reply = say(text)
        assert language_slot(stack, sender) == "es", (text, reply)
        assert reply.strip() and not reads_english(reply), (text, reply)
    assert set(user_languages(stack, sender)) == {"es"}


def test_an_english_speaker_writing_short_replies_stays_in_english(stack, say, sender):
    asked = say("hello, I would like to book an appointment please")
    assert "What day would you like your appointment?" in asked, asked
    replies = {}
    for text in ("ok", "4", "10", "si"):
        replies[text] = say(text)
        assert language_slot(stack, sender) == "en", (text, replies[text])
        assert not reads_spanish(replies[text]), (text, replies[text])
    assert "Open times on" in replies["4"], replies["4"]
    assert "Shall I book your appointment for" in replies["10"], replies["10"]
    assert "✅ Done!" in replies["si"] and CODE.search(replies["si"]), replies["si"]
    code = CODE.search(replies["si"]).group(1)
    assert appointment_row(stack, code)["language"] == "en"
    assert set(user_languages(stack, sender)) == {"en"}


def test_english_and_espanol_switch_the_language(stack, say, sender):
    assert "1. Crear una cita" in say("hola")
    switched = say("English")
    assert "I'll write in English from now on" in switched, switched
    assert "How can I help you?" in switched and "1. Book an appointment" in switched
    assert language_slot(stack, sender) == "en"

    back = say("español")
    assert "Te escribo en español" in back, back
    assert "¿En qué te puedo ayudar?" in back and "1. Crear una cita" in back
    assert language_slot(stack, sender) == "es"


def test_english_in_the_middle_of_a_booking_asks_the_same_question_again(stack, say, sender):
    assert "¿Para qué día quieres tu cita?" in say("quiero agendar una cita")
    again = say("English")
    assert "What day would you like your appointment?" in again, again
    assert not reads_spanish(again)
    tracker = stack.tracker(sender)
    assert tracker["slots"]["language"] == "en"
    assert tracker["active_loop"]["name"] == "booking_form"
    times = say("1")  # the form goes on, in English
    assert "Open times on" in times, times
