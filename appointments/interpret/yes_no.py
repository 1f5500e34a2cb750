"""Yes, no, and what comes after them: "no, a las 5" is a no with a correction."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from appointments.interpret.text import POLITE, spelled, words

_YES = {
    ("si",), ("sip",), ("sipi",), ("simon",), ("va",), ("vale",), ("dale",), ("sale",),
    ("orale",), ("ok",), ("okay",), ("oki",), ("okey",), ("okis",), ("k",), ("claro",),
    ("correcto",), ("exacto",), ("eso",), ("confirmo",), ("confirmar",), ("confirmado",),
    ("confirma",), ("perfecto",), ("listo",), ("adelante",), ("afirmativo",), ("yes",),
    ("yep",), ("aja",), ("seguro",), ("andale",), ("hagale",), ("hazlo",),
    ("bien",), ("de", "acuerdo"), ("esta", "bien"), ("asi", "es"), ("por", "supuesto"),
    ("claro", "que", "si"), ("si", "confirmar"), ("si", "cancelar"), ("si", "cambiar"),
    ("me", "parece"), ("sale", "y", "vale"), ("de", "una"), ("sin", "problema"),
    ("me", "late"), ("si", "esa"), ("esa", "mera"), ("si", "porfavor"),
}
# English: "yes", "yeah", "sure", "sounds good", "that's right", "go ahead", "do it".
# No English word here is a Spanish one ("y", "ya", "me" stay out), nor the start of a
# question ("do", "are"): "do you have anything earlier?" is no yes.
_YES |= {tuple(p.split()) for p in spelled(
    "yeah", "yea", "yeh", "yess", "yup", "yas", "sure", "surely", "okie", "kk", "alright",
    "all right", "right", "correct", "exactly", "confirm", "confirmed", "perfect", "fine",
    "good", "great", "cool", "deal", "absolutely", "definitely", "certainly", "of course",
    "ofc", "for sure", "sure thing", "sounds good", "sounds great", "sounds perfect",
    "that's right", "that's correct", "that's fine", "that's good", "that's perfect",
    "that works", "works for me", "it works", "go ahead", "go for it", "do it",
    "book it", "let's do it", "let's do that", "yes please", "yes confirm", "yes cancel",
    "yes cancel it", "yes change", "yes change it", "yes book it", "yes do it",
    "yes that one", "yes that's right", "yes that's correct", "yes it is", "that's it",
    "please do", "please do it", "i confirm", "i do", "it's fine", "it's ok", "ok sure", "ok good",
)}
_NO = {
    ("no",), ("nel",), ("nop",), ("nope",), ("nah",), ("nones",), ("negativo",),
    ("nambre",), ("mejor", "no"), ("para", "nada"), ("no", "gracias"), ("tampoco",),
    ("siempre", "no"), ("no", "mejor", "no"), ("claro", "que", "no"), ("no", "quiero"),
    ("no", "confirmo"), ("ni", "madres"),
}
# English: "no thanks" is "no" and a polite word; "don't" is read whole ("don" is Spanish).
_NO |= {tuple(p.split()) for p in spelled(
    "nah", "naw", "nay", "negative", "not really", "not now", "not yet", "never mind",
    "nevermind", "nvm", "no way", "no need", "not at all", "rather not", "i'd rather not",
    "i don't", "don't", "do not", "wrong", "incorrect", "that's wrong",
    "that's not right", "not right", "no it's not", "no it isn't", "absolutely not",
    "definitely not", "of course not", "no don't", "no i don't", "please don't",
)}
# "please do" / "please don't": here "please" is no mere politeness.
_PLEASE = {"do", "don", "dont"}
_LONGEST = max(len(p) for p in _YES | _NO)


@dataclass(frozen=True)
class YesNo:
    answer: Optional[bool]  # None: neither a yes nor a no
    rest: Tuple[str, ...] = ()  # the words after it, politeness removed

    @property
    def bare(self) -> bool:
        """Just a yes or a no ("sí, gracias"), nothing else to read."""
        return self.answer is not None and not self.rest


def read_yes_no(text: Optional[str]) -> YesNo:
    tokens = words(text)
    while tokens and tokens[0] in POLITE and not (tokens[0] == "please" and tokens[1:2]
                                                   and tokens[1] in _PLEASE):
        tokens.pop(0)
    while tokens and tokens[-1] in POLITE:
        tokens.pop()
    if not tokens:
        return YesNo(None)
    for size in range(min(_LONGEST, len(tokens)), 0, -1):
        head = tuple(tokens[:size])
        if head in _YES or head in _NO:
            rest = tuple(w for w in tokens[size:] if w not in POLITE)
            return YesNo(head in _YES, rest)
    return YesNo(None, tuple(tokens))
