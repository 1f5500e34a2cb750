"""MessageLog.count on the in-memory fake and on the SQL adapter (SQLite, PostgreSQL
with the postgres marker): by author, from a moment on, of one phone or of all."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from appointments.adapters.sql import message_log as sql_message_log
from appointments.adapters.sql.message_log import SqlMessageLog

from tests.conftest import Clock
from tests.fakes.ports import InMemoryMessageLog
from tests.integration.contract import backend, database_url  # noqa: F401 - fixtures

T0 = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)
ANA, BETO = "whatsapp:+5215500000001", "whatsapp:+5215500000002"


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(T0)
    monkeypatch.setattr(sql_message_log, "utc_now", clock)
    return clock


@pytest.fixture
def log(request, backend, clock):
    if backend == "memory":
        return InMemoryMessageLog(clock)
    return SqlMessageLog(request.getfixturevalue("engine"))


def test_count_by_author_moment_and_phone(log, clock):
    log.record("in", ANA, "hola", "received")  # author "user"
    log.record("in", ANA, "¿dónde están?", "llm_question", author="llm")
    log.record("out", ANA, "En la Roma.", "llm_answer", author="llm")
    clock.now = T0 + timedelta(minutes=5)
    log.record("in", BETO, "¿factura?", "llm_question", author="llm")
    assert log.count("llm", T0) == 3
    assert log.count("llm", T0, ANA) == 2 and log.count("llm", T0, BETO) == 1
    assert log.count("user", T0, ANA) == 1 and log.count("agent", T0) == 0
    assert log.count("llm", T0 + timedelta(minutes=1)) == 1  # from that moment on
    assert log.count("llm", T0 + timedelta(minutes=5)) == 1  # inclusive
    local = T0.astimezone(ZoneInfo("America/Mexico_City"))  # the same moment, another zone
    assert log.count("llm", local, ANA) == 2
    assert log.count("llm", T0, "whatsapp:+5215500000009") == 0
