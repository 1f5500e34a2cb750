"""ReminderService (appointments/services/reminders.py) on the in-memory fakes with a
clock the test moves: what goes out when, as free text or template, and what never goes
out twice. The same service over SQL, HTTP and real workers: tests/integration/
test_reminder_worker.py."""
import asyncio
from datetime import timedelta

import pytest

from actions.formatting import day_text, time_text
from appointments.domain.phones import normalize_phone
from appointments.domain.reminders import DEFAULT_OFFSETS, idempotency_key
from appointments.rasa.channels.domain_texts import DomainTexts
from appointments.services import reminders as outcomes
from appointments.services.reminders import ReminderService, Wording
from appointments.services.scheduling import AppointmentService
from appointments.settings import Settings
from tests.conftest import FIXED_NOW, ONE_SERVICE_BUSINESS, TZ, Clock, business_calendar
from tests.fakes.ports import InMemoryAppointmentRepository, InMemoryMessageLog, RecordingSender

H = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
ANA = "whatsapp:+5215512345678"
FRIDAY_10 = FIXED_NOW + 2 * 24 * H  # booked on Wednesday 10:00 for Friday 10:00
WORDING = Wording(DomainTexts(lambda: None).text, day_text, time_text)
BUSINESS = Settings.from_env({"BUSINESS_FILE": ONE_SERVICE_BUSINESS}).business


class World:
    def __init__(self, template_sid=None, can_message=lambda phone: True) -> None:
        self.clock = Clock(FIXED_NOW)
        self.repository = InMemoryAppointmentRepository(TZ, DEFAULT_OFFSETS)
        self.queue = self.repository.reminders
        self.log = InMemoryMessageLog(self.clock)
        self.sender = RecordingSender()
        self.scheduling = AppointmentService(business_calendar(), self.repository, self.clock)
        self.scheduling = self.scheduling.for_offering(BUSINESS.default_offering)
        self.template_sid = template_sid
        self.can_message = can_message

    def service(self, worker_id="w1") -> ReminderService:
        return ReminderService(self.queue, self.repository, self.log, self.sender, BUSINESS,
                               WORDING, DEFAULT_OFFSETS, self.template_sid, self.clock,
                               self.can_message, worker_id, batch_size=5)

    def run_at(self, moment, *services):
        self.clock.now = moment
        async def both():
            return await asyncio.gather(*(s.send_due() for s in services or [self.service()]))
        return asyncio.run(both())[0]

    def says(self, moment, phone=ANA, text="hola"):
        self.clock.now = moment
        self.log.record("in", phone, text, "received")

    def states(self, code):
        return {r.kind: (r.state, r.last_error) for r in self.queue.for_appointment(code)}


@pytest.fixture
def world():
    return World()


def test_free_text_goes_at_each_offset_inside_the_24_hour_window(world):
    booked = world.scheduling.book(ANA, FRIDAY_10)
    world.says(FRIDAY_10 - 25 * H)  # Thursday 09:00
    assert world.run_at(FRIDAY_10 - 24 * H - MINUTE).total == 0
    assert world.sender.sent == []
    assert world.run_at(FRIDAY_10 - 24 * H)[outcomes.SENT] == 1
    [text] = world.sender.to(ANA)
    assert text == (
        f"Hola ¿qué tal? 👋 Te recordamos tu cita de Consulta el viernes 27 de noviembre a las "
        f"10:00 (código {booked.code}).\nResponde *1* para confirmarla, *2* para cambiarla o "
        "*3* para cancelarla. Escribe *BAJA* si ya no quieres recordatorios.")
    assert world.run_at(FRIDAY_10 - 3 * H).total == 0  # nothing twice
    world.run_at(FRIDAY_10 - 2 * H)  # the last message was 23 h ago: still free text
    assert len(world.sender.to(ANA)) == 2 and world.sender.sent[1].content_sid is None
    assert world.states(booked.code) == {"24h": ("sent", None), "2h": ("sent", None)}
    logged = [m for m in world.log.conversation(ANA) if m["direction"] == "out"]
    assert [(m["author"], m["status"], m["body"]) for m in logged] == [
        ("reminder", "queued", text)] * 2
    assert [m["message_sid"] for m in logged] == ["SM" + "1".zfill(32), "SM" + "2".zfill(32)]


def test_outside_the_window_the_template_goes_with_its_variables():
    world = World(template_sid="HXreminder")
    booked = world.scheduling.book(ANA, FRIDAY_10, customer_name="Ana")
    world.says(FRIDAY_10 - 50 * H)
    world.run_at(FRIDAY_10 - 24 * H)
    [message] = world.sender.sent
    assert (message.body, message.content_sid) == ("", "HXreminder")
    assert message.variables == {"1": "Ana", "2": "Consulta", "3": "viernes 27 de noviembre",
                                 "4": "10:00", "5": booked.code}
    [logged] = [m for m in world.log.conversation(ANA) if m["author"] == "reminder"]
    assert logged["body"].startswith("Hola Ana 👋 Te recordamos tu cita de Consulta")


