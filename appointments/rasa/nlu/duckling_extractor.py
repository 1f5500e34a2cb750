"""Rasa NLU component: `time` entities from Duckling, without a Duckling server, read in
the conversation's language (the message's metadata `language`, which the channels set:
appointments/rasa/channels/conversation_language.py; Spanish when absent).

A drop-in for Rasa's `DucklingEntityExtractor` (same entity shape). The parsing lives in
`duckling_parser.SpanishTimeParser`, run in a child process (see `duckling_process`).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from appointments.rasa.nlu.component import ConfiguredComponent
from appointments.rasa.nlu.duckling_process import DucklingProcess
from appointments.settings import Settings


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False
)
class DucklingTimeExtractor(ConfiguredComponent, EntityExtractorMixin):
    """Adds Duckling `time` entities; reference time is now in the business time zone."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # timezone None means BUSINESS_TIMEZONE from the environment, read when the
        # model is loaded, so one trained model serves any business.
        return {"locale": "ES_MX", "timezone": None}

    def __init__(
        self,
        config: Dict[Text, Any],
        parser: DucklingProcess,
        fixed_now: Optional[datetime] = None,
    ) -> None:
        self.component_config = config
        self.parser = parser
        self.fixed_now = fixed_now

    @classmethod
    def from_config(cls, config: Dict[Text, Any]) -> "DucklingTimeExtractor":
        settings = Settings.from_env()
        tz = config.get("timezone") or settings.timezone
        return cls(
            config,
            DucklingProcess(timezone=tz, locale=config["locale"]).start(),
            settings.nlu_reference_time,
        )

    def _reference_time(self, message: Message) -> Optional[datetime]:
        # Like Rasa's extractor: a message may carry its own timestamp (seconds).
        if message.time is None:
            return self.fixed_now
        try:
            return datetime.fromtimestamp(float(message.time), tz=timezone.utc)
        except (TypeError, ValueError, OverflowError):
            return None

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            language = (message.get("metadata") or {}).get("language")
            extracted = self.add_extractor_name(
                self.parser.parse(text, self._reference_time(message), language)
            )
            message.set(ENTITIES, message.get(ENTITIES, []) + extracted, add_to_output=True)
        return messages
