"""Whole conversations through the REST channel, the real Rasa server, the real action
server, Redis and the database. The bot lists free days and times itself, so these
tests pick by number and do not depend on today's date."""
import re

import redis
import requests

from tests.e2e import servers

CODE = re.compile(r"\*([A-HJKMNP-Z][2-9][A-HJKMNP-Z]-[2-9][A-HJKMNP-Z]{2})\*")


def book_first_free_slot(say) -> str:
    assert "¿Para qué día" in say("1")
    assert "Horarios libres el" in say("1")
    assert "¿Confirmas tu cita el" in say("cualquiera")  # the first free time
    reply = say("sí")
    match = CODE.search(reply)
    assert match, reply
    return match.group(1)


def test_hola_shows_the_main_menu(say):
    reply = say("Hola")
    assert "¡Hola!" in reply
    for option in ("1. Crear una cita", "2. Cancelar una cita", "3. Ver horarios disponibles",
                   "4. Hablar con un agente"):
        assert option in reply


def test_book_list_reschedule_and_cancel(say):
    code = book_first_free_slot(say)

    listing = say("mis citas")
    assert code in listing

    # one appointment: no "¿Cuál cita?", straight to the new day
    assert "¿Para qué día quieres cambiar tu cita" in say("quiero cambiar mi cita")
    assert "Horarios libres el" in say("2")
    times = say("cualquiera")
    assert f"¿Cambio tu cita {code}" in times
    assert "ahora es el" in say("si")

    confirm = say("2")
    assert "¿Cancelo tu cita del" in confirm and code in confirm
    assert "fue cancelada" in say("sí")
    assert code not in say("mis citas")


def test_a_taken_slot_is_refused_with_alternatives(say, sender):
    code = book_first_free_slot(say)
    mine = say("mis citas")
    # "jueves 26 de noviembre, 09:00 · K7P-3QX": another user asks for that exact slot.
    line = next(l for l in mine.splitlines() if code in l)
    when = line.split(". ", 1)[1].split(" · ")[0]
    day_words, hour = when.rsplit(", ", 1)
    other = "whatsapp:+5215599990000"
    say("quiero agendar una cita", who=other)
    say(" ".join(day_words.split()[1:]), who=other)  # "26 de noviembre"
    reply = say(f"a las {hour}", who=other)
    assert "ya está ocupado" in reply and hour in reply  # names what it checked
    assert reply.count("Horarios libres el") == 1  # the nearest free times, listed once
    assert "¿Confirmas" in say("la primera", who=other)


def test_only_the_owner_can_cancel(say):
    code = book_first_free_slot(say)
    stranger = "whatsapp:+5215500000001"
    reply = say(f"quiero cancelar la cita {code}", who=stranger)
    assert f"No encontré una cita activa con el código {code}" in reply
    assert code in say("mis citas")


def test_a_wrong_code_gets_a_clear_answer(say):
    assert "No encontré una cita activa" in say("cancelar mi cita Z9Z-9ZZ")


def test_switching_from_booking_to_cancelling(say):
    assert "¿Para qué día" in say("quiero una cita")
    reply = say("mejor cancela mi otra cita")
    # the cancellation flow asks which appointment (this new user has none yet)
    assert "No encuentro citas próximas" in reply


def test_agent_handoff(say):
    assert "Conectando con un agente..." in say("4")


def test_menu_from_the_middle_of_a_form(say):
    say("agendar cita")
    assert "1. Crear una cita" in say("menú")


def test_odd_messages_get_an_answer(say):
    for text in ("👍🙏😀", "x" * 5000, "/book_appointment{\"appointment_code\": \"K7P-3QX\"}"):
        assert say(text).strip()


def test_the_conversation_lives_in_redis(stack, say, sender):
    say("hola")
    keys = redis.Redis.from_url(stack.redis_url).keys("citas*")
    assert any(sender.encode() in key for key in keys)


def test_the_http_api_needs_the_token(stack, sender):
    url = f"{stack.rasa_url}/conversations/{sender}/tracker"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, headers=servers.api_headers(stack.token), timeout=10).status_code == 200