def test_outside_the_window_without_a_template_it_is_skipped_not_sent(world):
    booked = world.scheduling.book(ANA, FRIDAY_10)
    assert world.run_at(FRIDAY_10 - 24 * H)[outcomes.SKIPPED] == 1
    assert world.sender.sent == [] and world.log.conversation(ANA) == []
    assert world.states(booked.code)["24h"] == ("skipped", "outside 24 h, no template")


def test_an_opted_out_phone_gets_nothing():
    world = World(can_message=lambda phone: normalize_phone(phone) != normalize_phone(ANA))
    booked = world.scheduling.book(ANA, FRIDAY_10)
    world.says(FRIDAY_10 - 25 * H)
    world.run_at(FRIDAY_10 - 24 * H)
    assert world.sender.sent == []
    assert world.states(booked.code)["24h"] == ("skipped", "opted out")


def test_a_cancelled_appointment_gets_no_reminder(world):
    booked = world.scheduling.book(ANA, FRIDAY_10)
    world.says(FRIDAY_10 - 25 * H)
    world.scheduling.cancel(ANA, booked.code)
    for hours in (24, 2):
        world.run_at(FRIDAY_10 - hours * H)
    assert world.sender.sent == []


def test_a_moved_appointment_is_reminded_at_its_new_times_only(world):
    booked = world.scheduling.book(ANA, FRIDAY_10)
    world.says(FRIDAY_10 - 25 * H)
    world.run_at(FRIDAY_10 - 24 * H)  # the 24 h one went for Friday
    monday = FRIDAY_10 + 3 * 24 * H
    world.clock.now = FRIDAY_10 - 23 * H
    world.scheduling.reschedule(ANA, booked.code, monday)
    world.run_at(FRIDAY_10 - 2 * H)
    assert len(world.sender.sent) == 1
    world.says(monday - 25 * H)
    world.run_at(monday - 24 * H)
    world.run_at(monday - 2 * H)
    texts = world.sender.to(ANA)
    assert len(texts) == 3 and "lunes 30 de noviembre a las 10:00" in texts[1] == texts[2]


def test_two_workers_at_once_send_each_reminder_once(world):
    phones = [f"whatsapp:+52155000000{n:02d}" for n in range(12)]
    for n, phone in enumerate(phones):
        world.scheduling.book(phone, FRIDAY_10 + n * H / 2)
        world.says(FRIDAY_10 - 25 * H, phone)
    world.run_at(FRIDAY_10 + 6 * H - 24 * H, world.service("w1"), world.service("w2"))
    assert sorted(m.to for m in world.sender.sent) == sorted(map(normalize_phone, phones))


def test_a_reminder_whose_send_was_interrupted_is_not_sent_again(world):
    """A worker died after reserving the message (Twilio may have it): at most once."""
    booked = world.scheduling.book(ANA, FRIDAY_10)
    world.says(FRIDAY_10 - 25 * H)
    world.clock.now = FRIDAY_10 - 24 * H
    [claimed] = world.queue.claim_due(world.clock.now, "dead", 10)
    world.log.reserve_outbound(ANA, "…", idempotency_key(booked.code, "24h", FRIDAY_10),
                               "reminder")
    assert world.run_at(FRIDAY_10 - 24 * H + MINUTE).total == 0  # the claim is fresh
    assert world.run_at(FRIDAY_10 - 24 * H + 6 * MINUTE)[outcomes.SKIPPED] == 1
    assert world.sender.sent == []
    assert "interrupted mid-send" in world.states(booked.code)["24h"][1]


def test_a_reminder_sent_just_before_a_crash_is_recorded_not_resent(world):
    booked = world.scheduling.book(ANA, FRIDAY_10)
    world.says(FRIDAY_10 - 25 * H)
    world.clock.now = FRIDAY_10 - 24 * H
    world.queue.claim_due(world.clock.now, "dead", 10)
    key = idempotency_key(booked.code, "24h", FRIDAY_10)
    world.log.finish_outbound(world.log.reserve_outbound(ANA, "…", key, "reminder"), "queued", "SMx")
    world.run_at(FRIDAY_10 - 23 * H)
    assert world.sender.sent == []
    assert [r.message_sid for r in world.queue.for_appointment(booked.code)] == ["SMx", None]


