"""What our NLU components share: built from their config.yml entry alone (nothing to
train, nothing stored in the model), through Rasa's GraphComponent.create."""
from __future__ import annotations

from typing import Any, Dict, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


class ConfiguredComponent(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> GraphComponent:
        return cls.from_config(config)

    @classmethod
    def from_config(cls, config: Dict[Text, Any]) -> GraphComponent:
        return cls()
