"""The Rasa component emits `time` entities the way DucklingEntityExtractor does."""
from datetime import datetime
from zoneinfo import ZoneInfo

from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from appointments.rasa.nlu.duckling_extractor import DucklingTimeExtractor
from appointments.rasa.nlu.duckling_process import DucklingProcess

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("America/Mexico_City"))


def make_extractor(timezone="America/Mexico_City"):
    config = {**DucklingTimeExtractor.get_default_config(), "timezone": timezone}
    return DucklingTimeExtractor(config, DucklingProcess(timezone))


def test_entity_shape_matches_rasas_duckling_extractor():
    message = Message(data={TEXT: "quiero cita mañana a las 5 de la tarde"}, time=NOW.timestamp())
    make_extractor().process([message])
    [entity] = message.get(ENTITIES)
    assert entity["entity"] == "time"
    assert entity["value"] == "2026-11-26T17:00:00.000-06:00"
    assert entity["extractor"] == "DucklingTimeExtractor"
    assert entity["confidence"] == 1.0
    assert (entity["start"], entity["end"]) == (12, 38)
    assert entity["additional_info"]["grain"] == "hour"


def test_keeps_entities_from_other_extractors():
    message = Message(data={TEXT: "cambiar K7P-3QX al viernes", ENTITIES: [{"entity": "x"}]})
    make_extractor().process([message])
    assert [e["entity"] for e in message.get(ENTITIES)] == ["x", "time"]


def test_messages_without_text_are_left_alone():
    message = Message(data={})
    make_extractor().process([message])
    assert message.get(ENTITIES) is None


def test_time_zone_comes_from_the_environment_when_not_configured(monkeypatch):
    monkeypatch.setenv("BUSINESS_TIMEZONE", "America/Bogota")
    component = DucklingTimeExtractor.create(
        DucklingTimeExtractor.get_default_config(), None, None, None
    )
    assert component.parser.timezone == "America/Bogota"


def test_a_fixed_reference_time_makes_evaluation_reproducible(monkeypatch):
    monkeypatch.setenv("NLU_REFERENCE_TIME", "2026-11-25T10:00:00-06:00")
    component = DucklingTimeExtractor.create(
        DucklingTimeExtractor.get_default_config(), None, None, None
    )
    message = Message(data={TEXT: "mañana"})
    component.process([message])
    assert message.get(ENTITIES)[0]["value"] == "2026-11-26T00:00:00.000-06:00"
