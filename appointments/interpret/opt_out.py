"""Is a whole message a wish to stop our messages ("BAJA") or to get them again ("ALTA")?

Only a message that is nothing but such a word or phrase counts, give or take greetings,
polite words and emoji around it ("BAJA por favor 🙏", "hola, stop"): "cancelar",
"cancela mi cita", "no", "stop cita" or "alto, mejor el viernes" are about appointments
and go to the assistant. The word lists follow WhatsApp's and Twilio's keywords (STOP,
STOPALL, UNSUBSCRIBE / START, UNSTOP), how people write it in Mexico, and in English
("stop sending me messages", "remove me from your list" / "subscribe"). No regex: the
message is normalised (text.normalize, linear) and looked up whole in a set.
"""
from __future__ import annotations

from itertools import product
from typing import FrozenSet, Optional

from appointments.interpret.text import POLITE, normalize, spelled

OPT_OUT, OPT_IN = "opt_out", "opt_in"
# A longer message is about something else.
MAX_WISH = 120
# Emoji that text.normalize reads as "si"/"no": here they are decoration.
_YES_NO_EMOJI = str.maketrans({c: " " for c in "👍👌✅👎❌"})
# Words that may stand before or after the wish without changing it.
_AROUND = POLITE | frozenset(
    "hola buenas buenos buen dia dias tardes noches ok okay ya si muchas mil ahora "
    "solo solamente hi hello hey good morning afternoon evening just".split()
)


def _phrases(heads: str, bodies: str) -> FrozenSet[str]:
    return frozenset(" ".join(w for w in (h, b) if w)
                     for h, b in product(heads.split("|"), bodies.split("|")))


_THINGS = "mensajes|mas mensajes|recordatorios|mas recordatorios|avisos|mas avisos|" \
          "notificaciones|mas notificaciones"
_OUT = frozenset({
    "baja", "alto", "stop", "stopall", "stop all", "unsubscribe", "de baja",
    "dame de baja", "darme de baja", "denme de baja", "deme de baja", "dar de baja",
    "quiero darme de baja", "me quiero dar de baja", "quiero la baja", "no mas mensajes",
}) | _phrases(
    "no quiero recibir|no quiero|no me manden|no me envien|no me mandes|no me envies|"
    "no deseo recibir|no me escriban|dejen de mandarme|dejen de enviarme",
    _THINGS,
)
_IN = frozenset({
    "alta", "start", "unstop", "de alta", "dame de alta", "darme de alta", "denme de alta",
    "deme de alta", "dar de alta", "quiero darme de alta", "me quiero dar de alta",
    "quiero el alta",
}) | _phrases(
    "quiero recibir|quiero volver a recibir|quiero seguir recibiendo|mandenme|envienme|"
    "deseo recibir",
    _THINGS,
)
# English, as Twilio and WhatsApp users type it. Not "cancel", "end", "quit" or "yes"
# (Twilio's too): here they are about an appointment, or a reminder's answer.
_THINGS_EN = "messages|texts|reminders|notifications|more messages|more texts|" \
             "more reminders|any more messages|any messages|any more reminders"
_OUT |= frozenset(spelled(
    "optout", "opt out", "opt me out", "unsubscribe me", "please unsubscribe",
    "unsubscribe please", "remove me", "remove me from your list",
    "remove me from the list", "take me off your list", "take me off the list",
    "stop messaging me", "stop texting me", "stop writing to me", "stop contacting me",
)) | _phrases(
    "stop|stop sending me|stop sending|no more|i don t want|i dont want|i don t want any|"
    "i dont want any|don t send me|dont send me|do not send me|i don t want to receive|"
    "i dont want to receive",
    _THINGS_EN,
)
_IN |= frozenset(spelled(
    "optin", "opt in", "opt me in", "subscribe", "resubscribe", "subscribe me",
    "start again", "start messages", "unstop me",
)) | _phrases(
    "i want to receive|i want|send me|i want to get|start sending me|resume",
    _THINGS_EN,
)


def read_opt_out(text: Optional[str]) -> Optional[str]:
    """OPT_OUT, OPT_IN, or None when the message is anything else."""
    if not text or len(text) > MAX_WISH:
        return None
    words = normalize(text.translate(_YES_NO_EMOJI)).replace("#", " ").split()
    while words and words[0] in _AROUND:
        words.pop(0)
    while words and words[-1] in _AROUND:
        words.pop()
    said = " ".join(words)
    if said in _OUT:
        return OPT_OUT
    if said in _IN:
        return OPT_IN
    return None
