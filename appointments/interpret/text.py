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


def normalize(text: Optional[str], limit: int = MAX_REPLY) -> str:
    """'¡Sííí, la 2️⃣!' -> 'si la 2'. Lower case, no accents (ñ -> n), keycaps as digits,
    punctuation as spaces except ':' (hours) and '#'; at most `limit` characters read."""
    if not text:
        return ""
    text = text[:limit].translate(_KEYCAPS).lower().replace("#", " # ")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _NOT_WORD.sub(" ", text)
    text = _STRETCHED.sub(r"\1", text)
    return " ".join(_SHORTHAND.get(w, w) for w in text.split())


def words(text: Optional[str], limit: int = MAX_REPLY) -> List[str]:
    return normalize(text, limit).split()


# Words that only soften a reply: "la 2 porfa", "sí gracias".
POLITE = frozenset(
    "porfa porfavor favor por plis pls please gracias grax gracia amigo amiga joven "
    "senorita senor seno oiga oye pues entonces".split()
)
