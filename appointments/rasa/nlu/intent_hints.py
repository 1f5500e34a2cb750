"""Rasa NLU component: the intent a message's own words settle
(`interpret.intent_hints`): "cámbiala", "cancélala", and a greeting or a story that
names a day or a time. Runs after the time extractor, before FallbackClassifier."""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from appointments.interpret.intent_hints import hinted_intent
from appointments.rasa.nlu.component import ConfiguredComponent
from appointments.rasa.nlu.intent_override import set_intent
from appointments.interpret.requested_time import names_a_moment


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentHints(ConfiguredComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            classified = message.get(INTENT) or {}
            has_time = any(names_a_moment(e) for e in message.get(ENTITIES) or [])
            intent = hinted_intent(message.get(TEXT), classified.get("name"), has_time,
                                   classified.get("confidence") or 0.0)
            if intent is None:
                continue
            set_intent(message, intent)
        return messages
