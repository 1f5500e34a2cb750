"""What may be sent of a model's answer (llm_answers.judge): nothing that says it does
not know, claims a booking, or carries a link or figure the profile lacks; markdown made
WhatsApp text; long answers cut after a whole sentence."""
from __future__ import annotations

import pytest

from appointments.services import llm_answers as llm
from appointments.services.llm_answers import trim

from tests.unit.test_llm_answers import (  # noqa: F401 - clock and log are fixtures
    ANA, ScriptedModel, clock, log, rows, service)


@pytest.mark.parametrize("reply", ["NO_SE", "  NO_SE  ", "NO SÉ", "Lo siento. NO_SE", "", "  \n"])
def test_not_in_the_profile(log, clock, reply):
    outcome = service(ScriptedModel(reply), log, clock).answer(ANA, "¿venden cepillos?")
    assert outcome == llm.LlmOutcome(None, llm.NOT_IN_PROFILE)
    assert rows(log)[-1]["error"] == llm.NOT_IN_PROFILE


@pytest.mark.parametrize("reply", [
    "¡Listo! Ya te agendé para el lunes a las 10.", "Tu cita quedó confirmada.",
    "Cancelé tu cita del viernes.", "Te reservé el lugar, nos vemos.",
    "Ya quedó agendada tu limpieza.", "Hemos reservado tu blanqueamiento.",
    "Te esperamos el jueves a las 11:00.",
    "Done! I've booked you for Monday at 10.", "Your appointment is confirmed.",
    "I cancelled your Friday appointment.", "We have rescheduled your cleaning.",
    "See you on Thursday at 11:00.",
])
def test_an_answer_that_claims_a_booking_is_never_sent(log, clock, reply):
    outcome = service(ScriptedModel(reply), log, clock).answer(ANA, "¿y si voy el jueves?")
    assert outcome == llm.LlmOutcome(None, llm.NOT_IN_PROFILE)
    assert rows(log)[-1]["body"] == reply  # kept for review


def test_pointing_to_the_menu_is_fine(log, clock):
    reply = "Para reservar escribe *agendar*; para ver tus opciones, *menú*."
    assert service(ScriptedModel(reply), log, clock).answer(ANA, "¿y si voy?").text == reply


def test_pointing_to_the_menu_in_english_is_fine_too(log, clock):
    reply = "To book an appointment, write *menu* and pick *1*."
    assert service(ScriptedModel(reply), log, clock).answer(ANA, "and if i go?", "en").text == reply


@pytest.mark.parametrize("question", [
    "can i book for tmrw?", "any free slots friday", "reschedule my appt pls",
    "what medicine should i take for the pain", "what should i take before", "can i sue u",
])
def test_english_booking_words_and_advice_never_reach_the_model(log, clock, question):
    model = ScriptedModel("anything")
    assert service(model, log, clock).answer(ANA, question, "en").text is None
    assert model.calls == []


def test_markdown_becomes_whatsapp_text(log, clock):
    link = "https://maps.google.com/?q=Calle+Orizaba+101+Roma+Norte+CDMX"  # business.yml's
    reply = f"## Horario\n\n\n**Lunes a viernes** de 9:00 a 18:00. [Mapa]({link})"
    outcome = service(ScriptedModel(reply), log, clock).answer(ANA, "¿a qué hora abren?")
    assert outcome.text == f"Horario\n\n*Lunes a viernes* de 9:00 a 18:00. Mapa: {link}"


def test_trim_cuts_after_a_whole_sentence():
    text = "Primera frase corta. " + "Una frase larga de relleno sobre el consultorio. " * 20
    cut = trim(text)
    assert len(cut) <= 700 and cut.endswith(".") and text.startswith(cut)
    assert trim("corto.") == "corto."
    words = trim("palabra " * 200)
    assert len(words) <= 700 and words.endswith("palabra…")


def test_an_answer_with_a_link_amount_or_phone_the_profile_lacks_is_not_sent():
    from appointments.services.llm_answers import judge

    context = "Limpieza: $800 a $1,200. Tel. +52 55 5555 0101. https://maps.example/x 9:00"
    assert judge("Cuesta de $800 a $1,200.", context).answered
    assert judge("Abrimos a las 09:00.", context).answered
    assert judge("Mapa: https://maps.example/x", context).answered
    for injected in ("La limpieza cuesta $100.", "Llama al 55 1234 5678.",
                     "Paga en https://evil.example/pago"):
        assert judge(injected, context).reason == "not_in_profile", injected
