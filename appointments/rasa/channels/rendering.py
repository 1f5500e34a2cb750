"""Turning a bot message into WhatsApp text.

WhatsApp (through Twilio) shows plain text: buttons become a numbered list (a reply
with the number or the title is read back by `interpret.menu.button_payload`). Texts
over 1,600 characters (Twilio's limit) are split on paragraph boundaries.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Sequence

MAX_LENGTH = 1600


def render(message: Dict[str, Any]) -> str:
    text = message.get("text") or ""
    buttons = message.get("buttons") or []
    if buttons and not _already_numbered(text, buttons):
        listing = "\n".join(f"{i}. {b.get('title', '')}" for i, b in enumerate(buttons, 1))
        text = f"{text}\n{listing}" if text else listing
    return text


def _already_numbered(text: str, buttons: Sequence[Dict[str, Any]]) -> bool:
    # utter_menu spells its options out itself; don't list them twice.
    return f"1. {buttons[0].get('title', '')}" in text


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
