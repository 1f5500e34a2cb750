"""Short appointment codes people can read aloud and type on a phone: "K7P-3QX".

Shape letter-digit-letter, dash, digit-letter-letter. No I, L, O, 0 or 1, which are
easily confused; the digits also keep ordinary Spanish words from looking like a code.
"""
from __future__ import annotations

import random
import re
import secrets
from typing import Optional

CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_DIGITS = "23456789"
_L, _D = f"[{CODE_LETTERS}]", f"[{CODE_DIGITS}]"
CODE_REGEX = rf"\b{_L}{_D}{_L}[- ]?{_D}{_L}{_L}\b"
_EXACT = re.compile(rf"({_L}{_D}{_L})[- ]?({_D}{_L}{_L})")


def generate_code(rng: Optional[random.Random] = None) -> str:
    rng = rng or secrets.SystemRandom()
    pick = rng.choice
    return (
        f"{pick(CODE_LETTERS)}{pick(CODE_DIGITS)}{pick(CODE_LETTERS)}-"
        f"{pick(CODE_DIGITS)}{pick(CODE_LETTERS)}{pick(CODE_LETTERS)}"
    )


def normalize_code(text: Optional[str]) -> Optional[str]:
    """'k7p3qx', ' K7P 3QX ', 'k7p-3qx' -> 'K7P-3QX'; anything else -> None."""
    if not text:
        return None
    match = _EXACT.fullmatch(text.strip().upper())
    return f"{match.group(1)}-{match.group(2)}" if match else None
