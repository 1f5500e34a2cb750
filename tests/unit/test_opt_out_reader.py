"""read_opt_out: a whole message that asks to stop our messages ("BAJA") or to get them
again ("ALTA"); anything about appointments is not one, however close it sounds."""
import time

import pytest

from appointments.interpret.opt_out import MAX_WISH, OPT_IN, OPT_OUT, read_opt_out


@pytest.mark.parametrize("text", [
    "BAJA", "baja", "Baja.", "ALTO", "alto", "STOP", "stop", "Stop!", "STOPALL", "stop all",
    "UNSUBSCRIBE", "unsubscribe", "no quiero recibir mensajes", "No quiero recibir más mensajes",
    "ya no me manden mensajes", "Ya no me manden mensajes 🙏", "darme de baja",
    "quiero darme de baja", "Dame de baja por favor", "BAJA por favor", "baja, gracias",
    "hola, stop", "Buenas tardes, BAJA", "🙏 BAJA 🙏", "BAJA 👍", "❌ BAJA", "  baja  ",
    "bajaaa", "no me envíen recordatorios", "ya no quiero recibir avisos", "STOP.",
    "*BAJA*", "#baja",
])
def test_an_opt_out_word_or_phrase(text):
    assert read_opt_out(text) == OPT_OUT


@pytest.mark.parametrize("text", [
    "ALTA", "alta", "Alta!", "START", "start", "UNSTOP", "quiero recibir mensajes",
    "Sí quiero recibir mensajes", "darme de alta", "quiero darme de alta", "ALTA por favor",
    "hola, ALTA", "quiero volver a recibir recordatorios", "*ALTA*",
])
def test_an_opt_in_word_or_phrase(text):
    assert read_opt_out(text) == OPT_IN


@pytest.mark.parametrize("text", [
    # about appointments: the assistant's business, never an opt-out
    "cancelar", "cancel", "Cancelar", "cancela mi cita", "cancelar mi cita", "cancelala",
    "quiero cancelar", "no", "No", "nel", "stop cita", "alto, mejor el viernes",
    "baja mi cita", "dar de baja mi cita", "alta de cita", "quiero una cita",
    "start cita", "stop stop", "baja baja", "no quiero", "ya no", "ya no quiero",
    "no quiero la cita", "no quiero recibir", "mensajes", "menu", "agente", "hola",
    "gracias", "si", "ok", "", None, "1", "2", "alto el precio", "la de alta",
    "no me manden", "¿cómo me doy de baja?", "baja california", "¿qué es alta?",
    "dame una cita para el martes y luego baja",
])
def test_anything_else_is_not_read(text):
    assert read_opt_out(text) is None


def test_a_long_message_is_not_read_even_if_it_ends_with_the_word():
    assert read_opt_out("por favor " * 20 + "baja") is None
    assert len("por favor " * 20 + "baja") > MAX_WISH


def test_reading_is_fast_on_adversarial_input():
    for text in ("baja " * 4000, "por favor " * 2000 + "baja", "😀" * 20_000, " " * 20_000,
                 "b" * 100_000, "no quiero recibir " * 1000 + "mensajes"):
        started = time.perf_counter()
        assert read_opt_out(text) is None
        assert time.perf_counter() - started < 0.05


@pytest.mark.parametrize("text", [
    "STOP", "stop please", "Hi, STOP", "Unsubscribe", "unsubscribe me", "opt out",
    "stop sending me messages", "Stop sending me reminders please", "no more texts",
    "I don't want any more messages", "dont send me reminders", "remove me from your list",
    "take me off your list", "stop texting me", "stop messages", "good morning, stop",
])
def test_an_english_opt_out(text):
    assert read_opt_out(text) == OPT_OUT


@pytest.mark.parametrize("text", ["START", "subscribe", "opt in", "send me reminders",
                                  "I want to receive messages", "resume notifications"])
def test_an_english_opt_in(text):
    assert read_opt_out(text) == OPT_IN


@pytest.mark.parametrize("text", [
    # Twilio's other keywords are about appointments here, or a reminder's answer
    "cancel", "cancel my appointment", "end", "quit", "yes", "no", "stop my appointment",
    "stop it", "start a booking", "messages", "hi", "thanks", "don't send me there",
])
def test_english_about_appointments_is_not_read(text):
    assert read_opt_out(text) is None
