"""The HandoffCases and MessageLog contracts: every scenario runs on the in-memory fakes
(tests/fakes/ports.py, what tests/unit/test_handoff_desk.py uses) and on the SQL
adapters over SQLite and PostgreSQL, so the fakes cannot drift from the real thing.

The SQL adapters take their time from appointments.domain.handoff.utc_now; the test
replaces it with a clock it moves, and gives the same clock to the fakes.
"""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError

from appointments.adapters.sql import handoffs as sql_handoffs
from appointments.adapters.sql import message_log as sql_message_log
from appointments.adapters.sql.handoffs import SqlHandoffRepository
from appointments.adapters.sql.message_log import SqlMessageLog
from appointments.domain.handoff import CLOSED, OPEN, CaseClosed, CaseNotFound
from appointments.domain.phones import normalize_phone

from tests.conftest import Clock
from tests.fakes.ports import InMemoryHandoffCases, InMemoryMessageLog
from tests.integration.contract import backend, database_url  # noqa: F401 - fixtures

T0 = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)
MINUTE = timedelta(minutes=1)
ANA, BETO = "whatsapp:+5215500000001", "whatsapp:+5215500000002"  # as WhatsApp writes them
ANA_NORMAL = normalize_phone(ANA)  # "whatsapp:+525500000001": what is stored


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(T0)
    monkeypatch.setattr(sql_handoffs, "utc_now", clock)
    monkeypatch.setattr(sql_message_log, "utc_now", clock)
    return clock


@pytest.fixture
def cases(request, backend, clock):
    if backend == "memory":
        return InMemoryHandoffCases(clock)
    return SqlHandoffRepository(request.getfixturevalue("engine"))


@pytest.fixture
def log(request, backend, clock):
    if backend == "memory":
        return InMemoryMessageLog(clock)
    return SqlMessageLog(request.getfixturevalue("engine"))


# --- handoff cases -------------------------------------------------------------------

def test_a_case_has_every_field(cases):
    transcript = ({"author": "user", "text": "agente", "at": T0},)
    case_id = cases.open_case(ANA, "user_request", {"goal": None, "slots": {"day": T0}},
                              transcript, "Ana")
    assert cases.get(case_id) == cases.open_case_for(ANA) == {
        "id": case_id, "phone": ANA_NORMAL, "sender_id": ANA, "profile_name": "Ana",
        "reason": "user_request",
        "summary": {"goal": None, "slots": {"day": str(T0)}},  # stored as JSON
        "transcript": [{"author": "user", "text": "agente", "at": str(T0)}],
        "status": OPEN, "created_at": T0, "updated_at": T0,
        "closed_at": None, "closed_by": None, "closed_agent": None,
    }
    assert cases.open_case_for(BETO) is None
    with pytest.raises(CaseNotFound):
        cases.get(case_id + 1)


def test_asking_twice_refreshes_the_one_open_case_of_the_phone(cases, clock):
    first = cases.open_case(ANA, "user_request", {"goal": None}, [{"text": "agente"}], "Ana")
    clock.now = T0 + MINUTE
    other = cases.open_case(BETO, "fallback", {})
    clock.now = T0 + 2 * MINUTE
    again = cases.open_case(ANA, "fallback", {"goal": "crear una cita"}, (), "Otra")
    assert again == first != other
    case = cases.get(first)
    assert (case["reason"], case["profile_name"]) == ("user_request", "Ana")  # kept
    assert (case["summary"], case["transcript"]) == ({"goal": "crear una cita"}, [])
    assert (case["created_at"], case["updated_at"]) == (T0, T0 + 2 * MINUTE)
    assert [c["id"] for c in cases.list_open()] == [first, other]  # by creation


def test_a_case_is_closed_once(cases, clock):
    case_id = cases.open_case(ANA, "user_request", {})
    clock.now = T0 + MINUTE
    closed = cases.close(case_id, "agent", "Lucía " + "x" * 80)
    assert closed == cases.get(case_id)
    assert (closed["status"], closed["closed_by"], closed["closed_agent"]) == (
        CLOSED, "agent", ("Lucía " + "x" * 80)[:60])
    assert closed["closed_at"] == closed["updated_at"] == T0 + MINUTE
    with pytest.raises(CaseClosed):
        cases.close(case_id, "timeout")
    with pytest.raises(CaseNotFound):
        cases.close(case_id + 1, "agent")
    assert cases.get(case_id)["closed_by"] == "agent"
    assert cases.open_case_for(ANA) is None and cases.list_open() == []
    assert cases.close(cases.open_case(BETO, "fallback", {}), "user")["closed_agent"] is None


def test_after_a_close_asking_again_opens_a_new_case(cases):
    first = cases.open_case(ANA, "user_request", {})
    cases.close(first, "agent")
    second = cases.open_case(ANA, "fallback", {})
    assert second != first and cases.get(first)["status"] == CLOSED
    assert cases.open_case_for(ANA)["id"] == second


