"""Turning a bot message into WhatsApp text, and a numbered reply back into a button.

WhatsApp (through Twilio) shows plain text: buttons become a numbered list, and a reply
with the number or the option's title is mapped back to the button's payload. Texts
over 1,600 characters (Twilio's limit) are split on paragraph boundaries.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, List, Optional, Sequence

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


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def button_payload(reply: str, buttons: Sequence[Dict[str, Any]]) -> Optional[str]:
    """The payload of the button a reply picks ("2", "2.", "no"), or None."""
    answer = _normalize(reply).rstrip(".)")
    if answer.isdigit() and 1 <= int(answer) <= len(buttons):
        return buttons[int(answer) - 1].get("payload")
    for button in buttons:
        if answer and answer == _normalize(button.get("title", "")):
            return button.get("payload")
    return None
