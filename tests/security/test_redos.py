"""Every reader of user text is linear, and Duckling reads no message for long.

An adversarial corpus (1,600 characters of one character or word, each keyword, number,
time word, ordinal and emoji x 200, nested and pumped patterns, whitespace runs ending
in an odd character) goes through every public reader of appointments/interpret, the
requested-time and intent-hint readers, the opt-out and reminder-reply readers, the phone normaliser
(Twilio's From), date_text.rewrite and the Duckling guard, each call within
READER_BUDGET; at 20,000 characters each stays within 10 x its 2,000-character time
(plus noise): linear, whatever the channels cut. Every regex of those
modules is pumped the same way. Then Duckling, through the parser's public API in its
child process (DucklingProcess, as Rasa runs it), answers each guarded message within
DUCKLING_BUDGET, without the child timing out or being replaced.

The two findings of the security review are reproduced: a cubic menu-number regex
("1" + 2000 spaces + "x" took 6 s) and an exponential options regex ("n " x 20 + "_"
0.23 s, doubling with each "n "); and Duckling's "a las cinco " x 12 (3 s per message).
"""
from __future__ import annotations

import re
import time
from datetime import date, datetime
from typing import Callable, Dict, List
from zoneinfo import ZoneInfo

import pytest

from appointments.domain import phones
from appointments.interpret import choices, date_text, intent_hints, menu, opt_out, replies, text
from appointments.interpret import date_text_en, reminder_reply, yes_no
from appointments.interpret import requested_time
from appointments.rasa.nlu import duckling_guard, duckling_parser
from appointments.rasa.nlu.duckling_process import DucklingProcess
from tests.conftest import business_calendar

