"""Answers to a reminder: 1 confirm, 2 change, 3 cancel, in the ways people type them."""
import pytest

from appointments.interpret.reminder_reply import ReminderChoice, read_reminder_reply

CONFIRM, CHANGE, CANCEL = ReminderChoice.CONFIRM, ReminderChoice.CHANGE, ReminderChoice.CANCEL


@pytest.mark.parametrize("text, choice", [
    ("1", CONFIRM), ("1️⃣", CONFIRM), ("opción 1", CONFIRM), ("Confirmar", CONFIRM),
    ("confirmo", CONFIRM), ("sí", CONFIRM), ("ok gracias", CONFIRM), ("👍", CONFIRM),
    ("ahí estaré", CONFIRM), ("si voy", CONFIRM),
    ("2", CHANGE), ("Cambiar", CHANGE), ("quiero cambiarla", CHANGE), ("reagendar porfa", CHANGE),
    ("3", CANCEL), ("Cancelar", CANCEL), ("cancelarla", CANCEL), ("ya no voy", CANCEL),
    ("no podré ir", CANCEL),
])
def test_a_bare_choice_is_read(text, choice):
    assert read_reminder_reply(text) is choice


@pytest.mark.parametrize("text", [
    "4", "0", "no", "hola", "cámbiala para el viernes a las 5 de la tarde porfa",
    "quiero otra cita", "", "   ", "?", "1" * 200, "sí pero a las 5",
])
def test_anything_else_goes_to_the_assistant(text):
    assert read_reminder_reply(text) is None


def test_the_template_button_id_wins_over_its_title():
    assert read_reminder_reply("Confirmar", button_payload="reminder_cancel") is CANCEL
    assert read_reminder_reply("Cancelar", button_payload="") is CANCEL
    assert read_reminder_reply("lo que sea", button_payload="reminder_change") is CHANGE


@pytest.mark.parametrize("text, choice", [
    ("confirm", CONFIRM), ("Confirmed", CONFIRM), ("yes", CONFIRM), ("yeah", CONFIRM),
    ("ok thanks", CONFIRM), ("yes I'll be there", CONFIRM), ("ill be there", CONFIRM),
    ("see you then", CONFIRM), ("sure, see you there", CONFIRM), ("I'm coming", CONFIRM),
    ("change", CHANGE), ("reschedule", CHANGE), ("Reschedule it please", CHANGE),
    ("i need to reschedule", CHANGE), ("move it", CHANGE), ("another day", CHANGE),
    ("cancel", CANCEL), ("cancel it", CANCEL), ("I want to cancel", CANCEL),
    ("I can't make it", CANCEL), ("cant make it", CANCEL), ("not coming", CANCEL),
])
def test_an_english_choice_is_read(text, choice):
    assert read_reminder_reply(text) is choice


@pytest.mark.parametrize("text", ["no", "nope", "hi", "yes but at 5",
                                  "change it to friday at 5 in the afternoon please",
                                  "can I book another appointment"])
def test_english_that_is_no_bare_choice_goes_to_the_assistant(text):
    assert read_reminder_reply(text) is None
