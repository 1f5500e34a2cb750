"""HandoffDesk's rules on the in-memory fakes (tests/fakes/ports.py): giving a case back
(and undoing it when the assistant fails), the idle timeout, the agent's replies and the
case view. The clock is the test's; the fakes are held to the SQL adapters by
tests/integration/test_repository_contract_handoffs.py, and the desk over the real
database, Twilio's and Rasa's HTTP APIs is in tests/integration/test_handoff_desk.py."""
import asyncio
from datetime import timedelta

import pytest

from appointments.domain.handoff import CLOSED, OPEN, AssistantUnavailable, CaseClosed, CaseNotFound
from appointments.domain.messages import split
from appointments.services.handoff_desk import FINISHED_INTENT, HandoffDesk, SendFailed

from tests.conftest import FIXED_NOW
from tests.fakes.ports import (
    FakeAssistant, InMemoryHandoffCases, InMemoryMessageLog, RecordingSender,
)

ANA, BETO = "whatsapp:+5215500000001", "whatsapp:+5215500000002"
TIMEOUT = timedelta(minutes=240)
RESUMED = [("resume", ANA), ("trigger_intent", ANA, FINISHED_INTENT, {})]


@pytest.fixture
def desk(clock) -> HandoffDesk:
    return HandoffDesk(InMemoryHandoffCases(clock), InMemoryMessageLog(clock),
                       RecordingSender(), FakeAssistant(), int(TIMEOUT.total_seconds() // 60),
                       clock)


def run(coroutine):
    return asyncio.run(coroutine)


def open_case(desk, phone=ANA):
    desk.rasa.paused.add(phone)  # the handoff action paused the bot
    return desk.cases.open_case(phone, "user_request", {"goal": None, "slots": {}})


# --- giving a case back --------------------------------------------------------------

def test_give_back_closes_the_case_resumes_and_tells_the_user(desk, clock):
    case_id = open_case(desk)
    clock.now = FIXED_NOW + timedelta(minutes=3)
    case = run(desk.give_back(case_id, agent_name="lucia"))
    assert (case["status"], case["closed_by"], case["closed_agent"]) == (CLOSED, "agent", "lucia")
    assert case["closed_at"] == clock.now and desk.cases.get(case_id) == case
    assert desk.rasa.calls == RESUMED and desk.rasa.paused == set()


def test_the_second_click_is_refused_and_rasa_is_not_called_again(desk):
    case_id = open_case(desk)
    run(desk.give_back(case_id))
    with pytest.raises(CaseClosed):
        run(desk.give_back(case_id, closed_by="timeout"))
    with pytest.raises(CaseNotFound):
        run(desk.give_back(case_id + 1))
    assert desk.rasa.calls == RESUMED and desk.cases.get(case_id)["closed_by"] == "agent"


def test_assistant_down_reopens_the_case(desk):
    case_id = open_case(desk)
    desk.rasa.fail("resume")
    with pytest.raises(AssistantUnavailable):
        run(desk.give_back(case_id, agent_name="lucia"))
    case = desk.cases.get(case_id)
    assert (case["status"], case["closed_at"], case["closed_by"], case["closed_agent"]) == (
        OPEN, None, None, None)
    assert desk.rasa.calls == [("resume", ANA)] and desk.rasa.paused == {ANA}


@pytest.mark.parametrize("pause_fails_too", [False, True])
def test_resumed_but_user_not_told_puts_everything_back(desk, pause_fails_too):
    case_id = open_case(desk)
    desk.rasa.fail("trigger_intent")
    if pause_fails_too:
        desk.rasa.fail("pause")
    with pytest.raises(AssistantUnavailable):
        run(desk.give_back(case_id))
    assert desk.rasa.calls == RESUMED + [("pause", ANA)]
    assert desk.rasa.paused == (set() if pause_fails_too else {ANA})
    assert desk.cases.get(case_id)["status"] == OPEN


# --- the idle timeout ----------------------------------------------------------------

def test_expire_idle_gives_back_only_idle_cases(desk, clock):
    idle = open_case(desk)
    clock.now = FIXED_NOW + timedelta(minutes=30)
    busy = open_case(desk, BETO)
    clock.now = FIXED_NOW + TIMEOUT  # idle exactly the timeout: not yet
    assert run(desk.expire_idle()) == [] and desk.rasa.calls == []
    clock.now += timedelta(minutes=1)
    assert run(desk.expire_idle()) == [idle]
    case = desk.cases.get(idle)
    assert (case["status"], case["closed_by"]) == (CLOSED, "timeout")
    assert desk.cases.get(busy)["status"] == OPEN and desk.rasa.calls == RESUMED


def test_an_agent_reply_keeps_the_case_open(desk, clock):
    case_id = open_case(desk)
    clock.now = FIXED_NOW + timedelta(minutes=200)
    run(desk.reply(case_id, "Sigo revisando", "lucia"))
    clock.now = FIXED_NOW + TIMEOUT + timedelta(minutes=1)
    assert run(desk.expire_idle()) == [] and desk.cases.get(case_id)["status"] == OPEN


def test_a_user_still_writing_keeps_the_case_open(desk, clock):
    case_id = open_case(desk)
    clock.now = FIXED_NOW + TIMEOUT  # the user wrote while paused: only the log has it
    desk.log.record("in", ANA, "¿Siguen ahí?", "received")
    clock.now += timedelta(minutes=2)
    assert run(desk.expire_idle()) == []
    assert desk.cases.get(case_id)["status"] == OPEN and desk.rasa.calls == []


def test_expire_idle_with_the_assistant_down_keeps_cases_open(desk, clock):
    first, second = open_case(desk), open_case(desk, BETO)
    desk.rasa.fail()
    clock.now = FIXED_NOW + timedelta(hours=5)
    assert run(desk.expire_idle()) == []
    assert {desk.cases.get(i)["status"] for i in (first, second)} == {OPEN}


@pytest.mark.parametrize("error", [AssistantUnavailable("500"), RuntimeError("bug")])
def test_one_failure_does_not_stop_the_others(desk, clock, error):
    broken, fine = open_case(desk), open_case(desk, BETO)
    desk.rasa.fail("resume", ANA, error)
    clock.now = FIXED_NOW + timedelta(hours=5)
    assert run(desk.expire_idle()) == [fine]
    assert desk.cases.get(fine)["status"] == CLOSED
    assert ("trigger_intent", BETO, FINISHED_INTENT, {}) in desk.rasa.calls


def test_a_case_given_back_meanwhile_is_skipped(clock):
    class Racing(InMemoryHandoffCases):
        """An agent gives the first idle case back while the timeout looks at it."""

        def idle_since(self, moment):
            found = super().idle_since(moment)
            self.close(found[0]["id"], "agent")
            return found

    desk = HandoffDesk(Racing(clock), InMemoryMessageLog(clock), RecordingSender(),
                       FakeAssistant(), 240, clock)
    taken, left = open_case(desk), open_case(desk, BETO)
    clock.now = FIXED_NOW + timedelta(hours=5)
    assert run(desk.expire_idle()) == [left]
    assert desk.cases.get(taken)["closed_by"] == "agent"
    assert [call[1] for call in desk.rasa.calls] == [BETO, BETO]


# --- the agent's replies -------------------------------------------------------------

def test_reply_splits_long_texts_logs_each_chunk_and_notes_the_activity(desk, clock):
    case_id = open_case(desk)
    clock.now = FIXED_NOW + timedelta(minutes=5)
    text = ("Párrafo uno. " * 100).strip() + "\r\n\r\n" + ("Párrafo dos. " * 100).strip()
    run(desk.reply(case_id, f"  {text} ", "Lucía"))
    sent = desk.sender.to(ANA)
    assert len(sent) == 2 and all(len(chunk) <= 1600 for chunk in sent)
    assert sent == split(text.replace("\r\n", "\n")) and "\r" not in "".join(sent)
    logged = desk.log.conversation(ANA)
    assert [m["body"] for m in logged] == sent
    assert {(m["direction"], m["author"], m["agent_name"], m["status"]) for m in logged} == {
        ("out", "agent", "Lucía", "queued")}
    assert [m["message_sid"] for m in logged] == [f"SM{n:032d}" for n in (1, 2)]
    assert desk.cases.get(case_id)["updated_at"] == clock.now


def test_reply_refuses_blank_text_unknown_and_closed_cases(desk):
    case_id = open_case(desk)
    with pytest.raises(ValueError):
        run(desk.reply(case_id, " \r\n ", "Lucía"))
    with pytest.raises(CaseNotFound):
        run(desk.reply(case_id + 1, "hola", "Lucía"))
    desk.cases.close(case_id, "agent")
    with pytest.raises(CaseClosed):
        run(desk.reply(case_id, "hola", "Lucía"))
    assert desk.sender.sent == [] and desk.log.conversation(ANA) == []


def test_a_failed_send_is_logged_and_raised_and_stops_the_rest(desk, clock):
    case_id = open_case(desk)
    desk.sender.fail("400 code=63016 outside WhatsApp's 24-hour window", to=ANA, after=1)
    clock.now = FIXED_NOW + timedelta(minutes=5)
    text = "\n\n".join(["uno " * 300, "dos " * 300, "tres " * 300])
    with pytest.raises(SendFailed, match="24-hour window"):
        run(desk.reply(case_id, text, "Lucía"))
    assert [(m["status"], m["error"]) for m in desk.log.conversation(ANA)] == [
        ("queued", None), ("failed", "400 code=63016 outside WhatsApp's 24-hour window")]
    assert len(split(text)) == 3
    assert len(desk.sender.sent) == len(desk.sender.refused) == 1  # the third never tried
    assert desk.cases.get(case_id)["updated_at"] == FIXED_NOW  # no activity noted


# --- what the console shows ----------------------------------------------------------

def test_case_view_has_the_messages_of_the_case(desk, clock):
    desk.log.record("in", ANA, "antes del caso", "received")
    clock.now += timedelta(minutes=1)
    case_id = open_case(desk)
    desk.log.record("out", ANA, "Conectando con un agente...", "queued")
    desk.log.record("in", BETO, "otra conversación", "received")
    clock.now += timedelta(minutes=1)
    desk.log.record("in", ANA, "¿sigues ahí?", "received")
    view = run(desk.case_view(case_id))
    assert view["id"] == case_id and view["status"] == OPEN
    assert [m["body"] for m in view["messages"]] == ["Conectando con un agente...", "¿sigues ahí?"]
    run(desk.give_back(case_id))
    clock.now += timedelta(minutes=1)
    desk.log.record("in", ANA, "gracias", "received")  # after the case
    closed = run(desk.case_view(case_id))
    assert [m["body"] for m in closed["messages"]] == [m["body"] for m in view["messages"]]
    with pytest.raises(CaseNotFound):
        run(desk.case_view(case_id + 1))


def test_open_cases_are_listed_oldest_first(desk, clock):
    first = open_case(desk)
    clock.now += timedelta(minutes=1)
    second = open_case(desk, BETO)
    clock.now += timedelta(minutes=1)
    closed = open_case(desk, "whatsapp:+5215500000003")
    desk.cases.close(closed, "agent")
    assert [c["id"] for c in run(desk.open_cases())] == [first, second]


def test_the_case_is_kept_under_the_normal_number_and_answered_where_the_user_wrote(desk):
    """WhatsApp wrote "+521..."; the case is stored as "+52..." (one person, either form),
    and the agent's reply and the resume go to the conversation Rasa knows."""
    case_id = open_case(desk)
    assert desk.cases.get(case_id)["phone"] == "whatsapp:+525500000001"
    assert desk.cases.open_case_for("whatsapp:+525500000001")["id"] == case_id
    run(desk.reply(case_id, "Hola, soy Lucía", "lucia"))
    assert desk.sender.to(ANA) == ["Hola, soy Lucía"]
    run(desk.give_back(case_id))
    assert desk.rasa.calls == RESUMED
