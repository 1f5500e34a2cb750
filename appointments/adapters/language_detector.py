"""Spanish or English? lingua (lingua-language-detector, Rust, offline) limited to the two.

Nothing happens at import time: lingua is imported and its models for the two languages
are loaded on the first `detect` (about 0.35 s and 70-90 MB of RSS on the development
machine, `bench/language_detection.py`), once per process, under a lock. A message with
no letters (empty, digits, emoji, punctuation) never reaches lingua; only the first
`max_chars` characters are read. The answer is a `Detection` for the pure policy in
appointments/interpret/language.py, which decides whether the conversation switches.
"""
from __future__ import annotations

import threading
from typing import Any, Optional

from appointments.interpret.language import ENGLISH, SPANISH, Detection

# A WhatsApp message is at most 1,600 characters; its language shows in the first few.
MAX_CHARS = 400


class LanguageDetector:
    def __init__(self, max_chars: int = MAX_CHARS) -> None:
        self._max_chars = max_chars
        self._lock = threading.Lock()
        self._detector: Any = None

    @property
    def loaded(self) -> bool:
        return self._detector is not None

    def load(self) -> None:
        """Build the detector now (the first `detect` does it otherwise)."""
        self._built()

    def _built(self) -> Any:
        if self._detector is None:
            with self._lock:
                if self._detector is None:
                    from lingua import Language, LanguageDetectorBuilder
                    self._detector = (
                        LanguageDetectorBuilder
                        .from_languages(Language.SPANISH, Language.ENGLISH)
                        .with_preloaded_language_models()
                        .build())
        return self._detector

    def detect(self, text: Optional[str]) -> Detection:
        sample = (text or "")[:self._max_chars]
        if not any(c.isalpha() for c in sample):
            return Detection()
        values = self._built().compute_language_confidence_values(sample)
        if not values or values[0].value <= 0.0:
            return Detection()
        best = values[0]
        code = {"SPANISH": SPANISH, "ENGLISH": ENGLISH}.get(best.language.name)
        if code is None:
            return Detection()
        return Detection(code, float(best.value))
