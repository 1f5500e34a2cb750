"""The bounded tracker (appointments/rasa/tracker_window.py): a long conversation is
cut to its current session and last turns, and replaying what is kept gives the same
state (slots, form, pause, last message) as the whole history."""
from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from appointments.rasa.tracker_window import current_window

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))


def turn(text: str, *after: Event) -> List[Event]:
    return [ActionExecuted("action_listen"), UserUttered(text, {"name": "greet"}),
            *after, BotUttered(f"re: {text}")]


def session() -> List[Event]:
    return [ActionExecuted("action_session_start"), SessionStarted()]


def tracker_of(events: List[Event]) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("5215512345678", events, slots=DOMAIN.slots)


def state(tracker: DialogueStateTracker):
    return (tracker.current_slot_values(), tracker.active_loop_name, tracker.is_paused(),
            tracker.latest_message.text, tracker.latest_action_name)


def user_turns(tracker: DialogueStateTracker) -> int:
    return sum(isinstance(e, UserUttered) for e in tracker.events)


def test_a_thousand_turns_keep_the_last_ones_and_the_same_state():
    events = session() + turn("quiero una cita", ActiveLoop("booking_form"),
                              SlotSet("appointment_date", "2026-12-01"))
    for i in range(1000):
        events += turn(f"mensaje {i}")
    events += turn("a las 10", SlotSet("appointment_time", "10:00"))
    full = tracker_of(events)
    window = current_window(full, kept_turns=8)
    assert user_turns(window) == 8
    assert len(window.events) < 60
    assert state(window) == state(full)
    assert window.get_slot("appointment_date") == "2026-12-01"  # set 1,001 turns ago
    assert window.active_loop_name == "booking_form"


def test_a_paused_conversation_stays_paused_after_the_cut():
    events = session() + turn("quiero hablar con alguien", ConversationPaused())
    for i in range(30):
        events += turn(f"sigo esperando {i}")
    window = current_window(tracker_of(events), kept_turns=5)
    assert window.is_paused()
    resumed = tracker_of(events + [ConversationResumed()])
    assert not current_window(resumed, kept_turns=5).is_paused()


def test_only_the_current_session_is_kept():
    old = session() + turn("hola", SlotSet("appointment_code", "ABC123"))
    new = session() + turn("buenas")
    window = current_window(tracker_of(old + new), kept_turns=8)
    assert [e.text for e in window.events if isinstance(e, UserUttered)] == ["buenas"]
    assert window.get_slot("appointment_code") is None  # slots do not carry over
    assert state(window) == state(tracker_of(old + new))


def test_a_short_conversation_is_left_as_it_is():
    tracker = tracker_of(session() + turn("hola") + turn("mis citas"))
    assert current_window(tracker, kept_turns=8) is tracker


@pytest.mark.parametrize("kept", [1, 2, 3, 5])
def test_every_cut_point_replays_to_the_same_state(kept):
    events = session()
    for i in range(12):
        extra: List[Event] = []
        if i == 2:
            extra = [ActiveLoop("booking_form"), SlotSet("appointment_date", "2026-12-02")]
        if i == 6:
            extra = [ActiveLoop(None), SlotSet("appointment_date", None)]
        if i == 9:
            extra = [SlotSet("appointment_code", "XYZ789")]
        events += turn(f"t{i}", *extra)
        full = tracker_of(events)
        assert state(current_window(full, kept_turns=kept)) == state(full)
