"""One normalization for every reader of replies."""
from __future__ import annotations

import re
import unicodedata
from typing import List, Optional

# A reply to a question is short; past this it is a message of its own, not a pick.
MAX_REPLY = 200
_KEYCAPS = str.maketrans({"\u20e3": None, "\ufe0f": None, "👍": " si ", "👌": " si ",
                          "✅": " si ", "👎": " no ", "❌": " no "})
_NOT_WORD = re.compile(r"[^a-z0-9:# ]")
# WhatsApp shorthand read as the word: "la primera q tengas", "pal jueves"
_SHORTHAND = {"q": "que", "pa": "para", "pal": "para el", "x": "por", "xq": "porque",
              "xfa": "por favor", "tmb": "tambien"}
_STRETCHED = re.compile(r"([a-z])\1{2,}")  # "siiii" -> "si", "nooo" -> "no"
_THANK_YOU = re.compile(r"\bthank (?:you|u)\b")  # one polite word, like "gracias"


def normalize(text: Optional[str], limit: int = MAX_REPLY) -> str:
    """'¡Sííí, la 2️⃣!' -> 'si la 2'. Lower case, no accents (ñ -> n), keycaps as digits,
    punctuation as spaces except ':' (hours) and '#', "thank you" as "thanks"; at most
    `limit` characters read."""
    if not text:
        return ""
    text = text[:limit].translate(_KEYCAPS).lower().replace("#", " # ")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _NOT_WORD.sub(" ", text)
    text = _STRETCHED.sub(r"\1", text)
    said = " ".join(_SHORTHAND.get(w, w) for w in text.split())
    return _THANK_YOU.sub("thanks", said) if "thank" in said else said


def words(text: Optional[str], limit: int = MAX_REPLY) -> List[str]:
    return normalize(text, limit).split()


# Words that only soften a reply: "la 2 porfa", "sí gracias", "the 2nd one pls", "yes thank you".
POLITE = frozenset(
    "porfa porfavor favor por plis pls please gracias grax gracia amigo amiga joven "
    "senorita senor seno oiga oye pues entonces "
    "plz thanks thank thx ty tysm".split()
)
# Thanks, not mere politeness, when it is all a reply says ("gracias", "thank you").
THANKS = frozenset("gracias grax thanks thank thx ty tysm".split())


def spelled(*phrases: str) -> tuple:
    """English phrases as normalize leaves them, with and without the apostrophe:
    "that's right" -> "that s right", "thats right" ("’" is normalized like "'")."""
    return tuple(dict.fromkeys(
        form for phrase in phrases
        for form in (phrase.replace("'", " "), phrase.replace("'", ""))))
