"""What the action tests share: the domain, a rasa-sdk Tracker built from a message
parsed by the real Duckling parser at the fixed "now", an action run with a real
CollectingDispatcher, and the autouse `wired` fixture that points actions.services at
the test's AppointmentService (import it into a test module to use it)."""
import asyncio

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from appointments.rasa.nlu.duckling_parser import SpanishTimeParser

from tests.conftest import FIXED_NOW

DOMAIN = yaml.safe_load(open("domain.yml", encoding="utf-8"))
PARSER = SpanishTimeParser("America/Mexico_City")


@pytest.fixture(autouse=True)
def wired(service):
    services.use(service)
    return service


def tracker(phone, text="", intent="inform", slots=None, entities=None, loop=None):
    entities = PARSER.parse(text, FIXED_NOW) if entities is None else entities
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities}
    return Tracker(
        phone, dict(slots or {}), message, [{"event": "user", "text": text, "parse_data": message}],
        False, None, {"name": loop} if loop else {}, "action_listen",
    )


def run(action, tracker_):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, DOMAIN))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return slots, [m.get("response") for m in dispatcher.messages], dispatcher.messages

