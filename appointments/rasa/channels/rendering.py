"""Turning a bot message into WhatsApp text.

WhatsApp (through Twilio) shows plain text: buttons become a numbered list (a reply
with the number or the title is read back by `interpret.menu.button_payload`). Texts
over 1,600 characters (Twilio's limit) are then cut by `domain.messages.split`.
"""
from __future__ import annotations

from typing import Any, Dict, Sequence


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
