"""LlmAnswers with a scripted in-memory model and the in-memory message log: every
guardrail before the call, the daily caps, what is logged, and the profile text the
model reads. What may be sent of an answer: test_llm_answer_judging.py."""
from __future__ import annotations

import functools
import time as timer
from datetime import datetime, time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union
from zoneinfo import ZoneInfo

import pytest
import yaml

from appointments.domain.business import BusinessProfile, FaqEntry, Offering
from appointments.services import llm_answers as llm
from appointments.services.llm_answers import LlmAnswers, profile_context

from tests.conftest import Clock
from tests.fakes.ports import InMemoryMessageLog

ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("America/Mexico_City")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)
ANA, BETO = "whatsapp:+5215500000001", "whatsapp:+5215500000002"
DAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def _clock(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


@functools.lru_cache(maxsize=None)
def prompt() -> str:
    return (ROOT / "prompts" / "answer_question.md").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def example_profile(path: Path = ROOT / "business.yml") -> BusinessProfile:
    """business.yml read by hand, only for these tests (the real loader is elsewhere)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    hours = {DAYS.index(day): tuple(tuple(_clock(t) for t in span.split("-")) for span in spans)
             for day, spans in data["hours"].items()}
    services = []
    for item in data["services"]:
        low, _, high = str(item["price"]).partition("-")
        services.append(Offering(
            key=item["key"], name=item["name"], duration_minutes=item["duration_minutes"],
            price_from=int(low), price_to=int(high) if high else None,
            description=item.get("description", ""), preparation=item.get("preparation", ""),
            aliases=tuple(item.get("aliases", ()))))
    return BusinessProfile(
        name=data["name"], address=data["address"], map_url=data["map_url"],
        phone=data["phone"], directions=data["directions"], timezone=data["timezone"],
        hours=hours, closed_dates={c["date"]: c["reason"] for c in data["closed_dates"]},
        holidays_country=data["holidays_country"], currency=data["currency"],
        services=tuple(services), payment_methods=tuple(data["payment_methods"]),
        parking=data["parking"], accessibility=data["accessibility"],
        cancellation_policy=data["cancellation_policy"],
        faq=tuple(FaqEntry(f["key"], tuple(f["questions"]), f["answer"]) for f in data["faq"]))



class ScriptedModel:
    """The LanguageModel port: answers (or raises) from a list, records each call."""

    def __init__(self, *replies: Union[str, Exception]) -> None:
        self.replies: List[Union[str, Exception]] = list(replies)
        self.calls: List[Tuple[str, str]] = []

    def complete(self, system: str, user: str) -> str:
        self.calls.append((system, user))
        reply = self.replies.pop(0) if self.replies else "Abrimos de lunes a sábado."
        if isinstance(reply, Exception):
            raise reply
        return reply


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def log(clock) -> InMemoryMessageLog:
    return InMemoryMessageLog(clock)


def service(model: ScriptedModel, log: InMemoryMessageLog, clock: Clock,
            cap_per_phone: int = 20, cap_total: int = 500) -> LlmAnswers:
    return LlmAnswers(model, log, example_profile(), prompt(), cap_per_phone, cap_total, clock)


def rows(log: InMemoryMessageLog, phone: str = ANA) -> List[Dict[str, Any]]:
    return log.conversation(phone)


# --- the profile -------------------------------------------------------------------

def test_the_context_names_every_field_of_business_yml():
    data = yaml.safe_load((ROOT / "business.yml").read_text(encoding="utf-8"))
    context = profile_context(example_profile())
    expected = [data[k] for k in ("name", "address", "map_url", "phone", "directions",
                                  "parking", "accessibility", "cancellation_policy")]
    expected += data["payment_methods"]
    expected += [c["reason"] for c in data["closed_dates"]]
    expected += ["24 de diciembre de 2026", "31 de diciembre de 2026"]
    for item in data["services"]:
        expected += [item["name"], item["description"], f"{item['duration_minutes']} minutos"]
        expected += [item["preparation"]] if "preparation" in item else []
    expected += ["$400 MXN", "desde $800 hasta $1,200 MXN", "$3,500 MXN"]
    for entry in data["faq"]:
        expected += entry["questions"] + [entry["answer"]]
    expected += ["- lunes: de 9:00 a 18:00", "- miércoles: de 9:00 a 18:00",
                 "- sábado: de 9:00 a 13:00", "- domingo: cerrado", "festivos oficiales de México"]
    assert [text for text in expected if text not in context] == []


def test_split_hours_unpublished_prices_and_empty_fields():
    profile = BusinessProfile(
        name="Estética Luna", hours={0: ((time(9), time(14)), (time(16), time(19)))},
        holidays_country=None,
        services=(Offering("corte", "Corte", 45), Offering("tinte", "Tinte", 120, 900, 900)))
    context = profile_context(profile)
    assert "- lunes: de 9:00 a 14:00 y de 16:00 a 19:00" in context
    assert "- martes: cerrado" in context
    assert "Corte: dura 45 minutos; precio no publicado." in context
    assert "Tinte: dura 120 minutos; precio $900 MXN." in context
    assert "Dirección" not in context and "festivos" not in context and "Preguntas" not in context


def test_the_model_reads_the_prompt_then_the_profile_and_the_question_alone(log, clock):
    model = ScriptedModel("Sí, facturamos.")
    outcome = service(model, log, clock).answer(ANA, "  ¿Dan factura?  ")
    assert outcome == llm.LlmOutcome("Sí, facturamos.", llm.ANSWERED) and outcome.answered
    [(system, user)] = model.calls
    assert system.startswith(prompt().strip())
    assert system.endswith(profile_context(example_profile()))
    assert user == "¿Dan factura?"


def test_an_english_conversation_asks_the_model_to_answer_in_english(log, clock):
    model = ScriptedModel("Yes, we issue invoices.")
    outcome = service(model, log, clock).answer(ANA, "do u give invoices?", "en")
    assert outcome.text == "Yes, we issue invoices."
    [(system, user)] = model.calls
    assert system.startswith(prompt().strip()) and profile_context(example_profile()) in system
    assert system.endswith("answer in English, with the same rules and only the facts above.")
    assert user == "do u give invoices?"


# --- refused before the model ---------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   ", "?", "ok", "👍👍", None])
def test_no_question_no_call(log, clock, text):
    model = ScriptedModel()
    assert service(model, log, clock).answer(ANA, text) == llm.LlmOutcome(None, llm.EMPTY)
    assert model.calls == [] and rows(log) == []


@pytest.mark.parametrize("text", [
    "quiero agendar", "Agéndame para el viernes", "¿tienen cita mañana?", "quiero una sita",
    "se puede reservar?", "me puedes apartar el lunes", "cancela mi cita", "Cancélala porfa",
    "canselar", "quiero cambiar la cita", "mover mi cita al jueves", "reagendar",
    "¿qué horarios disponibles hay?", "hay lugar el sábado?", "disponibilidad para mañana",
    "¿me pueden atender hoy?", "AJENDAR", "quiero una reservación",
])
def test_booking_words_go_to_the_menu_without_a_call(log, clock, text):
    model = ScriptedModel()
    assert service(model, log, clock).answer(ANA, text).reason == llm.BOOKING_WORDS
    assert model.calls == [] and rows(log) == []


@pytest.mark.parametrize("text", [
    "¿qué medicamento tomo para el dolor?", "me duele la muela desde ayer, ¿qué tomo?",
    "¿cuánto ibuprofeno le doy a mi hijo?", "¿Qué antibiótico me recomiendas?",
    "dosis de amoxicilina", "quiero demandar al dentista", "necesito un abogado",
    "¿me puedes dar un diagnóstico?", "q me tomo para la inflamacion",
])
def test_advice_requests_are_refused_without_a_call(log, clock, text):
    model = ScriptedModel()
    assert service(model, log, clock).answer(ANA, text).reason == llm.ADVICE
    assert model.calls == []


@pytest.mark.parametrize("text", [
    "¿cuál es su política de cancelación?", "¿hay lugar para estacionar?",
    "aparte de efectivo, ¿aceptan vales?", "¿qué debo tomar en cuenta antes del blanqueamiento?",
    "¿atienden niños?",
])
def test_questions_that_only_look_like_it_reach_the_model(log, clock, text):
    model = ScriptedModel()
    assert service(model, log, clock).answer(ANA, text).reason == llm.ANSWERED
    assert len(model.calls) == 1


def test_the_patterns_stay_fast_on_hostile_text(log, clock):
    answers = service(ScriptedModel(), log, clock)
    for text in ["me duele " * 300 + "x", "a" * 5000, "hay " * 800, "cita" + "!" * 3000,
                 "que me " * 500 + "tomar en"]:
        started = timer.monotonic()
        answers.answer(BETO, text)
        assert timer.monotonic() - started < 0.2


# --- the daily caps -----------------------------------------------------------------

def test_the_cap_per_phone_counts_model_calls_until_local_midnight(log, clock):
    model = ScriptedModel()
    answers = service(model, log, clock, cap_per_phone=2)
    clock.now = datetime(2026, 11, 25, 23, 0, tzinfo=TZ)  # 05:00 UTC of the 26th
    assert answers.answer(ANA, "¿dónde están?").reason == llm.ANSWERED
    assert answers.answer(ANA, "¿aceptan tarjeta?").reason == llm.ANSWERED
    assert answers.answer(ANA, "¿tienen estacionamiento?") == llm.LlmOutcome(None, llm.CAP_PHONE)
    assert answers.answer(BETO, "¿dónde están?").reason == llm.ANSWERED  # another phone
    clock.now = datetime(2026, 11, 25, 23, 59, tzinfo=TZ)
    assert answers.answer(ANA, "¿tienen estacionamiento?").reason == llm.CAP_PHONE
    clock.now = datetime(2026, 11, 26, 0, 1, tzinfo=TZ)  # the business's next day
    assert answers.answer(ANA, "¿tienen estacionamiento?").reason == llm.ANSWERED
    assert len(model.calls) == 4


def test_the_total_cap_counts_every_phone(log, clock):
    model = ScriptedModel()
    answers = service(model, log, clock, cap_per_phone=5, cap_total=3)
    for phone in (ANA, BETO, ANA):
        assert answers.answer(phone, "¿dónde están?").reason == llm.ANSWERED
    assert answers.answer("whatsapp:+5215500000003", "¿dónde están?").reason == llm.CAP_TOTAL
    clock.now = NOW.replace(day=26)
    assert answers.answer("whatsapp:+5215500000003", "¿dónde están?").reason == llm.ANSWERED


def test_failed_calls_count_too(log, clock):
    model = ScriptedModel(TimeoutError("slow"), RuntimeError("500"))
    answers = service(model, log, clock, cap_per_phone=2)
    assert answers.answer(ANA, "¿dónde están?") == llm.LlmOutcome(None, llm.TIMEOUT_OR_ERROR)
    assert answers.answer(ANA, "¿dónde están?").reason == llm.TIMEOUT_OR_ERROR
    assert answers.answer(ANA, "¿dónde están?").reason == llm.CAP_PHONE


def test_without_its_log_the_model_is_not_asked(clock):
    class BrokenLog(InMemoryMessageLog):
        def count(self, author: str, since: datetime, phone: Optional[str] = None) -> int:
            raise OSError("database is down")

    model = ScriptedModel()
    outcome = service(model, BrokenLog(clock), clock).answer(ANA, "¿dónde están?")
    assert outcome.reason == llm.TIMEOUT_OR_ERROR and model.calls == []


# --- after the model ----------------------------------------------------------------

def test_every_call_is_logged_with_author_llm(log, clock):
    answers = service(ScriptedModel("Estamos en la Roma.", TimeoutError()), log, clock)
    answers.answer(ANA, "¿dónde están?")
    answers.answer(ANA, "¿y el mapa?")
    assert [(r["direction"], r["status"], r["author"], r["body"], r["error"])
            for r in rows(log)] == [
        ("in", "llm_question", "llm", "¿dónde están?", None),
        ("out", "llm_answer", "llm", "Estamos en la Roma.", None),
        ("in", "llm_question", "llm", "¿y el mapa?", None),
        ("out", "llm_error", "llm", "", "TimeoutError"),
    ]
    assert log.count("llm", NOW) == 4 and log.count("llm", NOW, BETO) == 0


def test_what_is_logged_and_sent_is_bounded(log, clock):
    model = ScriptedModel("Sí. " * 800)
    outcome = service(model, log, clock).answer(ANA, "¿dónde " + "x" * 3000)
    assert len(model.calls[0][1]) == llm.MAX_QUESTION
    question, answer = rows(log)
    assert len(question["body"]) == 2000 and len(answer["body"]) <= 700
    assert outcome.text == answer["body"] and outcome.text.endswith("Sí.")