LIMIT = 1600  # what the channels let through
READER_BUDGET = 0.05  # seconds per reader call at LIMIT characters
DUCKLING_BUDGET = 1.0  # seconds per guarded message, round trip to the child included
SLACK = 0.02  # seconds: timer and allocator noise at 20,000 characters
NOISE = 2.0  # a linear reader may look this much slower on the longer text (caches, GC)
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("America/Mexico_City"))
TODAY = NOW.date()
CALENDAR = business_calendar()
OPTIONS = [
    choices.Option("K8P-8RH", date(2026, 12, 3), None, "K8P-8RH"),
    choices.Option("2026-12-04T10:00:00", date(2026, 12, 4), datetime(2026, 12, 4, 10).time()),
    choices.Option("2026-12-05", date(2026, 12, 5)),
]
BUTTONS = [{"title": "Sí, confirmar", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]


def _entities(said: str) -> List[Dict]:
    """What requested_time reads of a `time` entity: its text and Duckling's reading."""
    return [{"entity": "time", "text": said, "value": "2026-12-01T17:00:00.000-06:00",
             "additional_info": {"grain": "hour", "type": "value", "read_as": said,
                                 "meridiem_ambiguous": True,
                                 "value": "2026-12-01T17:00:00.000-06:00"}}]


READERS: Dict[str, Callable[[str], object]] = {
    "normalize": lambda s: text.normalize(s, limit=len(s)),
    "words": lambda s: text.words(s, limit=len(s)),
    "read_yes_no": yes_no.read_yes_no,
    "read_choice": lambda s: choices.read_choice(s, OPTIONS, True, TODAY),
    "wants_first": choices.wants_first,
    "read_interjection": replies.read_interjection,
    "wants_assistant": replies.wants_assistant,
    "read_opt_out": opt_out.read_opt_out,
    "read_reminder_reply": reminder_reply.read_reminder_reply,
    "normalize_phone": phones.normalize_phone,  # Twilio's From
    "menu_choice": lambda s: menu.menu_choice(s, {"1": "book_appointment"}),
    "button_payload": lambda s: menu.button_payload(s, BUTTONS),
    "hinted_intent": lambda s: intent_hints.hinted_intent(s, "greet", True),
    "rewrite": lambda s: date_text.rewrite(s, TODAY),
    "read_requested_time": lambda s: requested_time.read_requested_time(_entities(s), CALENDAR),
    "duckling_guard": duckling_guard.guard,
    "duckling_guard_english": lambda s: duckling_guard.guard(s, "en"),
    "rewrite_english": lambda s: date_text_en.rewrite_english(s, TODAY),
    "weekday_with_day": duckling_parser.WEEKDAY_WITH_DAY.search,
    "weekday_words": lambda s: duckling_parser.WEEKDAY_WORDS.sub("", s),
}

KEYWORDS = sorted(
    set(choices.ORDINALS) | set(choices.NUMBER_WORDS) | set(choices.WEEKDAYS)
    | set(choices.FIRST_FREE) | set(choices.FIRST_FREE_ALONE) | set(choices.POINTERS)
    | set(date_text.MONTHS)
    | {w for p in replies._PHRASES.values() for w in p if w} | set(text._SHORTHAND)
    | {" ".join(p) for p in yes_no._YES | yes_no._NO}
    | duckling_guard.TIME_WORDS | duckling_guard.COMMON_WORDS | duckling_guard.LINK_WORDS
    | duckling_guard.TIME_WORDS_EN | duckling_guard.COMMON_WORDS_EN
    | duckling_guard.LINK_WORDS_EN
) + [
    "a las cinco", "a las 5", "cinco y media", "1o", "1ro", "1a", "2do", "5pm", "10:30",
    "15/12", "17 hrs", "mñn", "alas 3", "dic 16", "en 2 días", "año nuevo", "día de muertos",
    "día de la tierra", "navidad", "K8P-8RH", "opción 4", "#4", "1️⃣", "👍", "❌", "😀", "🙏",
    "sííí", "ñ", "á", "é", "¿?", "(", "((", "#",
    "baja", "stop", "alta", "no quiero recibir mensajes", "whatsapp:+52 1", "+52 (1) 55-",
    "stop sending me messages", "i can't make it", "yes i'll be there", "thank you",
    "the 2nd one", "on the 8th", "friday the 4th", "option 4",
]
PUMPS = [
    "a", "1", " ", "\t", "\n", "ñ", "😀", "#", "?", ":", "/", "-", ",", ".", "(", "_", "é",
    "\u20e3", "\ufe0f", "\u0301", "\u00a0", "٣", "\x00", "1 ", "a ", "n ", "la ", "de la ",
    "1:", "1/", "lunes ", "mana ", "sí, ", "no ", "1️⃣ ", "👍 ", "ñá ", "a las ", "1a",
]


def _one(pump: str, size: int, tail: str = "") -> str:
    return (pump * (size // len(pump) + 1))[: size - len(tail)] + tail


def corpus(size: int = LIMIT, every_keyword: int = 1) -> List[str]:
    texts = [_one(p, size) for p in PUMPS] + [_one(p, size, "x") for p in PUMPS]
    texts += [_one(k + " ", size) for k in KEYWORDS[::every_keyword]]  # each x 200 or so
    texts += [
        _one("(", size), _one("((((a))))", size), _one("a ", size - 1) + "x",
        _one("1 ", size - 1) + "_", _one("n ", size - 1) + "_", "1" + " " * (size - 2) + "x",
        "lunes" + " " * (size - 6) + "x", "mana" + " " * (size - 5) + "x",
        "de" + " " * (size - 3) + "x", "lunes," + " , " * (size // 3 - 3) + "x",
        _one(" \t\n", size - 1) + "_", _one("\u00a0 ", size - 1) + "!",
        _one("Sí👍 1️⃣ ñá É ", size), _one("1️⃣2️⃣3️⃣", size), _one("k8p-8rh ", size),
    ]
    return texts


def _elapsed(function: Callable[[str], object], said: str, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function(said)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("name", sorted(READERS))
def test_every_reader_answers_an_adversarial_message_within_budget(name):
    reader = READERS[name]
    slowest = max(((_elapsed(reader, said, repeat=2), said) for said in corpus()),
                  key=lambda pair: pair[0])
    assert slowest[0] < READER_BUDGET, f"{name}: {slowest[0] * 1000:.1f} ms on {slowest[1][:60]!r}"


@pytest.mark.parametrize("name", sorted(READERS))
def test_every_reader_grows_linearly_up_to_20000_characters(name):
    reader = READERS[name]
    for small, large in zip(corpus(2000, every_keyword=7), corpus(20_000, every_keyword=7)):
        short, long = _elapsed(reader, small), _elapsed(reader, large, repeat=2)
        assert long < NOISE * 10 * short + SLACK, (  # quadratic would be 100 x
            f"{name}: {long * 1000:.1f} ms at 20,000 characters, {short * 1000:.2f} ms at "
            f"2,000, on {small[:40]!r}...")


def _module_patterns() -> List[re.Pattern]:
    patterns = [rule[0] for rule in date_text.RULES + date_text_en.RULES]
    patterns += list(reminder_reply._WORDS.values())
    for module in (text, menu, choices, date_text, date_text_en, intent_hints, requested_time, duckling_parser,
                   duckling_guard, opt_out, phones, reminder_reply):
        patterns += [v for v in vars(module).values() if isinstance(v, re.Pattern)]
    return patterns


def _pattern_pumps(pattern: re.Pattern) -> List[str]:
    words = sorted(set(re.findall(r"[a-zñ]{2,}", pattern.pattern)))[:20]
    return PUMPS[:25] + [w + " " for w in words] + [w + ", " for w in words]


@pytest.mark.parametrize("pattern", _module_patterns(), ids=lambda p: p.pattern[:40])
def test_every_regex_that_reads_user_text_is_linear(pattern):
    def scan(said: str) -> None:
        for _ in pattern.finditer(said):
            pass

    for pump in _pattern_pumps(pattern):
        for tail in ("", "x", "_", "1"):
            short = _elapsed(scan, _one(pump, 1000, tail))
            long = _elapsed(scan, _one(pump, 16_000, tail))
            assert long < NOISE * 16 * short + SLACK, f"{pattern.pattern[:60]!r}: {pump!r}+{tail!r}"


def test_the_linearity_check_does_catch_a_quadratic_regex():
    """The old WEEKDAY_WITH_DAY had "\\s*,?\\s*" before a digit: quadratic on spaces."""
    old = re.compile(r"\b(lunes|martes)\s*,?\s*\d{1,2}\b")
    short = _elapsed(old.search, "lunes" + " " * 1000 + "x")
    long = _elapsed(old.search, "lunes" + " " * 4000 + "x")
    assert long > 8 * short  # 16x for four times the text: caught


def test_the_findings_of_the_security_review_are_fixed():
    cubic = "1" + " " * 2000 + "x"  # old menu-number regex: 6 s
    exponential = "n " * 20 + "_"  # old options regex: 0.23 s, doubling per "n "
    for said in (cubic, exponential, "n " * 800 + "_", "1" + " " * 20_000 + "x"):
        for name, reader in READERS.items():
            assert _elapsed(reader, said, repeat=1) < READER_BUDGET * 4, name
    assert menu.menu_choice("1", {"1": "book_appointment"}) == "book_appointment"
    assert choices.read_choice("la 2", OPTIONS).index == 1


DUCKLING_CORPUS = [
    "a las cinco " * 12,  # 3 s per message in the child before
    "mañana " * 16, "mañana a las 5 " * 6, "1a 1a " * 8, "1a 1a" + " a" * 800,
    "del 1 al 2 del 2 al 3 del 3 al 4 del 4 al 5 del 5 al 6 del 6 al 7 del 7 al 8",
    "1 de enero a 2 de febrero a 3 de marzo a 4 de abril a 5 de mayo a 6 de junio",
    "el lunes 7, martes 8 o miércoles 9, a las 4 o a las 5",
    "hola " * 320, "a" * LIMIT, "😀" * LIMIT, "1" * LIMIT, " " * (LIMIT - 1) + "x",
] + [
    _one(phrase, LIMIT) for phrase in (
        "uno ", "una ", "un ", "dos ", "cinco ", "once ", "doce ", "veinte ", "cincuenta ",
        "media ", "y media ", "cuarto ", "a la una ", "mil ", "primero ", "el primero ",
        "segundo ", "1o ", "1ro ", "1a ", "1er ", "navidad ", "la navidad ", "nochebuena ",
        "año nuevo ", "día de muertos ", "día de la tierra ", "día de san valentín ",
        "5 ", "5pm ", "10am ", "5h30 ", "10:30 ", "15/12 ", "2026 ", "ya ", "ahora ",
        "en seguida ", "cuanto antes ", "fin de semana ", "hace un día ", "mx ", "lunes ",
        "uno, ", "a las cinco y media ", "el martes 15 a las cinco y media de la tarde ",
        "K8P-8RH ", "sí 👍 ", "1️⃣ ",
    )
]


@pytest.fixture(scope="module")
def duckling():
    process = DucklingProcess().start()
    yield process
    process.close()


def test_duckling_answers_every_guarded_message_within_budget(duckling):
    child = duckling._process.pid
    for said in DUCKLING_CORPUS:
        started = time.perf_counter()
        duckling.parse(said, NOW)
        elapsed = time.perf_counter() - started
        assert elapsed < DUCKLING_BUDGET, f"{elapsed:.2f} s on {said[:60]!r}"
    assert duckling._process.pid == child  # no parse timed out


ENGLISH_DUCKLING_CORPUS = [
    "at five " * 12, "tomorrow " * 16, "tomorrow at 5 " * 6, "1a 1a " * 8,
    "from 1 to 2 from 2 to 3 from 3 to 4 from 4 to 5 from 5 to 6 from 6 to 7 from 7 to 8",
    "january 1 to february 2 to march 3 to april 4 to may 5 to june 6",
    "next monday the 7th, tuesday 8 or wednesday 9, at 4 or at 5",
] + [
    _one(phrase, LIMIT) for phrase in (
        "one ", "a ", "two ", "five ", "eleven ", "twenty ", "half past ", "quarter to ",
        "first ", "the first ", "1st ", "2nd ", "christmas ", "new year ", "5 ", "5pm ",
        "10am ", "10:30 ", "12/15 ", "15/12 ", "now ", "tonight ", "next week ", "friday 4 ",
        "tmrw ", "on monday at 5 ", "the 15th at half past five in the afternoon ",
    )
]


def test_duckling_answers_every_guarded_english_message_within_budget(duckling):
    child = duckling._process.pid
    for said in ENGLISH_DUCKLING_CORPUS:
        started = time.perf_counter()
        duckling.parse(said, NOW, "en")
        elapsed = time.perf_counter() - started
        assert elapsed < DUCKLING_BUDGET, f"{elapsed:.2f} s on {said[:60]!r}"
    assert duckling._process.pid == child  # no parse timed out


def test_duckling_is_linear_in_the_length_of_a_long_message(duckling):
    for pump in ("hola ", "a las cinco ", "1a ", "día de la tierra "):
        short, long = (min(_round_trip(duckling, _one(pump, size)) for _ in range(2))
                       for size in (1000, 20_000))
        assert long < 20 * short + 0.2, f"{pump!r}: {long:.2f} s vs {short:.3f} s"


def _round_trip(duckling, said: str) -> float:
    started = time.perf_counter()
    duckling.parse(said, NOW)
    return time.perf_counter() - started


def test_a_normal_message_still_reads_as_before(duckling):
    [entity] = duckling.parse("el martes 15 a las cinco y media de la tarde", NOW)
    assert (entity["text"], entity["value"]) == (
        "el martes 15 a las cinco y media de la tarde", "2026-12-15T17:30:00.000-06:00")