def test_reopen_undoes_a_close(cases, clock):
    case_id = cases.open_case(ANA, "user_request", {})
    cases.close(case_id, "agent", "Lucía")
    clock.now = T0 + MINUTE
    cases.reopen(case_id)
    case = cases.get(case_id)
    assert (case["status"], case["closed_at"], case["closed_by"], case["closed_agent"]) == (
        OPEN, None, None, None)
    assert case["updated_at"] == T0 + MINUTE and cases.open_case_for(ANA)["id"] == case_id
    cases.reopen(case_id + 1)  # unknown: nothing happens
    assert [c["id"] for c in cases.list_open()] == [case_id]


def test_idle_cases_are_found_by_last_activity(cases, clock):
    quiet = cases.open_case(ANA, "user_request", {})
    busy = cases.open_case(BETO, "user_request", {})
    clock.now = T0 + 10 * MINUTE
    cases.touch(BETO)
    cases.touch("whatsapp:+5215500000003")  # no case: nothing happens
    assert cases.get(busy)["updated_at"] == T0 + 10 * MINUTE
    assert cases.get(quiet)["updated_at"] == T0
    assert [c["id"] for c in cases.idle_since(T0 + 5 * MINUTE)] == [quiet]
    assert cases.idle_since(T0) == []  # strictly before
    assert sorted(c["id"] for c in cases.idle_since(T0 + 11 * MINUTE)) == sorted([quiet, busy])
    cases.close(quiet, "timeout")
    cases.touch(ANA)  # a closed case is not touched
    assert cases.get(quiet)["updated_at"] == T0 + 10 * MINUTE  # the close
    assert [c["id"] for c in cases.idle_since(T0 + 11 * MINUTE)] == [busy]


def test_a_returned_case_is_a_copy(cases):
    case_id = cases.open_case(ANA, "user_request", {"goal": None, "slots": {}})
    case = cases.get(case_id)
    case["status"] = CLOSED
    case["summary"]["goal"] = "otra cosa"
    assert cases.get(case_id)["status"] == OPEN
    assert cases.get(case_id)["summary"] == {"goal": None, "slots": {}}


# --- message log ---------------------------------------------------------------------

def test_the_log_keeps_every_field_in_order(log, clock):
    first = log.record("in", ANA, "hola", "received", message_sid="SM1",
                       media=[{"url": "https://x/1.jpg", "content_type": "image/jpeg"}])
    clock.now = T0 + MINUTE
    log.record("out", BETO, "otro", "queued")
    second = log.record("out", ANA, "Hola, soy Lucía", "failed", error="63016",
                        author="agent", agent_name="L" * 70)
    third = log.record("out", ANA, "¿En qué te ayudo?", "queued")
    assert first < second < third
    assert log.conversation(ANA) == [
        {"id": first, "direction": "in", "phone": ANA_NORMAL, "body": "hola", "status": "received",
         "message_sid": "SM1", "error": None, "author": "user", "agent_name": None,
         "media": '[{"url": "https://x/1.jpg", "content_type": "image/jpeg"}]',
         "created_at": T0, "idempotency_key": None},
        {"id": second, "direction": "out", "phone": ANA_NORMAL, "body": "Hola, soy Lucía",
         "status": "failed", "message_sid": None, "error": "63016", "author": "agent",
         "agent_name": "L" * 60, "media": "[]", "created_at": T0 + MINUTE,
         "idempotency_key": None},
        {"id": third, "direction": "out", "phone": ANA_NORMAL, "body": "¿En qué te ayudo?",
         "status": "queued", "message_sid": None, "error": None, "author": "bot",
         "agent_name": None, "media": "[]", "created_at": T0 + MINUTE,
         "idempotency_key": None},
    ]
    assert [m["id"] for m in log.conversation(ANA, since=T0 + MINUTE)] == [second, third]
    assert log.conversation(ANA, since=T0 + 2 * MINUTE) == []
    assert log.conversation("whatsapp:+5215500000003") == []


def test_a_message_with_nul_and_odd_unicode_is_kept(log):
    body = "hola\x00 ¡mañana! 🙂 \u202eRTL"
    log.record("in", ANA, body, "received", message_sid="SM\x00x", error="e\x00")
    [row] = log.conversation(ANA)
    assert row["body"] == "hola\ufffd ¡mañana! 🙂 \u202eRTL"
    assert (row["message_sid"], row["error"]) == ("SM\ufffdx", "e\ufffd")


def test_a_returned_message_is_a_copy_and_naive_times_are_refused(log):
    log.record("in", ANA, "hola", "received")
    log.conversation(ANA)[0]["body"] = "cambiado"
    assert log.conversation(ANA)[0]["body"] == "hola"
    with pytest.raises((ValueError, StatementError)):
        log.conversation(ANA, since=T0.replace(tzinfo=None))
