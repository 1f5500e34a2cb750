"""A handoff case in the helpdesks, on in-memory fakes (tests/fakes/helpdesk.py): opened
at once or kept pending and retried with backoff while the product is down, given up
after a refusal or too many tries, what the user writes appended only to an open case,
resolved there once the case is closed here; and the webhook side (HelpdeskInbound):
agent replies to WhatsApp, "resolved" back to the bot, replays and refusals."""
import asyncio
from datetime import timedelta

import pytest

from appointments.domain.handoff import CLOSED as CASE_CLOSED, OPEN as CASE_OPEN
from appointments.domain.helpdesk import (
    CLOSED, FAILED, OPEN, PENDING, AgentReply, HelpdeskError, Ignored, Resolved,
)
from appointments.domain.messages import INBOUND
from appointments.services.handoff_desk import FINISHED_INTENT, HandoffDesk
from appointments.services.helpdesk_inbound import HelpdeskInbound
from appointments.services.helpdesk_sync import MAX_ATTEMPTS, HelpdeskSync, backoff
from tests.conftest import FIXED_NOW
from tests.fakes.helpdesk import FakeHelpdesk, InMemoryHelpdeskLinks
from tests.fakes.ports import FakeAssistant, InMemoryHandoffCases, InMemoryMessageLog, RecordingSender

ANA = "whatsapp:+5215500000001"
SECRET = "s" * 16
DOWN = HelpdeskError("fakedesk POST: HTTP 503")


def run(coroutine):
    return asyncio.run(coroutine)


class World:
    def __init__(self, clock):
        self.clock = clock
        self.cases = InMemoryHandoffCases(clock)
        self.log = InMemoryMessageLog(clock)
        self.links = InMemoryHelpdeskLinks(self.cases)
        self.helpdesk = FakeHelpdesk(secret=SECRET)
        self.sync = HelpdeskSync({"fakedesk": self.helpdesk}, self.links, self.cases, self.log,
                                 retry_seconds=60, clock=clock)
        self.assistant = FakeAssistant()
        self.sender = RecordingSender()
        self.desk = HandoffDesk(self.cases, self.log, self.sender, self.assistant, 240, clock)
        self.inbound = HelpdeskInbound({"fakedesk": self.helpdesk}, self.links, self.desk, clock)

    def open_case(self):
        self.assistant.paused.add(ANA)
        return self.cases.open_case(ANA, "user_request", {"goal": "crear una cita", "slots": {}},
                                    [{"author": "user", "text": "quiero una persona", "at": None}],
                                    "Ana")

    def link(self, case_id):
        [link] = self.links.for_case(case_id)
        return link

    def later(self, **delta):
        self.clock.now = self.clock.now + timedelta(**delta)


@pytest.fixture
def world(clock):
    return World(clock)


# --- opening ----------------------------------------------------------------------------

def test_a_handoff_opens_the_case_with_its_transcript(world):
    case_id = world.open_case()
    assert run(world.sync.case_opened(case_id)) == ["fakedesk"]
    [(case, transcript)] = world.helpdesk.opened
    assert case["id"] == case_id and transcript[0]["text"] == "quiero una persona"
    link = world.link(case_id)
    assert (link["status"], link["external_ref"], link["attempts"]) == (OPEN, "100", 1)


def test_asking_twice_opens_it_there_once(world):
    case_id = world.open_case()
    run(world.sync.case_opened(case_id))
    assert world.open_case() == case_id
    assert run(world.sync.case_opened(case_id)) == ["fakedesk"]
    assert len(world.helpdesk.opened) == 1


def test_a_helpdesk_that_is_down_keeps_the_case_pending_and_retries_with_backoff(world):
    case_id = world.open_case()
    world.helpdesk.failures = [DOWN, DOWN]
    assert run(world.sync.case_opened(case_id)) == []
    link = world.link(case_id)
    assert (link["status"], link["attempts"], link["last_error"]) == (
        PENDING, 1, "fakedesk POST: HTTP 503")
    assert link["next_attempt_at"] == FIXED_NOW + timedelta(seconds=60)
    assert world.cases.get(case_id)["status"] == CASE_OPEN  # still here, in the console

    assert run(world.sync.retry_due()) == {"opened": 0, "failed": 0}  # not due yet
    world.later(seconds=60)
    assert run(world.sync.retry_due()) == {"opened": 0, "failed": 1}
    assert world.link(case_id)["next_attempt_at"] == world.clock.now + timedelta(seconds=120)
    world.later(seconds=120)
    assert run(world.sync.retry_due()) == {"opened": 1, "failed": 0}
    assert world.link(case_id)["status"] == OPEN and len(world.helpdesk.opened) == 1


def test_a_retried_open_carries_what_the_user_wrote_meanwhile(world):
    case_id = world.open_case()
    world.helpdesk.failures = [DOWN]
    run(world.sync.case_opened(case_id))
    world.later(seconds=5)
    world.log.record(INBOUND, ANA, "¿hay alguien?", "received")
    world.later(seconds=60)
    run(world.sync.retry_due())
    [(_, transcript)] = world.helpdesk.opened
    assert [line["text"] for line in transcript] == ["quiero una persona", "¿hay alguien?"]


