"""OpenAiCompatibleModel (the official openai client) against a local fake
OpenAI-compatible server: what goes over the wire, timeouts and errors, and the whole
LlmAnswers path with the SQL message log on SQLite."""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from appointments.adapters.llm import (
    PROMPT_FILE,
    LanguageModelError,
    OpenAiCompatibleModel,
    read_prompt,
)
from appointments.adapters.sql.database import create_database_engine, create_schema
from appointments.adapters.sql import message_log as sql_message_log
from appointments.adapters.sql.message_log import SqlMessageLog
from appointments.adapters.sql.tables import messages
from appointments.services import llm_answers as llm
from appointments.services.llm_answers import LlmAnswers, profile_context

from tests.conftest import Clock
from tests.fakes.openai_server import FakeOpenAi, openai_server  # noqa: F401 - fixture
from tests.unit.test_llm_answers import example_profile

KEY = "sk-test-0123456789"
MODEL = "modelo-de-prueba"
ANA = "whatsapp:+5215500000001"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("America/Mexico_City"))


def model_for(server: FakeOpenAi, timeout_seconds: float = 5) -> OpenAiCompatibleModel:
    return OpenAiCompatibleModel(server.url, KEY, MODEL, timeout_seconds)


@pytest.fixture
def sql_log(sqlite_url):
    engine = create_database_engine(sqlite_url)
    create_schema(engine)
    yield SqlMessageLog(engine)
    engine.dispose()


def test_the_request_is_two_messages_no_tools_and_the_bearer_key(openai_server):
    openai_server.then_reply("Sí, facturamos.")
    answers = LlmAnswers(model_for(openai_server), _NoLog(), example_profile(), read_prompt(), 20, 500,
                         Clock(NOW))
    assert answers.answer(ANA, "¿dan factura?") == llm.LlmOutcome("Sí, facturamos.", llm.ANSWERED)
    [request] = openai_server.chat_requests()
    assert request.headers["authorization"] == f"Bearer {KEY}"
    body = request.body
    assert body["model"] == MODEL and body["max_tokens"] <= 300 and body["temperature"] <= 0.3
    assert not {"tools", "functions", "tool_choice", "function_call", "stream"} & set(body)
    system, user = body["messages"]
    assert (system["role"], user["role"]) == ("system", "user")
    assert PROMPT_FILE.read_text(encoding="utf-8").strip() in system["content"]
    assert profile_context(example_profile()) in system["content"]
    assert user["content"] == "¿dan factura?"


def test_the_key_is_not_in_the_models_repr(openai_server):
    assert KEY not in repr(model_for(openai_server))


def test_a_slow_model_times_out_within_the_budget(openai_server):
    model = model_for(openai_server, timeout_seconds=1)
    model.complete("sistema", "hola")  # openai imported and the client built: not timed
    openai_server.then_delay(3, "tarde")
    started = time.monotonic()
    with pytest.raises(LanguageModelError) as raised:
        model.complete("sistema", "pregunta")
    assert time.monotonic() - started < 1.5 and raised.value.timed_out
    assert len(openai_server.chat_requests()) == 2  # no retry


def test_a_server_error_raises_at_once_without_retry(openai_server):
    openai_server.then_fail(500)
    with pytest.raises(LanguageModelError, match="HTTP 500") as raised:
        model_for(openai_server).complete("sistema", "pregunta")
    assert not raised.value.timed_out and KEY not in str(raised.value)
    assert len(openai_server.chat_requests()) == 1
    assert model_for(openai_server).complete("s", "u") == "Respuesta de prueba."  # recovers


def test_a_malformed_body_raises(openai_server):
    openai_server.then_malformed()
    with pytest.raises(LanguageModelError):
        model_for(openai_server).complete("sistema", "pregunta")


def test_a_refused_connection_raises(openai_server):
    url = openai_server.url
    openai_server.stop()
    with pytest.raises(LanguageModelError):
        OpenAiCompatibleModel(url, KEY, MODEL, 1).complete("sistema", "pregunta")


def test_the_client_is_built_once(openai_server):
    model = model_for(openai_server)
    model.complete("s", "u")
    client = model._client
    model.complete("s", "u")
    assert client is not None and model._client is client


def test_the_whole_path_logs_llm_rows_in_sql(openai_server, sql_log, monkeypatch):
    openai_server.then_reply("Estamos en *Calle Orizaba 101*.").then_delay(3).then_reply("NO_SE")
    clock = Clock(NOW)
    monkeypatch.setattr(sql_message_log, "utc_now", clock)  # the rows' created_at
    answers = LlmAnswers(model_for(openai_server, timeout_seconds=1), sql_log, example_profile(),
                         read_prompt(), 20, 500, clock)
    assert answers.answer(ANA, "¿dónde están?").text == "Estamos en *Calle Orizaba 101*."
    assert answers.answer(ANA, "¿tienen wifi?").reason == llm.TIMEOUT_OR_ERROR
    assert answers.answer(ANA, "¿venden cepillos?").reason == llm.NOT_IN_PROFILE
    assert answers.answer(ANA, "quiero agendar").reason == llm.BOOKING_WORDS  # not logged
    with sql_log.engine.connect() as connection:
        found = [tuple(row) for row in connection.execute(
            select(messages.c.direction, messages.c.author, messages.c.status, messages.c.body)
            .order_by(messages.c.id))]
    assert found == [
        ("in", "llm", "llm_question", "¿dónde están?"),
        ("out", "llm", "llm_answer", "Estamos en *Calle Orizaba 101*."),
        ("in", "llm", "llm_question", "¿tienen wifi?"),
        ("out", "llm", "llm_error", ""),
        ("in", "llm", "llm_question", "¿venden cepillos?"),
        ("out", "llm", "llm_answer", "NO_SE"),
    ]
    assert sql_log.count("llm", answers.business_day_start(), ANA) == 6
    assert sql_log.count("llm", NOW + timedelta(days=1)) == 0


class _NoLog:
    """A MessageLog that keeps nothing (the request test looks at the wire only)."""

    def record(self, *args, **kwargs) -> int:
        return 0

    def count(self, author, since, phone=None) -> int:
        return 0
