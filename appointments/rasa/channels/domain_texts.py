"""What a channel says on its own (try again later, rate limited, waiting for a person):
the text of a response's unconditioned (Spanish, default) variation in the served model's
domain, or in domain.yml when no model is loaded (Rasa serves on, ignoring messages, if
loading failed)."""
from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Optional

import yaml

from appointments.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)


class DomainTexts:
    def __init__(self, agent: Callable[[], Any]) -> None:
        self._agent = agent  # the agent Rasa serves now (replaced when a model is loaded)
        self._file_responses: Optional[Dict[str, Any]] = None

    def text(self, response_name: str) -> Optional[str]:
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
        return default_variation(variations).get("text")


def default_variation(variations: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The variation without a `condition` (the Spanish one; the English one is
    conditioned on the slot `language`), or the first when every one has a condition."""
    return next((v for v in variations if not v.get("condition")), variations[0])
