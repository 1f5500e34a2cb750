"""What else a reply can be while the bot waits for an answer: leaving the flow, a
greeting, a hesitation ("hmm", "?", "no sé"), thanks, or asking for the assistant back."""
from __future__ import annotations

from typing import Optional

from appointments.interpret.text import POLITE, normalize

LEAVE, GREET, HESITATE, THANK = "leave", "greet", "hesitate", "thank"

_PHRASES = {
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
_LEAVE_MARKERS = ("ya no", "olvidalo", "olvidelo", "olvidalo mejor", "dejalo", "dejalo asi",
                  "mejor no", "no gracias", "salir", "ya no quiero")
_HESITATE_MARKERS = ("deja veo", "dejame ver", "dejame checar", "deja checo", "no me acuerdo",
                     "no recuerdo", "no se", "a ver", "un momento", "un segundo", "ahorita te digo",
                     "y ahora", "que hago", "y entonces", "ni modo")
_ASSISTANT = (
    "menu", "asistente", "volver al asistente", "regresar al asistente", "bot", "robot",
    "el asistente", "quiero el menu", "ver menu", "mostrar menu", "al menu",
    "seguir con el asistente", "inicio",
)


def _plain(text: Optional[str]) -> str:
    words = normalize(text).replace("?", " ").split()
    while words and words[-1] in POLITE and words[-1] not in ("gracias", "grax"):
        words.pop()
    while words and words[0] in ("oye", "oiga", "pues", "entonces", "bueno", "ok", "y", "m", "mm",
                                 "hm", "eh", "ah", "este", "ash", "ay"):
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
