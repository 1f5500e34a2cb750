"""Yes, no, and what comes after them: "no, a las 5" is a no with a correction."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from appointments.interpret.text import POLITE, words

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
_NO = {
    ("no",), ("nel",), ("nop",), ("nope",), ("nah",), ("nones",), ("negativo",),
    ("nambre",), ("mejor", "no"), ("para", "nada"), ("no", "gracias"), ("tampoco",),
    ("siempre", "no"), ("no", "mejor", "no"), ("claro", "que", "no"), ("no", "quiero"),
    ("no", "confirmo"), ("ni", "madres"),
}
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
    while tokens and tokens[0] in POLITE:
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
