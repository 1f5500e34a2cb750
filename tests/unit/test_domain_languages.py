"""Every response in domain.yml speaks both languages: one English variation chosen by
Rasa's conditional response variations (slot `language` = "en") and one unconditioned
(Spanish, the default) variation, with the same placeholders and the same buttons'
payloads in the same order. Also checked against Rasa's own variation filter."""
from __future__ import annotations

import string
from pathlib import Path
from typing import Any, Dict, List, Set

import pytest
import yaml
from rasa.core.nlg.generator import ResponseVariationFilter

DOMAIN_FILE = Path(__file__).resolve().parents[2] / "domain.yml"
RESPONSES: Dict[str, List[Dict[str, Any]]] = yaml.safe_load(
    DOMAIN_FILE.read_text(encoding="utf-8"))["responses"]
ENGLISH_CONDITION = [{"type": "slot", "name": "language", "value": "en"}]


def english(name: str) -> List[Dict[str, Any]]:
    return [v for v in RESPONSES[name] if v.get("condition") == ENGLISH_CONDITION]


def spanish(name: str) -> List[Dict[str, Any]]:
    return [v for v in RESPONSES[name] if not v.get("condition")]


def placeholders(text: str) -> Set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def payloads(variation: Dict[str, Any]) -> List[str]:
    return [button["payload"] for button in variation.get("buttons") or []]


def test_the_domain_has_responses() -> None:
    assert len(RESPONSES) > 50


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_one_english_and_one_default_variation(name: str) -> None:
    assert len(english(name)) == 1, name
    assert len(spanish(name)) == 1, name
    assert len(RESPONSES[name]) == 2, name  # no third, differently conditioned variation


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_same_placeholders(name: str) -> None:
    [en], [es] = english(name), spanish(name)
    assert placeholders(en["text"]) == placeholders(es["text"]), name


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_same_button_payloads_in_the_same_order(name: str) -> None:
    [en], [es] = english(name), spanish(name)
    assert payloads(en) == payloads(es), name
    assert all(button["title"] for button in en.get("buttons") or []), name


def test_rasa_picks_english_only_when_the_slot_says_en() -> None:
    chooser = ResponseVariationFilter(RESPONSES)
    for name in RESPONSES:
        for slots, expected in (({"language": "en"}, english(name)),
                                ({"language": "es"}, spanish(name)),
                                ({"language": None}, spanish(name)),
                                ({}, spanish(name))):
            assert chooser.responses_for_utter_action(name, "whatsapp", slots) == expected, (
                name, slots)


def test_the_menus_offer_the_other_language() -> None:
    [en], [es] = english("utter_menu"), spanish("utter_menu")
    assert es["text"].endswith("\nWrite *English* for English.")
    assert en["text"].endswith("\nEscribe *español* para español.")
