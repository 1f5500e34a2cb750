"""What the NLU fuzz tests (test_fuzz_nlu.py) feed the Spanish date/time extraction:
hypothesis strategies for random Unicode (emoji, combining marks, right-to-left text,
NUL, odd digits), Spanish-looking fragments mixed with noise, very long messages (up to
MAX_LONG characters) and reference times ("now") from 2000 to 2099."""
from __future__ import annotations

import random
from datetime import datetime
from typing import List
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

TZ = ZoneInfo("America/Mexico_City")
MAX_LONG = 5000

# Every code point but lone surrogates (which cannot be encoded, so never reach us).
ANY_CHAR = st.characters(exclude_categories=("Cs",))
# The same without NUL, for the tests aimed at other things than NUL (which
# test_fuzz_nlu.py's test_arbitrary_unicode and test_very_long_text cover): hypothesis
# reports the first bug it meets in a test, so one bug everywhere would hide the others.
NOT_NUL = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
TRICKY = st.sampled_from([
    "\x00", "\u0301", "\u0303", "\u200b", "\u200d", "\u200e", "\u200f", "\u202e",
    "\u2066", "\ufeff", "\u00a0", "\u3000", "\r\n", "\n", "\t", "🙏", "👍🏽", "👨‍👩‍👧",
    "🇲🇽", "İ", "ß", "ﬁ", "ǅ", "Ⅻ", "½", "²", "١٥/١٢", "１５/１２", "۵", "שלום", "مرحبا",
    "ма́ñana", "n\u0303", "a\u0300\u0301\u0302", "\U0010fffd", "\ud7ff", "\ue000",
])
UNICODE_TEXT = st.lists(st.one_of(st.text(ANY_CHAR, max_size=40), TRICKY), max_size=12).map("".join)

PHRASES = st.sampled_from([
    "mañana a las 5", "manana a las 10", "el 31 de febrero", "el 30/02", "29/02/2027",
    "15/12", "15-12-26", "32/13", "00/00/0000", "1/1/1", "99/99/9999", "12/31",
    "viernes 12", "martes 2 de diciembre", "el lunes 31", "sábado", "SABADO", "domingo,",
    "a las 25:61", "a las 5:30 pm", "a las 12 del día", "a las 0", "medianoche",
    "mediodía", "hoy", "pasado mañana en la tarde", "en la mañana", "de la mañana",
    "el próximo miércoles a las 11", "de 9 a 11", "entre las 3 y las 5", "9:00",
    "hace 3000 años", "en 100000 semanas", "dentro de 2 horas", "el 5 de mayo del 99999",
    "K7P-3QX", "cancelar k7p3qx", "1", "2", "6", "hola", "quiero una cita", "¿", "?", "!",
])
NUMBERS = st.integers(min_value=-1, max_value=10**9).map(str)
BUILT = st.one_of(
    st.builds("hace {} {}".format, NUMBERS, st.sampled_from(["horas", "minutos", "días", "años"])),
    st.builds("en {} {}".format, NUMBERS, st.sampled_from(["horas", "días", "semanas", "meses"])),
    st.builds("el {}/{}".format, NUMBERS, NUMBERS),
    st.builds("el {}/{}/{}".format, NUMBERS, NUMBERS, NUMBERS),
    st.builds("a las {}:{}".format, NUMBERS, NUMBERS),
    st.builds("el {} de {}".format, NUMBERS, st.sampled_from(["enero", "febrero", "mayo"])),
)
SEPARATORS = st.sampled_from([" ", "", ", ", "\n", "/", "-", ":", " y ", "\u200f", "🙏"])


def _joined(parts: List[str], separator: str) -> str:
    return separator.join(parts)


SPANISH_WITH_NOISE = st.builds(
    _joined,
    st.lists(
        st.one_of(
            PHRASES, BUILT, NUMBERS, TRICKY.filter(lambda t: t != "\x00"),
            st.text(NOT_NUL, max_size=8),
        ),
        min_size=1, max_size=14,
    ),
    SEPARATORS,
)


def repeat(piece: str, times: int) -> str:
    return (piece * times)[:MAX_LONG] if piece else ""


def _random_long(seed: int, length: int, alphabet: str) -> str:
    rnd = random.Random(seed)
    return "".join(rnd.choice(alphabet) for _ in range(length))


def _random_code_points(seed: int, length: int) -> str:
    code_points = random.Random(seed).choices(
        [*range(0x20, 0xD800), *range(0xE000, 0x110000)], k=length
    )
    return "".join(map(chr, code_points))


def _request_inside(head: str, phrase: str, tail: str) -> str:
    return f"{head} {phrase} {tail}"


LONG_TEXT = st.one_of(
    # a pasted paragraph, a held-down key, the same phrase again and again
    st.builds(repeat, st.one_of(SPANISH_WITH_NOISE, UNICODE_TEXT), st.integers(1, MAX_LONG)),
    # thousands of random characters: mostly Spanish letters, digits and separators...
    st.builds(
        _random_long, st.integers(0, 2**32), st.integers(1000, MAX_LONG),
        st.just("abcdeilmnorstuñáéíóú0123456789 /-:,.\n"),
    ),
    # ...or any code point at all
    st.builds(_random_code_points, st.integers(0, 2**32), st.integers(1000, MAX_LONG)),
    # a long message with a real request inside it
    st.builds(
        _request_inside,
        st.builds(repeat, st.text(ANY_CHAR, min_size=1, max_size=20), st.integers(1, 2400)),
        PHRASES,
        st.builds(repeat, st.text(ANY_CHAR, min_size=1, max_size=20), st.integers(1, 2400)),
    ),
)
REFERENCE_TIMES = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(TZ)
)
