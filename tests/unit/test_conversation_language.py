"""The conversation's language end to end in code: the channel decides it before Rasa
reads a message (from the tracker's slot and the message), the action copies the
decision into the slot, and the texts code sends itself come out in it."""
import asyncio
from types import SimpleNamespace

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ActionValidateSlotMappings
from appointments.domain.language import current_language, set_language, use_language
from appointments.domain.response_texts import variation_text
from appointments.interpret.language import Detection
from appointments.rasa.channels.conversation_language import ConversationLanguage

ENGLISH_FIRST = [
    {"condition": [{"type": "slot", "name": "language", "value": "en"}], "text": "Hi"},
    {"text": "Hola"},
]


class FakeTrackerStore:
    def __init__(self, slots):
        self.slots = slots

    async def retrieve(self, sender_id):
        if sender_id not in self.slots:
            return None
        return SimpleNamespace(get_slot=lambda name: self.slots[sender_id].get(name))


class FakeDetector:
    """Says English for any text with 'appointment' in it, else Spanish; counts calls."""

    def __init__(self):
        self.calls = 0

    def detect(self, text):
        self.calls += 1
        return Detection("en" if "appointment" in text else "es", 0.99)


def language_of(slots, detector=None):
    agent = SimpleNamespace(tracker_store=FakeTrackerStore(slots))
    return ConversationLanguage(lambda: agent, detector or FakeDetector())


def test_a_new_conversation_that_starts_in_english_is_in_english():
    language = language_of({})
    said = "hi, I need an appointment tomorrow at 10"
    assert asyncio.run(language.after("whatsapp:+5215511111111", said)) == "en"


@pytest.mark.parametrize("reply", ["ok", "10", "sí", "yes", "K7P-3QX", "👍", "gracias", "1"])
def test_short_replies_never_switch_and_never_ask_the_detector(reply):
    detector = FakeDetector()
    spanish = language_of({"a": {"language": "es"}}, detector)
    english = language_of({"b": {"language": "en"}}, detector)
    assert asyncio.run(spanish.after("a", reply)) == "es"
    assert asyncio.run(english.after("b", reply)) == "en"
    assert detector.calls == 0


def test_asking_by_name_switches_at_any_time():
    language = language_of({"a": {"language": "es"}, "b": {"language": "en"}})
    assert asyncio.run(language.after("a", "English please")) == "en"
    assert asyncio.run(language.after("b", "español")) == "es"


def test_the_decision_travels_in_the_message_metadata():
    language = language_of({})
    message = SimpleNamespace(sender_id="x", text="I need an appointment for friday please",
                              metadata={"media": []})
    assert asyncio.run(language.tag(message)) == "en"
    assert message.metadata == {"media": [], "language": "en"}


def test_without_an_agent_or_a_tracker_store_the_conversation_is_spanish():
    assert asyncio.run(ConversationLanguage(lambda: None).current("x")) == "es"

    class Broken:
        async def retrieve(self, sender_id):
            raise ConnectionError("redis down")

    broken = ConversationLanguage(lambda: SimpleNamespace(tracker_store=Broken()))
    assert asyncio.run(broken.current("x")) == "es"


def _tracker(slots, text, metadata=None):
    event = {"event": "user", "text": text, "parse_data": {"text": text}}
    if metadata is not None:
        event["metadata"] = metadata
    return Tracker("x", slots, {"text": text}, [event], False, None, {}, "action_listen")


def _run(tracker):
    return asyncio.run(ActionValidateSlotMappings().run(CollectingDispatcher(), tracker, {}))


def test_the_action_copies_the_channels_decision_into_the_slot():
    said = "hola quiero una cita"  # Spanish words, but the channel decided: it wins
    assert _run(_tracker({"language": "es"}, said, {"language": "en"})) == [
        {"event": "slot", "timestamp": None, "name": "language", "value": "en"}]
    assert _run(_tracker({"language": "en"}, said, {"language": "en"})) == []


def test_without_a_channel_decision_the_action_decides_with_the_same_rule():
    english = "hello, I would like to book an appointment for tomorrow"
    events = _run(_tracker({"language": "es"}, english))
    assert [e["value"] for e in events] == ["en"]
    assert _run(_tracker({"language": "en"}, "ok")) == []
    assert _run(_tracker({"language": "es"}, "10")) == []


def test_an_intent_triggered_through_the_api_never_changes_the_language():
    # what Rasa records for trigger_intent (e.g. a helpdesk giving the case back)
    assert _run(_tracker({"language": "es"}, "EXTERNAL: EXTERNAL_handoff_finished")) == []
    assert _run(_tracker({"language": "en"}, "EXTERNAL: EXTERNAL_reminder")) == []
    external = "EXTERNAL: EXTERNAL_handoff_finished"  # marked external by Rasa, too
    assert _run(_tracker({"language": "es"}, external, {"is_external": True})) == []


def test_a_response_is_read_in_the_conversations_language():
    assert variation_text(ENGLISH_FIRST, "en") == "Hi"
    assert variation_text(ENGLISH_FIRST, "es") == "Hola"
    assert variation_text(list(reversed(ENGLISH_FIRST)), "es") == "Hola"
    assert variation_text([{"text": "Hola"}], "en") == "Hola"  # no English yet: Spanish


def test_the_current_language_is_scoped_and_defaults_to_spanish():
    assert current_language() == "es"
    with use_language("en"):
        assert current_language() == "en"
        with use_language("fr"):  # not spoken: the default
            assert current_language() == "es"
        assert current_language() == "en"
    assert current_language() == "es"
    set_language(None)
    assert current_language() == "es"
