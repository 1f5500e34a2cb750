"""English over signed WhatsApp webhooks through the real stack (issue 16): booking, a
person taking over (the case keeps the language, the console says "Habla inglés", the
agent gives it back in English), and a reminder from the real worker in English."""
import json
from datetime import datetime, time, timedelta, timezone

from appointments.domain.appointment import BOOKED

from tests.e2e.agents import case_webhook, console
from tests.e2e.conftest import AGENT_NUMBER
from tests.e2e.languages import (
    CODE,
    TZ,
    appointment_row,
    book,
    cases_of,
    english_day,
    english_time,
    language_slot,
    local_start,
    next_open_day,
    reads_spanish,
    repository,  # noqa: F401 - a fixture
)
from tests.e2e.test_reminders import run_worker
from tests.e2e.twilio_client import converse

CONNECTING = "Connecting you with an agent..."
BACK = "All set, you're back with the virtual assistant"


def test_an_english_booking_over_whatsapp(stack, phone):
    day, named = next_open_day()
    asked = converse(stack, phone, f"hi, I need an appointment {named} at 9", 0)
    question = f"Shall I book your appointment for {english_day(day)} at 9:00 AM?"
    assert any(question in text for text in asked), asked
    [booked] = converse(stack, phone, "yes", len(asked))
    assert "✅ Done! Your appointment is booked for" in booked, booked
    assert f"{english_day(day)} at 9:00 AM" in booked
    row = appointment_row(stack, CODE.search(booked).group(1))
    assert row["status"] == BOOKED and row["language"] == "en"
    assert local_start(row) == datetime.combine(day, time(9, 0), tzinfo=TZ)
    assert language_slot(stack, phone) == "en"


def test_an_english_speaker_is_handed_to_a_person_and_back(stack, phone):
    day, named = next_open_day()
    first = converse(stack, phone, f"hello, do you have anything open {named} morning?", 0)
    assert first and not any(reads_spanish(text) for text in first), first
    sent = len(stack.twilio.to(phone))
    [connecting] = converse(stack, phone, "can I talk to a person", sent)
    assert connecting.startswith(CONNECTING), connecting
    sent += 1

    case = case_webhook(stack, phone)
    [stored] = [c for c in cases_of(stack, phone) if c["id"] == case["case_id"]]
    assert json.loads(stored["summary"])["language"] == "en"
    notices = [m["Body"] for m in stack.twilio.sent if m["To"] == AGENT_NUMBER]
    notice = next(n for n in notices if f"#{case['case_id']}" in n)
    assert "inglés" in notice  # the agents read Spanish, and that the customer does not
    page = console(stack, "GET", f"/agent/cases/{case['case_id']}")
    assert page.status_code == 200 and "Habla inglés" in page.text
    listing = console(stack, "GET", "/agent/")
    assert listing.status_code == 200 and "Habla inglés" in listing.text

    assert console(stack, "POST", f"/agent/cases/{case['case_id']}/resume").status_code == 303
    [back] = stack.twilio.wait_for(phone, sent + 1)[sent:]
    assert BACK in back, back
    assert stack.tracker(phone)["paused"] is False
    assert language_slot(stack, phone) == "en"


def test_a_spanish_case_shows_no_english(stack, phone):
    converse(stack, phone, "hola", 0)
    converse(stack, phone, "quiero hablar con una persona", 2)
    case_id = case_webhook(stack, phone)["case_id"]
    [stored] = [c for c in cases_of(stack, phone) if c["id"] == case_id]
    assert json.loads(stored["summary"])["language"] == "es"
    page = console(stack, "GET", f"/agent/cases/{case_id}")
    assert page.status_code == 200 and "Habla inglés" not in page.text


def test_the_reminder_of_an_english_booking_goes_out_in_english(stack, phone, repository):
    greeted = converse(stack, phone, "thanks a lot for your help earlier", 0)
    assert language_slot(stack, phone) == "en", greeted
    assert stack.tracker(phone)["active_loop"].get("name") is None, greeted  # no form open
    # far from test_reminders' appointments (one to four hours from now) on the same stack
    start = (datetime.now(timezone.utc) + timedelta(hours=8)).astimezone(TZ)
    start = start.replace(minute=15, second=0, microsecond=0)  # off the 30-min grid
    book(repository, phone, "E5R-5AA", start.date(), start.time(), language="en")
    run_worker(stack)
    texts = stack.twilio.wait_for(phone, len(greeted) + 1)
    reminder = texts[-1]
    assert "Just a reminder of your" in reminder and "E5R-5AA" in reminder, reminder
    assert f"{english_day(start.date())} at {english_time(start.time())}" in reminder
    assert "Reply *1* to confirm it" in reminder and not reads_spanish(reminder)

    answers = converse(stack, phone, "1", len(texts))
    assert len(answers) == 1, answers
    assert "Thank you! Your appointment E5R-5AA" in answers[0] and "is confirmed" in answers[0]
    assert repository.get("E5R-5AA").confirmed_at is not None