def test_backoff_doubles_and_stops_at_an_hour():
    assert [backoff(n, 60).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert backoff(20, 60) == timedelta(hours=1)


def test_it_gives_up_after_max_attempts_or_a_refusal(world):
    first, second = world.open_case(), None
    world.helpdesk.failures = [DOWN] * MAX_ATTEMPTS
    run(world.sync.case_opened(first))
    for _ in range(MAX_ATTEMPTS):
        world.later(hours=2)
        run(world.sync.retry_due())
    assert (world.link(first)["status"], world.link(first)["attempts"]) == (FAILED, MAX_ATTEMPTS)

    world.cases.close(first, "agent")
    second = world.cases.open_case("whatsapp:+5215500000002", "fallback", {})
    world.helpdesk.failures = [HelpdeskError("fakedesk POST: HTTP 401", retry=False)]
    run(world.sync.case_opened(second))
    assert world.link(second)["status"] == FAILED


def test_a_case_closed_before_the_helpdesk_came_back_is_not_opened_there(world):
    case_id = world.open_case()
    world.helpdesk.failures = [DOWN]
    run(world.sync.case_opened(case_id))
    world.cases.close(case_id, "user")
    world.later(hours=1)
    assert run(world.sync.retry_due()) == {"opened": 0, "failed": 0}
    assert world.helpdesk.opened == [] and world.link(case_id)["status"] == PENDING


def test_two_workers_do_not_open_the_same_link(world):
    case_id = world.open_case()
    world.helpdesk.failures = [DOWN]
    run(world.sync.case_opened(case_id))
    world.later(minutes=5)
    [stale] = world.links.due(world.clock.now, 10)
    assert world.links.claim(stale, world.clock.now, world.clock.now + timedelta(minutes=2))
    assert not world.links.claim(stale, world.clock.now, world.clock.now + timedelta(minutes=2))


# --- what the user writes -----------------------------------------------------------------

def test_what_the_user_writes_is_appended_to_the_open_case_only(world):
    before = world.clock.now
    assert run(world.sync.user_wrote(ANA, "hola", before)) == 0  # no case
    case_id = world.open_case()
    run(world.sync.case_opened(case_id))
    assert run(world.sync.user_wrote(ANA, "quiero una persona", before)) == 0  # opened it
    world.later(seconds=10)
    assert run(world.sync.user_wrote(ANA, "¿hola?", world.clock.now)) == 1
    assert world.helpdesk.appended == [("100", "¿hola?")]


def test_a_failing_append_never_raises(world):
    case_id = world.open_case()
    run(world.sync.case_opened(case_id))
    world.helpdesk.failures = [DOWN]
    world.later(seconds=1)
    assert run(world.sync.user_wrote(ANA, "¿hola?", world.clock.now)) == 0


# --- closing there --------------------------------------------------------------------------

def test_a_case_given_back_here_is_resolved_there_once(world):
    case_id = world.open_case()
    run(world.sync.case_opened(case_id))
    run(world.desk.give_back(case_id))
    world.helpdesk.failures = [DOWN]
    assert run(world.sync.close_finished()) == 0  # down: next round
    assert run(world.sync.close_finished()) == 1
    assert run(world.sync.close_finished()) == 0
    assert world.helpdesk.closed == ["100"] and world.link(case_id)["status"] == CLOSED


# --- webhooks ---------------------------------------------------------------------------------

def opened(world):
    case_id = world.open_case()
    run(world.sync.case_opened(case_id))
    return case_id


def test_an_agent_reply_reaches_whatsapp_once(world):
    case_id = opened(world)
    world.helpdesk.events = [AgentReply("100", "Hola Ana, soy Laura", "message:7", "Laura")]
    outcome = run(world.inbound.handle("fakedesk", {}, b"{}", SECRET))
    assert (outcome.status, outcome.detail) == (200, "done")
    assert world.sender.to(ANA) == ["Hola Ana, soy Laura"]
    [logged] = [m for m in world.log.conversation(ANA) if m["author"] == "agent"]
    assert logged["agent_name"] == "Laura"
    assert run(world.inbound.handle("fakedesk", {}, b"{}", SECRET)).detail == "replay"
    assert world.sender.to(ANA) == ["Hola Ana, soy Laura"]
    assert world.cases.get(case_id)["status"] == CASE_OPEN


def test_resolved_gives_the_conversation_back_to_the_bot(world):
    case_id = opened(world)
    world.helpdesk.events = [Resolved("100", "resolved:100:1")]
    assert run(world.inbound.handle("fakedesk", {}, b"{}", SECRET)).status == 200
    case = world.cases.get(case_id)
    assert (case["status"], case["closed_by"]) == (CASE_CLOSED, "helpdesk")
    assert ("trigger_intent", ANA, FINISHED_INTENT, {}) in world.assistant.calls
    assert world.link(case_id)["status"] == CLOSED
    assert run(world.sync.close_finished()) == 0 and world.helpdesk.closed == []


def test_a_failed_delivery_can_be_redelivered(world):
    opened(world)
    world.sender.fail("63016")
    world.helpdesk.events = [AgentReply("100", "Hola", "message:8", "Laura")]
    assert run(world.inbound.handle("fakedesk", {}, b"{}", SECRET)).status == 502
    world.sender.recover()
    assert run(world.inbound.handle("fakedesk", {}, b"{}", SECRET)).detail == "done"
    assert world.sender.to(ANA) == ["Hola"]


def test_refused_unknown_and_foreign_events_do_nothing(world):
    opened(world)
    world.helpdesk.events = [AgentReply("100", "Hola", "message:9", "Laura")]
    assert run(world.inbound.handle("fakedesk", {}, b"{}", "wrong" * 4)).status == 403
    assert run(world.inbound.handle("fakedesk", {}, b"garbage", SECRET)).status == 400
    assert run(world.inbound.handle("otherdesk", {}, b"{}", SECRET)).status == 404
    world.helpdesk.events = [AgentReply("999", "Hola", "message:10", "Laura"),
                             Ignored("incoming")]
    assert run(world.inbound.handle("fakedesk", {}, b"{}", SECRET)).detail == "ok"
    assert world.sender.sent == []
