"""The handoff actions (a person takes over: on request, with nobody notified, after
hours, after repeated misunderstandings) with real rasa-sdk trackers and dispatcher, a
real database, the real Duckling parser and a local fake of Twilio for the agent's
notice, at a fixed "now" (Wednesday 2026-11-25 10:00)."""
import asyncio
from datetime import datetime

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.handoff import ActionHandleFallback, ActionHandoffToHuman
from appointments.adapters.twilio import TwilioSender
from appointments.adapters.notifiers import Notifiers, TwilioAgentNotifier
from appointments.services.scheduling import AppointmentService
from appointments.adapters.sql.handoffs import SqlHandoffRepository
from appointments.domain.phones import normalize_phone

from tests.conftest import TZ
from tests.integration.actions_helpers import DOMAIN, run, tracker
from tests.integration.actions_helpers import wired  # noqa: F401 - the autouse fixture

AGENT = "whatsapp:+5215500000000"


def agent_notifiers(twilio):
    sender = TwilioSender("ACtest", "token", "whatsapp:+14155238886", base_url=twilio.url)
    return Notifiers([TwilioAgentNotifier(sender, AGENT, close_sender=True)])


def conversation(phone, *turns):
    """A tracker whose events are the given (author, text, intent) turns."""
    events = [{"event": "active_loop", "name": "booking_form"}]
    for author, text, intent in turns:
        event = {"event": author, "text": text, "timestamp": 1764086400.0}
        if author == "user":
            event["parse_data"] = {"intent": {"name": intent}}
            event["metadata"] = {"ProfileName": "Ana"}
        events.append(event)
    last = events[-1].get("parse_data", {})
    return Tracker(phone, {"appointment_date": "2026-11-26"}, last, events, False, None, {},
                   "action_listen")


def test_handoff_opens_a_case_notifies_the_agent_and_pauses_the_bot(phone, wired, twilio):
    services.use(wired, agent_notifiers(twilio))
    tracker_ = conversation(phone, ("user", "quiero una cita", "book_appointment"),
                            ("bot", "¿Para qué día?", None),
                            ("user", "quiero hablar con una persona", "human_handoff"))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionHandoffToHuman().run(dispatcher, tracker_, DOMAIN))
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff"]
    assert events[-1]["event"] == "pause"
    [case] = SqlHandoffRepository(wired.repository.engine).list_open()
    assert (case["phone"], case["sender_id"], case["profile_name"], case["reason"]) == (
        normalize_phone(phone), phone, "Ana", "user_request")
    assert case["summary"] == {"goal": "crear una cita", "language": "es",
                               "slots": {"appointment_date": "2026-11-26"}}
    assert [line["text"] for line in case["transcript"]][-1] == "quiero hablar con una persona"
    [notice] = twilio.wait_for(AGENT, 1)
    number = normalize_phone(phone).split(":")[1]  # the case shows the normal form
    assert number in notice and "crear una cita" in notice and "Ana" in notice


def test_with_nobody_notified_the_user_hears_the_request_is_queued(phone, wired):
    services.use(wired, Notifiers([]))
    said = [m["response"] for m in run(ActionHandoffToHuman(), tracker(phone, "agente", "human_handoff"))[2]]
    assert said == ["utter_handoff_queued"]
    assert SqlHandoffRepository(wired.repository.engine).open_case_for(phone) is not None


def test_after_hours_the_user_hears_when_a_person_will_answer(phone, wired, twilio):
    night = AppointmentService(wired.calendar, wired.repository,
                               lambda: datetime(2026, 11, 25, 21, 30, tzinfo=TZ))
    services.use(night, agent_notifiers(twilio))
    _, said, messages = run(ActionHandoffToHuman(), tracker(phone, "agente", "human_handoff"))
    assert said == ["utter_handoff_after_hours"]
    assert messages[0]["next_opening"] == "jueves 26 de noviembre, 09:00"
    assert twilio.wait_for(AGENT, 1)  # the team still gets the case for the morning


def test_repeated_misunderstandings_end_with_a_person(phone, wired):
    services.use(wired, Notifiers([]))
    once = conversation(phone, ("user", "asdf", "nlu_fallback"))
    assert run(ActionHandleFallback(), once)[1] == ["utter_default", "utter_menu"]
    twice = conversation(phone, ("user", "asdf", "nlu_fallback"), ("user", "¿y el clima?", "out_of_scope"))
    assert run(ActionHandleFallback(), twice)[1] == ["utter_out_of_scope", "utter_menu"]
    thrice = conversation(phone, ("user", "qwer", "nlu_fallback"),
                          ("user", "¿cuál es la capital de Francia?", "out_of_scope"),
                          ("user", "zxcv", "nlu_fallback"))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionHandleFallback().run(dispatcher, thrice, DOMAIN))
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_fallback_handoff", "utter_handoff_queued"]
    assert events[-1]["event"] == "pause"
    case = SqlHandoffRepository(wired.repository.engine).open_case_for(phone)
    assert case["reason"] == "fallback"
