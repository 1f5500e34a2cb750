"""The languages the assistant speaks, and the one the current conversation speaks.

Spanish is the default and the business's own language (agents' notices, the console).
The conversation's language lives in the Rasa slot `language`; while one action runs
(or one channel answer is built), `use_language` makes it the current one, so the
pieces of text built in code (dates, lists) come out in it without passing it through
every call. A context variable: each request's task has its own.
"""
from __future__ import annotations

import contextlib
from contextvars import ContextVar
from typing import Iterator, Optional

SPANISH, ENGLISH = "es", "en"
LANGUAGES = (SPANISH, ENGLISH)
DEFAULT_LANGUAGE = SPANISH
BUSINESS_LANGUAGE = SPANISH  # what agents and the console read
SLOT = "language"

_current: ContextVar[str] = ContextVar("conversation_language", default=DEFAULT_LANGUAGE)


def known(language: Optional[str]) -> str:
    """LANGUAGE when the assistant speaks it, else the default."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    return _current.get()


def set_language(language: Optional[str]) -> None:
    """Make LANGUAGE the current one for the rest of this task (a request's handler)."""
    _current.set(known(language))


@contextlib.contextmanager
def use_language(language: Optional[str]) -> Iterator[str]:
    token = _current.set(known(language))
    try:
        yield _current.get()
    finally:
        _current.reset(token)