def test_a_refused_send_is_tried_again_after_a_pause(world):
    booked = world.scheduling.book(ANA, FRIDAY_10)
    world.says(FRIDAY_10 - 25 * H)
    world.sender.fail("503 code=20503 fake")
    assert world.run_at(FRIDAY_10 - 24 * H)[outcomes.FAILED] == 1
    world.sender.recover()
    assert world.run_at(FRIDAY_10 - 24 * H + MINUTE / 2).total == 0
    assert world.run_at(FRIDAY_10 - 24 * H + MINUTE)[outcomes.SENT] == 1
    assert len(world.sender.sent) == 1 and len(world.sender.refused) == 1
    logged = [(m["status"], m["error"]) for m in world.log.conversation(ANA)
              if m["author"] == "reminder"]
    assert logged == [("failed", "503 code=20503 fake"), ("queued", None)]
    assert world.states(booked.code)["24h"] == ("sent", None)


def test_a_clock_jump_forward_sends_only_the_latest_and_a_jump_back_nothing_more(world):
    booked = world.scheduling.book(ANA, FRIDAY_10)
    world.says(FRIDAY_10 - 3 * H)
    world.run_at(FRIDAY_10 - H)  # the worker was down, or the clock jumped: both are due
    assert len(world.sender.sent) == 1
    assert world.states(booked.code)["24h"] == ("skipped", "superseded by the 2h reminder")
    assert world.run_at(FRIDAY_10 - 30 * H).total == 0  # back in time
    assert world.run_at(FRIDAY_10 - H / 2).total == 0  # and forward again
    assert len(world.sender.sent) == 1


def test_a_reminder_for_an_appointment_already_started_is_skipped(world):
    booked = world.scheduling.book(ANA, FRIDAY_10)
    world.says(FRIDAY_10 - H)
    world.run_at(FRIDAY_10 + MINUTE)
    assert world.sender.sent == []
    assert world.states(booked.code)["2h"] == ("skipped", "appointment already started")


def test_a_stop_request_gives_the_claimed_reminders_back(world):
    for n in range(3):
        world.scheduling.book(f"whatsapp:+521550000001{n}", FRIDAY_10 + n * H)
    world.clock.now = FRIDAY_10 + 3 * H - 24 * H
    asked = iter([False, False, True, True, True, True])  # stop after the first
    service = world.service()
    service.concurrency = 1
    outcome = asyncio.run(service.send_due(lambda: next(asked)))  # asked before each one
    assert (outcome[outcomes.SKIPPED], outcome[outcomes.LEFT]) == (1, 2)
    assert len(world.queue.claim_due(world.clock.now, "w2", 10)) == 2


def test_a_missing_reminder_text_is_recorded_not_sent(world):
    service = world.service()
    service.wording = Wording(lambda name, language: None, day_text, time_text)
    booked = world.scheduling.book(ANA, FRIDAY_10)
    world.says(FRIDAY_10 - 25 * H)
    world.clock.now = FRIDAY_10 - 24 * H
    asyncio.run(service.send_due())
    assert world.sender.sent == []
    assert "utter_reminder" in world.states(booked.code)["24h"][1]


def test_a_recipient_who_said_stop_at_twilio_is_opted_out_and_not_retried():
    unsubscribed = []
    world = World()
    booked = world.scheduling.book(ANA, FRIDAY_10)
    world.says(FRIDAY_10 - 25 * H)
    service = world.service()
    service.unsubscribed = unsubscribed.append
    world.sender.fail("21610 unsubscribed", code=21610)
    world.run_at(FRIDAY_10 - 24 * H, service)
    assert unsubscribed == [normalize_phone(ANA)]
    assert world.states(booked.code)["24h"] == ("skipped", "opted out at Twilio (21610)")


def test_a_customer_who_booked_in_english_is_reminded_in_english(world):
    booked = world.scheduling.book(ANA, FRIDAY_10, customer_name="Ann", language="en")
    world.says(FRIDAY_10 - 25 * H)
    world.run_at(FRIDAY_10 - 24 * H)
    [text] = world.sender.to(ANA)
    assert text.startswith("Hi Ann 👋")
    assert "Friday, November 27 at 10:00 AM" in text and booked.code in text
    assert "STOP" in text and "BAJA" not in text


def test_outside_the_window_an_english_customer_gets_the_english_template():
    world = World(template_sid="HXspanish")
    service = world.service()
    service.template_sid_en = "HXenglish"
    world.scheduling.book(ANA, FRIDAY_10, customer_name="Ann", language="en")
    world.scheduling.book("whatsapp:+5215599999999", FRIDAY_10 + H, customer_name="Bea")
    world.says(FRIDAY_10 - 50 * H)
    world.run_at(FRIDAY_10 - 23 * H, service)
    sent = sorted((m.variables["1"], m.content_sid, m.variables["3"], m.variables["4"])
                  for m in world.sender.sent)
    assert sent == [("Ann", "HXenglish", "Friday, November 27", "10:00 AM"),
                    ("Bea", "HXspanish", "viernes 27 de noviembre", "11:00")]
