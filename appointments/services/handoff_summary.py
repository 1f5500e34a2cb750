"""What an agent needs to read before answering: the user's goal, what they already
told the bot, and the recent conversation, taken from a Rasa tracker's events.

Plain Python over the event dicts (no rasa_sdk), so the console and the tests can use it.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Mapping, Optional

TRANSCRIPT_LENGTH = 20
# The form a user was in, as the agent reads it.
GOALS = {
    "booking_form": "crear una cita",
    "cancellation_form": "cancelar una cita",
    "reschedule_form": "cambiar una cita",
}


def _session(events: Iterable[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    """The events of the current session (after the last session start)."""
    events = list(events)
    starts = [i for i, e in enumerate(events) if e.get("event") == "session_started"]
    return events[starts[-1] + 1:] if starts else events


def goal(events: Iterable[Mapping[str, Any]]) -> Optional[str]:
    """The last flow (form) the user was in during this session, in Spanish."""
    for event in reversed(_session(events)):
        if event.get("event") == "active_loop" and event.get("name") in GOALS:
            return GOALS[event["name"]]
    return None


def transcript(
    events: Iterable[Mapping[str, Any]], limit: int = TRANSCRIPT_LENGTH
) -> List[Dict[str, Any]]:
    """The last `limit` messages of the session: [{author: user|bot, text, at}]."""
    lines = []
    for event in _session(events):
        kind = event.get("event")
        text = (event.get("text") or "").strip()
        if kind not in ("user", "bot") or not text:
            continue
        stamp = event.get("timestamp")
        at = datetime.fromtimestamp(stamp, timezone.utc).isoformat() if stamp else None
        lines.append({"author": kind, "text": text, "at": at})
    return lines[-limit:]


def profile_name(events: Iterable[Mapping[str, Any]]) -> Optional[str]:
    """WhatsApp's profile name, as the channel put it in the last message's metadata."""
    for event in reversed(list(events)):
        if event.get("event") == "user":
            return (event.get("metadata") or {}).get("ProfileName") or None
    return None


MISSES = ("nlu_fallback", "out_of_scope")  # not understood / nothing the bot can do


def consecutive_misses(events: Iterable[Mapping[str, Any]]) -> int:
    """How many of the latest user messages in a row the bot could not help with."""
    count = 0
    for event in reversed(list(events)):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent not in MISSES:
            break
        count += 1
    return count
