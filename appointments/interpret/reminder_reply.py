"""A reply to a reminder: *1* confirm, *2* change, *3* cancel.

Read only when the bot's last message to the phone was a reminder (the channel checks),
so a bare "sí" or "ok" there confirms. The template's quick-reply buttons send their
id (ButtonPayload) or their title: both are read. A longer message ("cámbiala para el
viernes a las 5") is not a bare choice: it goes to the assistant as usual. English too:
"yes I'll be there", "reschedule", "I can't make it".
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
# English after the Spanish: "yes I'll be there", "see you then", "reschedule it",
# "I need to cancel", "can't make it" (read with the apostrophe as a space or dropped).
_EN_YES = r"(?:yes |yeah |yep |sure |ok |of course )?"
_EN_WANT = r"(?:i (?:want|need|would like|d like) to |i ll |i will |can i |could i |please )?"
_EN_IT = r"(?: it| my appointment| the appointment| my appt| the appt)?"
_WORDS = {
    ReminderChoice.CONFIRM: re.compile(
        r"^(?:reminder )?(?:confirm\w*|asisto|asistire|alli estare|ahi estare|ahi nos vemos"
        r"|si asistire|si voy|si ahi estare|claro ahi estare|voy"
        r"|" + _EN_YES + r"(?:i ll be there|ill be there|i will be there|i ll come|i will come"
        r"|i m coming|im coming|i ll go|i will go|see you (?:there|then|soon|tomorrow)"
        r"|i confirm|confirm" + _EN_IT + r"|count me in|i ll make it|i will make it))$"),
    ReminderChoice.CHANGE: re.compile(
        r"^(?:reminder )?(?:change|cambi\w*|reagend\w*|mover\w*|muevela|otro dia|otra hora"
        r"|quiero cambiarla|la quiero cambiar"
        r"|" + _EN_WANT + r"(?:change|reschedule|move)" + _EN_IT +
        r"|resched\w*|another (?:day|time)|a different (?:day|time)|different (?:day|time))$"),
    ReminderChoice.CANCEL: re.compile(
        r"^(?:reminder )?(?:cancel\w*|anular\w*|ya no (?:voy|puedo ir|podre ir)|no voy a ir"
        r"|no podre ir|quiero cancelarla|la quiero cancelar"
        r"|" + _EN_WANT + r"cancel" + _EN_IT +
        r"|i (?:can t|cant|cannot|won t|wont) (?:make it|go|come|be there)"
        r"|(?:can t|cant|won t|wont) (?:make it|go|come|be there)|i m not coming|im not coming"
        r"|not coming)$"),
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
