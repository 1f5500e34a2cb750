"""What else a reply can be while the bot waits for an answer: leaving the flow, a
greeting, a hesitation ("hmm", "?", "no sé", "idk"), thanks, or asking for the assistant
back; in Spanish or English ("never mind", "hi there", "let me think", "main menu")."""
from __future__ import annotations

from typing import Optional

from appointments.interpret.text import POLITE, THANKS, normalize, spelled

LEAVE, GREET, HESITATE, THANK = "leave", "greet", "hesitate", "thank"

_SPANISH = {
    LEAVE: (
        "ya no", "ya no quiero", "ya no gracias", "olvidalo", "olvidelo", "olvida",
        "olvidalo mejor", "dejalo", "dejalo asi", "dejelo", "salir", "sal", "salirme",
        "cancelar", "cancela", "cancelalo", "menu", "inicio", "al inicio", "regresar",
        "volver", "ninguna", "ninguno", "nada", "no quiero nada", "mejor despues",
        "mejor luego", "luego", "despues", "en otro momento", "otro dia", "mejor no",
        "no gracias", "ya no es necesario", "ya no necesito", "siempre no", "no ya no",
        "terminar", "fin", "stop", "basta", "mejor otro dia", "ahorita no",
    ),
    GREET: (
        "hola", "holi", "holaa", "buenas", "buenos dias", "buen dia", "buenas tardes",
        "buenas noches", "que tal", "hey", "ola", "hola buenas", "hola buen dia",
        "hola que tal", "hi", "hello",
    ),
    HESITATE: (
        "", "hmm", "hm", "mmm", "mm", "m", "eh", "este", "ah", "ahh", "no se", "nose",
        "no lo se", "a ver", "aver", "que", "como", "perdon", "disculpa", "ups", "jaja",
        "jeje", "ja", "ok", "y", "o", "pues", "mmm no se", "dejame ver", "dejame pensar",
        "no estoy seguro", "no estoy segura", "tal vez", "quizas", "quiza", "no se cual",
        "cual", "cuales", "que opciones hay", "que opciones", "espera", "un momento",
        "deja veo", "ahorita te digo",
    ),
    THANK: ("gracias", "muchas gracias", "mil gracias", "thanks", "grax", "ty"),
}
# English, in the same kinds ("thank you" is normalized to "thanks"). Not "yo" (Spanish
# "I"), "oh" or "okay" (said in Spanish too).
_ENGLISH = {
    LEAVE: spelled(
        "never mind", "nevermind", "nvm", "forget it", "forget about it", "forget that",
        "cancel", "cancel that", "cancel it", "stop", "quit", "exit", "leave it", "go back",
        "back", "start over", "main menu", "the menu", "none", "neither", "none of them",
        "neither of them", "nothing", "not anymore", "no longer", "not interested",
        "changed my mind", "i changed my mind", "i've changed my mind", "maybe later",
        "later", "another time", "some other time", "not now", "no thanks",
        "no need", "not needed", "i don't need it anymore", "i don't want it anymore",
        "don't want it", "i don't want it", "i'm good", "im good", "all good",
    ),
    GREET: spelled(
        "hi there", "hello there", "hey there", "good morning", "good afternoon",
        "good evening", "morning", "hiya", "howdy", "hey hi", "hi hello", "how are you",
        "hi how are you", "hello how are you", "hey how are you", "what's up", "sup",
    ),
    HESITATE: spelled(
        "um", "umm", "uh", "uhh", "er", "erm", "huh", "let me think", "let me see",
        "let me check", "idk", "i don't know", "don't know", "dunno", "not sure",
        "i'm not sure", "maybe", "perhaps", "which", "which one", "what", "what options",
        "what are the options", "what do you have", "wait", "one moment", "one sec",
        "just a sec", "a sec", "hold on", "sorry", "oops", "lol", "haha", "hehe",
    ),
    THANK: spelled("thx", "thanks a lot", "thanks so much", "many thanks", "tysm",
                   "thanks a bunch", "much appreciated", "appreciate it", "cheers"),
}
_LEAVE_MARKERS = ("ya no", "olvidalo", "olvidelo", "olvidalo mejor", "dejalo", "dejalo asi",
                  "mejor no", "no gracias", "salir", "ya no quiero") + spelled(
    "never mind", "nevermind", "nvm", "forget it", "forget about it", "no thanks",
    "changed my mind", "not anymore", "no longer need")
_HESITATE_MARKERS = ("deja veo", "dejame ver", "dejame checar", "deja checo", "no me acuerdo",
                     "no recuerdo", "no se", "a ver", "un momento", "un segundo", "ahorita te digo",
                     "y ahora", "que hago", "y entonces", "ni modo") + spelled(
    "let me see", "let me think", "let me check", "i don't know", "idk", "not sure",
    "don't remember", "can't remember", "hold on", "one sec", "one moment", "just a sec",
    "give me a sec", "what now", "what do i do")
_ASSISTANT = (
    "menu", "asistente", "volver al asistente", "regresar al asistente", "bot", "robot",
    "el asistente", "quiero el menu", "ver menu", "mostrar menu", "al menu",
    "seguir con el asistente", "inicio",
) + spelled(
    "main menu", "the menu", "show menu", "show me the menu", "back to menu",
    "back to the menu", "go to menu", "go to the menu", "menu please", "assistant",
    "the assistant", "back to the assistant", "back to the bot", "go back to the bot",
    "talk to the bot", "i want the bot", "i want the menu", "the bot",
)
_PHRASES = {kind: _SPANISH[kind] + _ENGLISH[kind] for kind in _SPANISH}
# Words before the reply that say nothing: "oye, ya no", "so never mind", "well idk".
_LEADING = frozenset("oye oiga pues entonces bueno ok y m mm hm eh ah este ash ay so well "
                     "um umm uh".split())


def _plain(text: Optional[str]) -> str:
    words = normalize(text).replace("?", " ").split()
    while words and words[-1] in POLITE and words[-1] not in THANKS:
        words.pop()
    while words and words[0] in _LEADING:
        if len(words) == 1:
            break
        words.pop(0)
    return " ".join(words)


def read_interjection(text: Optional[str]) -> Optional[str]:
    """LEAVE, GREET, HESITATE or THANK when the whole reply is one, else None."""
    if text is not None and len(text) > 80:
        return None
    said = _plain(text)
    for kind, phrases in _PHRASES.items():
        if said in phrases:
            return kind
    padded = f" {said} "
    if len(said.split()) <= 8 and any(f" {m} " in padded for m in _LEAVE_MARKERS):
        return LEAVE  # "ah ok entonces ya no, gracias", "mejor olvidalo"
    if len(said.split()) <= 8 and any(f" {m} " in padded for m in _HESITATE_MARKERS):
        return HESITATE  # "mmm deja veo cual era", "no me acuerdo"
    return None


def wants_assistant(text: Optional[str]) -> bool:
    """'menú', 'asistente', 'volver al asistente': back from a person to the bot."""
    return text is not None and len(text) <= 80 and _plain(text) in _ASSISTANT
