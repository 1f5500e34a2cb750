"""Setting a message's intent from an exact reading (a menu number, a word that settles
it), keeping the classifier's ranking below it with zero confidence."""
from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


def set_intent(message: Message, intent: str) -> None:
    chosen = {"name": intent, "confidence": 1.0}
    others = [
        dict(entry, confidence=0.0)
        for entry in message.get(INTENT_RANKING_KEY) or []
        if entry.get("name") != intent
    ]
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen] + others, add_to_output=True)
