"""Fuzzing the Spanish date/time extraction below Rasa (hypothesis).

Random Unicode (emoji, combining marks, right-to-left text, NUL, odd digits), very long
messages and Spanish-looking fragments mixed with noise (drawn by fuzz_inputs.py) must
never break the parser, and every `time` entity must keep its contract
(duckling_parser.py): `start`/`end` are character offsets into the caller's text, `text`
is exactly that slice, the match sits on word boundaries, entities do not overlap, and
the value is an ISO date-time (or a from/to interval of them) that the booking rules
(requested_time.py) can read.

The parser runs where the served model runs it: in the Duckling child process
(`DucklingProcess`), which survives crashes and hangs of Duckling by answering `[]`,
i.e. the user's date is silently lost. So a parse counts as failed here when that
happens: the child raised, died, or did not answer within the product's own
`REPLY_TIMEOUT_SECONDS` (no timing assertion of ours; a parse normally takes
milliseconds): any warning it logs fails the example. A parse that raised in the child is
repeated in-process to show the real traceback.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any, Dict, List, Optional

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from appointments.rasa.nlu import duckling_process
from appointments.rasa.nlu.duckling_extractor import DucklingTimeExtractor
from appointments.rasa.nlu.duckling_parser import SpanishTimeParser
from appointments.interpret.requested_time import RequestedTime, read_requested_time
from tests.conftest import business_calendar
from tests.unit.fuzz_inputs import (
    LONG_TEXT, MAX_LONG, REFERENCE_TIMES, SPANISH_WITH_NOISE, TZ, UNICODE_TEXT, repeat,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)

FUZZ = settings(
    max_examples=200,
    deadline=None,  # no timing assertions: a slow parse is caught by the product's timeout
    database=None,  # leave no .hypothesis/ directory in the work tree
    suppress_health_check=[HealthCheck.too_slow],
)


# --- the parser in the Duckling child process, failures made visible ------------------

class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: List[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def duckling():
    records = _Records()
    logger = logging.getLogger(duckling_process.__name__)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RUST_BACKTRACE", "0")  # a panic in the child: one line, not 40
        process = duckling_process.DucklingProcess("America/Mexico_City", "ES_MX").start()
    logger.addHandler(records)
    yield process, records
    logger.removeHandler(records)
    process.close()


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 400 else f"{text[:400]!r}... ({len(text)} characters)"


def _show_in_process_error(text: str, now: Optional[datetime]) -> None:
    """The child died or raised quickly: repeat the parse here for the real traceback."""
    try:
        SpanishTimeParser("America/Mexico_City", "ES_MX").parse(text, now)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # noqa: BLE001 - pyo3's PanicException is a BaseException
        raise AssertionError(
            f"SpanishTimeParser.parse({_shown(text)}, {now!r}) raised "
            f"{error.__class__.__name__}: {str(error)[:200]}"
        ) from error


def parse(duckling, text: str, now: Optional[datetime]) -> List[Dict[str, Any]]:
    process, records = duckling
    records.records.clear()
    entities = process.parse(text, now)
    failures = [record.getMessage() for record in records.records]
    if failures:
        # The child raised at once (ParseFailed): safe to repeat here for the traceback.
        # Not after a hang or a death (out of memory), which would take this process down.
        if any("could not parse" in failure for failure in failures):
            _show_in_process_error(text, now)
        raise AssertionError(
            f"the Duckling child failed on {_shown(text)} (now={now!r}), so the message "
            f"gets no date (REPLY_TIMEOUT_SECONDS={duckling_process.REPLY_TIMEOUT_SECONDS}): "
            + "; ".join(failures)
        )
    return entities


# --- the contract -----------------------------------------------------------------

# Duckling's ISO 8601 shape. Its years may lie outside Python's datetime ("hace 2000
# años" from the year 2000 is year 0); requested_time.py reads those as nothing asked.
DUCKLING_DATETIME = re.compile(r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)")


def _is_iso(value: Any) -> bool:
    return isinstance(value, str) and DUCKLING_DATETIME.fullmatch(value) is not None


def check_entities(text: str, entities: List[Dict[str, Any]]) -> None:
    assert isinstance(entities, list)
    previous_end = 0
    for entity in entities:
        start, end = entity["start"], entity["end"]
        assert entity["entity"] == "time"
        assert isinstance(start, int) and isinstance(end, int), entity
        assert 0 <= start < end <= len(text), (start, end, len(text))
        assert entity["text"] == text[start:end], entity
        # a match inside a word ("7P" in "K7P-3QX") is dropped
        assert start == 0 or not text[start - 1].isalnum(), entity
        assert end == len(text) or not text[end].isalnum(), entity
        # longest non-overlapping matches, in text order
        assert start >= previous_end, entities
        previous_end = end
        assert entity["confidence"] == 1.0
        info = entity["additional_info"]
        assert isinstance(info["meridiem_ambiguous"], bool)
        value = entity["value"]
        if info.get("type") == "interval":
            assert set(value) == {"from", "to"}, entity
            assert any(value.values()), entity
            for bound in value.values():
                assert bound is None or _is_iso(bound), entity
        else:
            assert _is_iso(value), entity


@pytest.fixture(scope="module")
def read():
    """read_requested_time against the business calendar of tests/conftest.py (a closure,
    so hypothesis's failure reports do not print the whole calendar)."""
    calendar = business_calendar()

    def read_entities(entities: List[Dict[str, Any]]) -> RequestedTime:
        return read_requested_time(entities, calendar)

    return read_entities


def check_readable(entities: List[Dict[str, Any]], read) -> None:
    assert isinstance(read(entities), RequestedTime)


# --- properties -----------------------------------------------------------------------

# Inputs these properties found, pinned with @example: they run first, every time, and
# while one fails the random search is skipped (a hang is not shrunk for minutes).
HANGS = " ".join(["mañana a las 5"] * 5)  # 74 characters: 6 s in Duckling, x6: 146 s
YEAR_ZERO = "hace 740000 días"  # Duckling's value is in year 0: not a Python datetime


@FUZZ
@given(text=UNICODE_TEXT, now=REFERENCE_TIMES)
@example(text="\x00", now=NOW)  # made pyduckling panic (Rust CString)
@example(text="¿mañana\x00a las 5? 🙏", now=NOW)
def test_arbitrary_unicode(duckling, read, text, now):
    entities = parse(duckling, text, now)
    check_entities(text, entities)
    check_readable(entities, read)


@FUZZ
@given(text=SPANISH_WITH_NOISE, now=REFERENCE_TIMES)
@example(text=YEAR_ZERO, now=NOW)
@example(text=HANGS, now=NOW)
def test_spanish_fragments_mixed_with_noise(duckling, read, text, now):
    entities = parse(duckling, text, now)
    check_entities(text, entities)
    check_readable(entities, read)


@settings(FUZZ, max_examples=60)
@given(text=LONG_TEXT)
@example(text="hola " * 1000 + "mañana a las 10")
@example(text=repeat("mañana a las 5 ", MAX_LONG))
def test_very_long_text(duckling, read, text):
    entities = parse(duckling, text, NOW)
    check_entities(text, entities)
    check_readable(entities, read)


@settings(FUZZ, max_examples=100)
@given(
    texts=st.lists(st.one_of(SPANISH_WITH_NOISE, UNICODE_TEXT), min_size=1, max_size=4),
    # Rasa never sets it when serving; when set it is seconds since the epoch
    timestamp=st.one_of(
        st.none(), st.floats(946684800, 4102444800), st.sampled_from([float("nan"), float("inf")])
    ),
)
@example(texts=[f"{YEAR_ZERO}, mejor mañana a las 10"], timestamp=None)
def test_the_rasa_component_keeps_the_contract(duckling, texts, timestamp):
    """DucklingTimeExtractor, as the served pipeline calls it: a batch of messages, some
    with an odd `time` of their own (seconds)."""
    process, records = duckling
    extractor = DucklingTimeExtractor(
        {**DucklingTimeExtractor.get_default_config(), "timezone": "America/Mexico_City"},
        process,
        NOW,
    )
    existing = {"entity": "appointment_code", "value": "K7P-3QX", "start": 0, "end": 0}
    messages = [
        Message(data={TEXT: text, ENTITIES: [existing]}, time=timestamp) for text in texts
    ]
    records.records.clear()
    extractor.process(messages)
    failures = [record.getMessage() for record in records.records]
    assert not failures, f"{failures} on {[_shown(text) for text in texts]}"
    for text, message in zip(texts, messages):
        entities = message.get(ENTITIES)
        assert entities[0] == existing  # other extractors' entities are kept, first
        added = entities[1:]
        assert all(e["extractor"] == "DucklingTimeExtractor" for e in added)
        check_entities(text, added)


def test_the_child_still_parses_after_the_fuzzing(duckling):
    [entity] = parse(duckling, "quiero cita mañana a las 5 de la tarde", NOW)
    assert entity["value"] == "2026-11-26T17:00:00.000-06:00"
    assert (entity["start"], entity["end"]) == (12, 38)
