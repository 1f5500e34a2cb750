"""A reply to a reminder: *1* confirm, *2* change, *3* cancel.

Read only when the bot's last message to the phone was a reminder (the channel checks),
so a bare "sí" or "ok" there confirms. The template's quick-reply buttons send their
id (ButtonPayload) or their title: both are read. A longer message ("cámbiala para el
viernes a las 5") is not a bare choice: it goes to the assistant as usual.
"""
from __future__ import annotations

import re
from enum import Enum
from typing import Optional

from appointments.interpret.menu import menu_choice
from appointments.interpret.text import POLITE, words
from appointments.interpret.yes_no import read_yes_no


class ReminderChoice(str, Enum):
    CONFIRM = "confirm"
    CHANGE = "change"
    CANCEL = "cancel"


_NUMBERS = {"1": ReminderChoice.CONFIRM, "2": ReminderChoice.CHANGE, "3": ReminderChoice.CANCEL}
# Button ids of the Twilio template (README "Recordatorios") and the words people type.
_WORDS = {
    ReminderChoice.CONFIRM: re.compile(
        r"^(?:reminder )?(?:confirm\w*|asisto|asistire|alli estare|ahi estare|ahi nos vemos"
        r"|si asistire|si voy|si ahi estare|claro ahi estare|voy)$"),
    ReminderChoice.CHANGE: re.compile(
        r"^(?:reminder )?(?:change|cambi\w*|reagend\w*|mover\w*|muevela|otro dia|otra hora"
        r"|quiero cambiarla|la quiero cambiar)$"),
    ReminderChoice.CANCEL: re.compile(
        r"^(?:reminder )?(?:cancel\w*|anular\w*|ya no (?:voy|puedo ir|podre ir)|no voy a ir"
        r"|no podre ir|quiero cancelarla|la quiero cancelar)$"),
}
MAX_WORDS = 6


def read_reminder_reply(text: Optional[str],
                        button_payload: Optional[str] = None) -> Optional[ReminderChoice]:
    """What the answer to a reminder chooses, or None when it is no bare choice."""
    for candidate in (button_payload, text):
        choice = _read(candidate)
        if choice is not None:
            return choice
    return None


def _read(text: Optional[str]) -> Optional[ReminderChoice]:
    if not text or len(text) > 80:
        return None
    number = menu_choice(text, _NUMBERS)
    if number is not None:
        return number
    tokens = [w for w in words(text) if w not in POLITE]
    if not tokens or len(tokens) > MAX_WORDS:
        return None
    said = " ".join(tokens)
    for choice, pattern in _WORDS.items():
        if pattern.match(said):
            return choice
    answer = read_yes_no(said)
    if answer.bare and answer.answer:
        return ReminderChoice.CONFIRM  # "sí", "ok", "👍" to "¿nos vemos?"
    return None
