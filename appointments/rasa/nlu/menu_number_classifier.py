"""Rasa NLU component: a reply that is just a menu number gets that option's intent.

Runs after DIETClassifier and before FallbackClassifier. The numbers and intents are set
in config.yml, beside the menu text in domain.yml (utter_menu).
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from appointments.interpret.menu import menu_choice
from appointments.rasa.nlu.component import ConfiguredComponent
from appointments.rasa.nlu.intent_override import set_intent


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class MenuNumberClassifier(ConfiguredComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"options": {}}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.options = {str(k): v for k, v in (config.get("options") or {}).items()}

    @classmethod
    def from_config(cls, config: Dict[Text, Any]) -> "MenuNumberClassifier":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = menu_choice(message.get(TEXT), self.options)
            if intent is None:
                continue
            set_intent(message, intent)
        return messages
