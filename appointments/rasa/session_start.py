"""A new session keeps a person's conversation with the person.

Rasa starts a new session after `session_expiration_time` (60 min) of silence, and its
session start resets the tracker, pause included: a user waiting for an agent who wrote
again an hour later got the bot back while the agent still had the case. This session
start is Rasa's own plus one rule: a paused conversation stays paused. Only the agent
(console), the idle timeout or the user's "menú" give it back to the bot.

It runs inside the Rasa server (not on the action server, so a session still starts
when the action server is down); appointments/launch/rasa_server.py installs it.
"""
from __future__ import annotations

from typing import Any, List

from rasa.core.actions import action as rasa_actions
from rasa.shared.core.events import ConversationPaused, Event


class PausePreservingSessionStart(rasa_actions.ActionSessionStart):
    async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
        events = await super().run(output_channel, nlg, tracker, domain)
        if tracker.is_paused():
            events.insert(len(events) - 1, ConversationPaused())  # before action_listen
        return events


def install() -> None:
    """Make Rasa use it (`default_actions()` looks the class up when it runs)."""
    rasa_actions.ActionSessionStart = PausePreservingSessionStart  # type: ignore[misc]
