"""What a turn loads and ships: the current session, cut to its last few turns.

Rasa's Redis store keeps every event of a conversation, and every turn loads, replays,
merges and sends all of them to the action server: a regular customer's turns got slower
with each visit (43 ms after 6 turns, 550 ms after 360). What a turn needs is the current
session (sessions expire after `session_expiration_time` and carry no slots over) and,
inside it, the last turns the policies look at (max_history 4-5).

`current_window` keeps the current session and, past KEPT turns, replaces the older turns
with a snapshot of the state they left: the slots that hold a value, the active form and
whether a person has the conversation (paused). Replaying snapshot + tail gives the same
slots, form and pause as the whole history. Older events are not needed by anything the
user relies on (appointments and handoff cases live in the database) and already reached
the message log and, with RABBITMQ_URL, the event broker.
"""
from __future__ import annotations

from typing import List, Sequence

from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    ConversationPaused,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

DEFAULT_KEPT_TURNS = 8


def _session_start(events: Sequence[Event]) -> int:
    """Index of the current session's first event (its action_session_start)."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME:
            return index
    return 0


def _turn_starts(events: Sequence[Event]) -> List[int]:
    """Indices of the action_listen that opens each user turn."""
    return [
        index - 1
        for index in range(1, len(events))
        if isinstance(events[index], UserUttered)
        and isinstance(events[index - 1], ActionExecuted)
        and events[index - 1].action_name == ACTION_LISTEN_NAME
    ]


def snapshot(tracker: DialogueStateTracker, timestamp: float) -> List[Event]:
    """Events that bring a fresh tracker to TRACKER's state (a session start that carries
    its slots, form and pause)."""
    events: List[Event] = [
        ActionExecuted(ACTION_SESSION_START_NAME, timestamp=timestamp),
        SessionStarted(timestamp=timestamp),
    ]
    for name, slot in tracker.slots.items():
        if slot.value != slot.initial_value:
            events.append(SlotSet(name, slot.value, timestamp=timestamp))
    if tracker.active_loop_name:
        events.append(ActiveLoop(tracker.active_loop_name, timestamp=timestamp))
    if tracker.is_paused():
        events.append(ConversationPaused(timestamp=timestamp))
    return events


def current_window(tracker: DialogueStateTracker, kept_turns: int) -> DialogueStateTracker:
    """TRACKER reduced to its current session and, within it, its last KEPT_TURNS turns
    (the same tracker when there is nothing to cut)."""
    events = list(tracker.events)
    start = _session_start(events)
    session = events[start:]
    turns = _turn_starts(session)
    if len(turns) > kept_turns > 0:
        cut = turns[-kept_turns]
        before = DialogueStateTracker.from_events(
            tracker.sender_id, session[:cut], slots=tracker.slots.values())
        session = snapshot(before, session[cut - 1].timestamp) + session[cut:]
    elif start == 0:
        return tracker
    window = tracker.init_copy()
    for event in session:
        window.update(event)
    return window
