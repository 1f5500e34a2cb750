"""Which variation of a domain.yml response a reader gets, for the texts code sends
itself (the channel's own answers, reminders, a piece of a line): the one conditioned on
`language: <LANGUAGE>` when there is one, else the unconditioned one (Spanish). Rasa
makes the same choice for the responses it sends (conditional response variations)."""
from __future__ import annotations

from typing import Any, Dict, Optional, Sequence

from appointments.domain.language import SLOT


def _language_condition(variation: Dict[str, Any]) -> Optional[str]:
    for condition in variation.get("condition") or ():
        if condition.get("type") == "slot" and condition.get("name") == SLOT:
            return condition.get("value")
    return None


def variation_text(variations: Sequence[Dict[str, Any]], language: str) -> Optional[str]:
    plain = None
    for variation in variations or ():
        conditioned = _language_condition(variation)
        if conditioned == language:
            return variation.get("text")
        if conditioned is None and not variation.get("condition") and plain is None:
            plain = variation.get("text")
    return plain
