"""Reading a reply that picks one of the numbered options the bot just listed.

"2", "la 2", "opción 2", "#2", "2️⃣", "el segundo", "la primera" all pick an option.
A longer sentence ("el 2 de diciembre") is not a pick: it is left to the date parser.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

_ORDINALS = {
    "primero": 1, "primera": 1, "primer": 1, "uno": 1,
    "segundo": 2, "segunda": 2, "dos": 2,
    "tercero": 3, "tercera": 3, "tercer": 3, "tres": 3,
    "cuarto": 4, "cuarta": 4, "cuatro": 4,
    "quinto": 5, "quinta": 5, "cinco": 5,
    "sexto": 6, "sexta": 6, "seis": 6,
    "septimo": 7, "septima": 7, "siete": 7,
    "octavo": 8, "octava": 8, "ocho": 8,
    "noveno": 9, "novena": 9, "nueve": 9,
    "decimo": 10, "decima": 10, "diez": 10,
    "ultimo": -1, "ultima": -1,
}
_PICK = re.compile(
    r"^(?:(?:la|el|opcion|numero|num|no|n|#)\s*\.?\s*)*(\d{1,2}|[a-z]+)"
    r"(?:\s*(?:opcion|porfa|por favor|xfa|gracias|plis|pls))*$"
)


def _normalize(text: str) -> str:
    text = text.replace("\u20e3", "").replace("\ufe0f", "")  # keycap emoji "2️⃣" -> "2"
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w#\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def pick_option(text: Optional[str], count: int) -> Optional[int]:
    """Return the 0-based index of the option the reply picks, or None."""
    if not text or count <= 0:
        return None
    match = _PICK.match(_normalize(text))
    if not match:
        return None
    token = match.group(1)
    number = int(token) if token.isdigit() else _ORDINALS.get(token)
    if number is None:
        return None
    if number == -1:
        return count - 1
    return number - 1 if 1 <= number <= count else None
