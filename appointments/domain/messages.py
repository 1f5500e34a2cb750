"""Messages as WhatsApp carries them: who wrote (direction) and the length limit.

Twilio refuses WhatsApp texts over 1,600 characters; `split` cuts a longer text between
paragraphs, then lines, then words.
"""
from __future__ import annotations

import re
from typing import List

INBOUND, OUTBOUND = "in", "out"
MAX_LENGTH = 1600


def split(text: str, limit: int = MAX_LENGTH) -> List[str]:
    """Chunks of at most `limit` characters, cut between paragraphs, then lines, then words."""
    if len(text) <= limit:
        return [text] if text else []
    chunks: List[str] = []
    current = ""
    for piece in re.split(r"(\n\n|\n| )", text):
        if len(current) + len(piece) <= limit:
            current += piece
            continue
        if current.strip():
            chunks.append(current.strip())
        while len(piece) > limit:  # a single word longer than the limit
            chunks.append(piece[:limit])
            piece = piece[limit:]
        current = piece
    if current.strip():
        chunks.append(current.strip())
    return chunks
