"""A chat model behind any OpenAI-compatible API (OpenAI, Azure's /openai/v1, a local
vLLM or Ollama server...), through the official `openai` client.

`OpenAiCompatibleModel.complete(system, user)` sends exactly two messages and no tools,
waits at most `timeout_seconds` per network step (connect, send, each read) and never
retries: the timeout is the budget of one question. Any failure comes back as
`LanguageModelError`, whose message names the error class only: never the key, the
prompt or the customer's text. The client is built on first use, once; `openai` is
imported then too, so a process with the LLM switched off never loads it.

The service calling it (appointments/services/llm_answers.py) is synchronous: actions
already run in worker threads, so the blocking client is the right one here.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Optional

from appointments.adapters.http import origin
from appointments.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

PROMPT_FILE = PROJECT_ROOT / "prompts" / "answer_question.md"
MAX_TOKENS = 300
TEMPERATURE = 0.2


class LanguageModelError(Exception):
    """The model gave no usable answer: timeout, refused connection, HTTP error,
    unreadable body. `timed_out` tells a timeout from the rest."""

    def __init__(self, message: str, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


def read_prompt(path: Path = PROMPT_FILE) -> str:
    """The reviewed instructions (prompts/answer_question.md); read once at wiring time."""
    return path.read_text(encoding="utf-8").strip()


class OpenAiCompatibleModel:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        model: str,
        timeout_seconds: float,
        max_tokens: int = MAX_TOKENS,
        temperature: float = TEMPERATURE,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.model = model
        self.timeout_seconds = float(timeout_seconds)
        self.max_tokens = max_tokens
        self.temperature = temperature
        self._client: Optional[Any] = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # without the key
        return (f"OpenAiCompatibleModel(base_url={origin(self.base_url)!r}, "
                f"model={self.model!r}, timeout_seconds={self.timeout_seconds})")

    def _openai(self) -> Any:
        with self._lock:
            if self._client is None:
                import openai  # here, not at import time: only when the LLM is on

                # openai's DEBUG log prints request bodies (customers' messages): keep it
                # at INFO unless someone configured it on purpose.
                openai_log = logging.getLogger("openai")
                if openai_log.level == logging.NOTSET:
                    openai_log.setLevel(logging.INFO)
                self._client = openai.OpenAI(
                    base_url=self.base_url, api_key=self._api_key,
                    timeout=self.timeout_seconds, max_retries=0,
                )
            return self._client

    def complete(self, system: str, user: str) -> str:
        client = self._openai()
        try:
            response = client.chat.completions.create(
                model=self.model,
                messages=[{"role": "system", "content": system},
                          {"role": "user", "content": user}],
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                timeout=self.timeout_seconds,
            )
            content = response.choices[0].message.content if response.choices else None
        except Exception as error:  # noqa: BLE001 - every failure is "no answer"
            raise self._failure(error) from None
        return content or ""

    def _failure(self, error: Exception) -> LanguageModelError:
        import openai

        timed_out = isinstance(error, openai.APITimeoutError)
        status = getattr(error, "status_code", None)
        detail = f"HTTP {status}" if status else error.__class__.__name__
        logger.warning("LLM at %s: %s", origin(self.base_url), detail)
        return LanguageModelError(f"{self.model} at {origin(self.base_url)}: {detail}",
                                  timed_out=timed_out)
