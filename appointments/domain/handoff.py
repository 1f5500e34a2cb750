"""Handoff cases: a conversation a person took over from the assistant.

A case is OPEN from the moment the user asks for a person until an agent gives the
conversation back (or the user goes back to the assistant, or it times out): CLOSED.
"""
from __future__ import annotations

from datetime import datetime, timezone

OPEN, CLOSED = "open", "closed"


class CaseClosed(Exception):
    """The case was already given back to the assistant."""


class CaseNotFound(Exception):
    pass


class AssistantUnavailable(Exception):
    """The assistant (Rasa) did not answer, or answered with an error; the message says
    which."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
