"""The optional LLM through the real stack (tests/e2e/shipped_stack.py): a question the
profile's deterministic answers cannot take goes to a local fake OpenAI-compatible
server, with business.yml as the only context and no tools; its answer reaches the
customer; NO_SE, a timeout or a 500 become "No tengo ese dato" and the offer of a person;
advice requests and the daily cap never reach the model; everything is in the message
log with the author "llm"."""
from __future__ import annotations

import time
import uuid

from tests.e2e.shipped_stack import LLM_KEY, LLM_MODEL, LLM_TIMEOUT_SECONDS

QUESTION = "el doctor habla ingles?"  # in no answer of business.yml
UNKNOWN = "No tengo ese dato"
OFFER = "¿Te comunico con una persona del equipo?"


def new_sender() -> str:
    return f"whatsapp:+52155{uuid.uuid4().int % 10**8:08d}"


def test_an_unanswered_question_goes_to_the_model_with_the_profile(services_stack):
    sender, llm = new_sender(), services_stack.llm
    llm.then_reply("Sí, la doctora atiende en *inglés* 🙂.")
    before = len(llm.chat_requests())

    reply = services_stack.say(sender, QUESTION)

    assert "la doctora atiende en *inglés*" in reply, reply
    [request] = llm.chat_requests()[before:]
    assert request.headers["authorization"] == f"Bearer {LLM_KEY}"
    body = request.body
    assert body["model"] == LLM_MODEL
    assert "tools" not in body and "functions" not in body and "tool_choice" not in body
    system, user = body["messages"]
    assert (system["role"], user["role"]) == ("system", "user")
    assert user["content"] == QUESTION
    for fact in ("Tu ÚNICA fuente", "Clínica Dental Sonrisa Roma", "Calle Orizaba 101",
                 "Limpieza dental", "transferencia SPEI", "Nochebuena"):
        assert fact in system["content"], fact
    logged = [(r["direction"], r["status"], r["body"]) for r in services_stack.logged(sender)
              if r["author"] == "llm"]
    assert logged == [("in", "llm_question", QUESTION),
                      ("out", "llm_answer", "Sí, la doctora atiende en *inglés* 🙂.")]


def test_not_in_the_profile_offers_a_person_and_a_yes_hands_over(services_stack):
    sender = new_sender()
    services_stack.llm.then_reply("NO_SE")
    reply = services_stack.say(sender, QUESTION)
    assert UNKNOWN in reply and OFFER in reply, reply
    handed = services_stack.say(sender, "si porfa")
    assert "Conectando con un agente" in handed, handed


def test_a_slow_or_broken_model_gets_the_same_offer_in_time(services_stack):
    llm = services_stack.llm
    llm.then_delay(LLM_TIMEOUT_SECONDS + 3, "demasiado tarde")
    started = time.monotonic()
    reply = services_stack.say(new_sender(), QUESTION)
    elapsed = time.monotonic() - started
    assert UNKNOWN in reply and OFFER in reply and "demasiado tarde" not in reply, reply
    assert elapsed < LLM_TIMEOUT_SECONDS + 2.5, elapsed

    llm.then_fail(500)
    reply = services_stack.say(new_sender(), QUESTION)
    assert UNKNOWN in reply and OFFER in reply, reply


def test_advice_never_reaches_the_model(services_stack):
    llm = services_stack.llm
    before = len(llm.chat_requests())
    reply = services_stack.say(new_sender(), "me duele mucho la muela, que antibiotico tomo?")
    assert len(llm.chat_requests()) == before
    assert "antibiótico" not in reply.lower() and "amoxicilina" not in reply.lower(), reply


def test_the_daily_cap_per_phone_stops_calling_the_model(services_stack):
    sender, llm = new_sender(), services_stack.llm  # LLM_DAILY_CAP_PER_PHONE=3
    for _ in range(3):
        llm.then_reply("Sí, atendemos en inglés.")
        assert "atendemos en inglés" in services_stack.say(sender, QUESTION)
    before = len(llm.chat_requests())
    reply = services_stack.say(sender, QUESTION)
    assert len(llm.chat_requests()) == before, "the fourth question reached the model"
    assert UNKNOWN in reply, reply
