"""What a channel says on its own (try again later, rate limited, waiting for a person):
a response of the served model's domain, or of domain.yml when no model is loaded (Rasa
serves on, ignoring messages, if loading failed), in the conversation's language."""
from __future__ import annotations

import logging
from typing import Any, Callable, Dict, Optional

import yaml

from appointments.domain.language import DEFAULT_LANGUAGE
from appointments.domain.response_texts import variation_text
from appointments.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)


class DomainTexts:
    def __init__(self, agent: Callable[[], Any]) -> None:
        self._agent = agent  # the agent Rasa serves now (replaced when a model is loaded)
        self._file_responses: Optional[Dict[str, Any]] = None

    def text(self, response_name: str, language: str = DEFAULT_LANGUAGE) -> Optional[str]:
        agent = self._agent()
        if agent is not None and agent.domain is not None:
            responses = agent.domain.responses
        else:
            if self._file_responses is None:
                domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
                self._file_responses = domain.get("responses") or {}
            responses = self._file_responses
        variations = responses.get(response_name)
        if not variations:
            logger.error("response %s is missing from the domain", response_name)
            return None
        return variation_text(variations, language)
