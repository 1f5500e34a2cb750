"""Which language a conversation keeps after a message.

Pure: the detector's answer (appointments/adapters/language_detector.py) comes in as a
`Detection`. The rule, in order:

1. An explicit request switches at any time: "English", "in english", "inglés",
   "en inglés por favor", "español", "spanish", "in spanish" (give or take greetings and
   polite words). "no hablo inglés" is not one: "no" and "hablo" are not filler.
2. A payload ("/confirm_appointment{...}": a button, the answer to a reminder) never
   flips, nor does a short or ambiguous reply: "ok", "10", "sí", "yes", "no", a code like
   K7P-3QX, emoji, a date like 15/12, "gracias", "thanks", "hola", "hi". Those words
   (`NEUTRAL`), digits and anything with a digit do not count as words.
3. Otherwise flip only on a clear signal: at least `MIN_WORDS` different real words and
   the detector sure (`MIN_CONFIDENCE`) of the other language.

Spanish is the default: an unknown current language is read as Spanish.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, FrozenSet, Optional, Set

from appointments.interpret.text import POLITE, words

from appointments.domain.language import DEFAULT_LANGUAGE, ENGLISH, LANGUAGES, SPANISH
MIN_WORDS = 3
# 0.8 left "can i talk to a person" (0.72) and "I need to cancel my appt" (0.799) in
# Spanish; at 0.7, none of the 1,704 Spanish examples (data/nlu, tests/nlu) with 3+ real
# words flips to English, nor any of the English ones to Spanish, and 975 of 1,007
# English ones with 3+ real words are read as English (928 at 0.8).
MIN_CONFIDENCE = 0.7
# Only the start of a message is read; a long message says its language early.
MAX_READ = 300

_SWITCH = {
    ENGLISH: frozenset({"english", "ingles", "inglish", "engl"}),
    SPANISH: frozenset({"espanol", "spanish", "castellano", "espanish"}),
}
# Words that may stand around the language's name in a request to switch.
_FILLER = POLITE | frozenset(
    "in en the el idioma language lang hola hi hello hey buenas ok okay please pls plz "
    "can we you speak talk write habla hablas hablame hablemos escribeme puedes podemos "
    "mejor better i prefer prefiero me mi do is there".split()
)
# "no hablo inglés", "i don't speak spanish well": the other language, please.
_NEGATION = frozenset("no not dont don t".split())
_NEGATED = _FILLER | _NEGATION | frozenset(
    "hablo entiendo se speak understand know very well much mucho bien muy sorry perdon "
    "disculpa lo siento".split())
# Replies that say nothing about the language: yes, no, thanks, greetings, laughs.
NEUTRAL: FrozenSet[str] = frozenset(
    "ok okay oki okey k kk si sip yes yep yeah ya no nop nope nah va vale sale dale "
    "gracias grax thanks thank thx ty you hola hi hello hey buenas bye adios chao ciao "
    "please pls plz porfa porfavor jaja jajaja haha lol jeje xd mm mmm ah oh eh uh "
    "perfecto perfect listo ready cool nice super bien good".split()
)


@dataclass(frozen=True)
class Detection:
    """What the detector read: "es", "en" or None (nothing to read), and how sure (0..1)."""
    language: Optional[str] = None
    confidence: float = 0.0


def requested_language(text: Optional[str]) -> Optional[str]:
    """The language a message asks for by name ("in english pls"), else None."""
    tokens = words(text, MAX_READ)
    asked: Set[str] = {language for language, names in _SWITCH.items()
                       if any(t in names for t in tokens)}
    if len(asked) != 1 or len(tokens) > 8:
        return None
    names = _SWITCH[ENGLISH] | _SWITCH[SPANISH]
    named = asked.pop()
    if any(t in _NEGATION for t in tokens):
        if all(t in names or t in _NEGATED for t in tokens):
            return SPANISH if named == ENGLISH else ENGLISH
        return None
    if all(t in names or t in _FILLER for t in tokens):
        return named
    return None


def real_words(text: Optional[str]) -> Set[str]:
    """The different words that can tell a language: letters only, two or more, not
    a yes/no/thanks/greeting."""
    return {t for t in words(text, MAX_READ)
            if len(t) >= 2 and t.isalpha() and t not in NEUTRAL}


def keep_language(current: Optional[str], text: Optional[str],
                  detection: Detection) -> str:
    """The language to answer in after `text`, given the conversation's `current` one."""
    current = current if current in LANGUAGES else DEFAULT_LANGUAGE
    if is_payload(text):
        return current
    asked = requested_language(text)
    if asked is not None:
        return asked
    other = detection.language
    if other not in LANGUAGES or other == current:
        return current
    if detection.confidence < MIN_CONFIDENCE or len(real_words(text)) < MIN_WORDS:
        return current
    return other


def is_payload(text: Optional[str]) -> bool:
    """'/confirm_appointment{"appointment_code": "K7P-3QX"}': what a button or the answer
    to a reminder sends Rasa; its words are ours, not the user's language."""
    return (text or "").lstrip().startswith("/")


def needs_detector(text: Optional[str]) -> bool:
    """Whether the detector could change anything: not for a request by name, nor for a
    reply too short to flip the language, nor for a payload (the detector is not asked)."""
    return (not is_payload(text) and requested_language(text) is None
            and len(real_words(text)) >= MIN_WORDS)


def decide(current: Optional[str], text: Optional[str],
           detect: Callable[[str], Detection]) -> str:
    """keep_language, asking DETECT only when its answer could matter."""
    detection = detect(text or "") if needs_detector(text) else Detection()
    return keep_language(current, text, detection)
