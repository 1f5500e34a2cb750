"""What Duckling may read of a message, so that no message can make it explode.

Duckling's time grammar combines every pair of neighbouring time tokens, and every
"until" between them ("1 a 2", "del 3 al 4", "5-6"), so its work grows exponentially
with the length of a chain of them. Measured on pyduckling 0.3.0, one message each:
"mañana " x 8 took 2 s; "a las cinco " x 12, "uno " x 12, "el primero " x 12, "navidad "
x 12, "ya " x 12 and "1a 1a " x 8 ran past 20 s or out of memory; "1 de enero a 2 de
febrero a 3 de marzo a 4 de abril a 5 de mayo" 10 s; "1a 1a" then " a" x 128 (every "a"
an a.m.) 3.5 s. Every digit run, number word, ordinal, weekday, month, holiday and words
like "ya", "ahora", "en seguida" start such tokens.

Nobody writes such chains, so before Duckling reads a message (every change is one
character for one, a blank or a line break, so entity offsets are kept):
- words are cut where Duckling cuts them: letters apart from digits ("1a" is 1 and a);
- a *run* is what Duckling may join into one chain: time words with only its own small
  words ("a las", "de la", "y") and punctuation between them. Any other word ("cita",
  "o", "mejor") ends the run, and the space after it becomes a line break: Duckling
  joins tokens across spaces and tabs only, so no chain spans two runs, whatever words
  it knows (holiday names) that these lists do not;
- a run past MAX_RUN time words is cut in two the same way, before its last expression
  ("..., el martes 15 a las 5") when it has one;
- a time word is blanked when said MAX_REPEATS times already in its run (or in the whole
  message, but for the very common ones: "una", "ya", "día"), or past the MAX_TOTAL-th
  of the message; an "until" ("a", "al", "-") past the MAX_INTERVALS-th of a run too;
- a run of n time words and k joins ("a", "a las", "al", "entre", "-") costs Duckling
  up to about 3^n 4^k steps (a rough fit of measured worst cases); past BUDGET for the
  message, time words are blanked;
- of a stretch of more than 2 x LINK_EDGE small words, the middle ones are blanked.
Everything in data/ and tests/conversations/ reads exactly as before, and so does "el
próximo martes 1 de diciembre de 2026 a las 5 de la tarde" (7 time words, one run).
Repetitions of any kind cost Duckling milliseconds (tests/security/test_redos.py); a
search over mixes of different time words still finds 120 characters costing seconds
("septiembre - uno del mañana en la 18 que viene de la 15 de diciembre de 5pm": 4 s),
so duckling_process gives up on a parse after REPLY_TIMEOUT_SECONDS.
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

from appointments.rasa.nlu.duckling_vocabulary import (  # noqa: F401 - importable from here
    COMMON,
    COMMON_WORDS_EN,
    ENGLISH_WORDS,
    LINK,
    LINK_WORDS_EN,
    OTHER,
    TIME,
    TIME_WORDS_EN,
    Vocabulary,
    fold,
)

MAX_REPEATS = 2
MAX_RUN = 7
MAX_INTERVALS = 2
MAX_TOTAL = 24
LINK_EDGE = 3
WORD_COST, INTERVAL_COST = 3, 4
# one run of 6 time words and 2 joins ("del lunes 3 al viernes 7 de 9 a 11"), or of 7
# and one ("el próximo martes 1 de diciembre de 2026 a las 5 de la tarde")
BUDGET = WORD_COST ** 6 * INTERVAL_COST ** 2
_UNTIL = frozenset(("a", "al"))
_JOINS = _UNTIL | {"entre"}
_OPENERS = frozenset(("el", "del", "los", "para", "entre"))
_WEEKDAYS = frozenset("lunes martes miercoles jueves viernes sabado domingo".split())

# Letters and digits apart, as Duckling's tokens are ("5pm" is "5" and "pm").
_WORD = re.compile(r"[^\W\d_]+|\d+(?::\d+)?")
_SEPARATORS = " \t"  # the only characters Duckling reads as "next to each other"

# Folded (lower case, no accents, ñ -> n). Counted in the whole message.
TIME_WORDS = frozenset("""
    lunes martes miercoles jueves viernes sabado domingo lu lun ma mar mie mier mx jue vie
    sab dom
    enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre
    diciembre ene feb abr may jun jul ago sep sept set oct nov dic
    hoy manana pasado pasada pasados pasadas ayer anteayer antier anoche tarde noche mediodia
    medianoche madrugada ahora ahorita seguida semana semanas mes meses ano anos trimestre
    trimestres week weekend finde primavera verano otono invierno enseguida pasadomanana
    proximo proxima proximos proximas siguiente siguientes ultimo ultima ultimos ultimas
    navidad nochebuena nochevieja epifania asuncion fiesta fiestas festividad halloween ioad
    cero zero dos tres cuatro cinco seis siete ocho nueve diez dies once doce trece
    catorce quince veinte treinta cuarenta cincuenta sesenta setenta ochenta noventa cien
    ciento cientos quinientos mil millon millones
    primer primero primera primeros primeras prem segundo segunda segundos segundas tercer
    tercero tercera terceros terceras cuarta cuartas quinto quinta quintos quintas sexto
    sexta sextos sextas septimo septima septimos septimas octavo octava octavos octavas
    noveno novena novenos novenas decimo decima decimos decimas
""".split())
_TIME_PREFIXES = ("dieci", "diesi", "veinti")
_TIME_SUFFIXES = ("cientos",)
# Counted only within a run: too common to cap in the whole message ("una cita para una
# limpieza a la una"), yet a chain of them explodes too ("una " x 16, "ya " x 12).
COMMON_WORDS = frozenset("""
    un una uno ya dia dias hora horas min minuto minutos momento antes
""".split())
# Duckling's own small words: they join time words into one chain ("a las 5", "5 y media
# de la tarde", "del 3 al 5", "1 p.m."). Any other word ("o", "si", "cita") ends a chain.
LINK_WORDS = frozenset("""
    a al el la las lo los le l de del d en por con que y am pm p m h hr hrs hs seg segs
    mins k g fin end nuevo the para entre menos desde hasta dentro hace este esta estos estas
    viene vienen cuanto punto coma negativo negativa media medio cuarto cuartos
    cst cdt mst mdt pst pdt est edt utc gmt
""".split())

SPANISH_WORDS = Vocabulary(TIME_WORDS, COMMON_WORDS, LINK_WORDS, _UNTIL, _JOINS, _OPENERS,
                           _WEEKDAYS, _TIME_PREFIXES, _TIME_SUFFIXES)
VOCABULARIES = {"es": SPANISH_WORDS, "en": ENGLISH_WORDS}


class _Guard:
    def __init__(self, text: str, words: Vocabulary = SPANISH_WORDS) -> None:
        self.text = text
        self.words = words
        self.out = list(text)
        self.seen: Dict[str, int] = {}
        self.in_run: Dict[str, int] = {}
        self.run = self.intervals = self.kept = 0
        self.run_cost = 1
        self.spent = 0
        self.last_end: Optional[int] = None  # end of the last time word kept
        self.other_end: Optional[int] = None  # end of the last ordinary word since then
        self.links: List["re.Match[str]"] = []  # the small words since the last word
        self.word_end = 0  # end of the word before the current one
        self.time_end = 0  # end of the last time word, kept or blanked
        self.links_seen = 0  # how many of self.links came before it
        # the run's time words kept: key, cost factor, "until" or not, the gap before it,
        # and whether it opens an expression ("el martes", "del 3")
        self.run_words: List[Tuple[str, int, bool, int, int, bool]] = []

    def blank(self, start: int, end: int) -> None:
        self.out[start:end] = " " * (end - start)

    def cut(self, start: int, end: int) -> bool:
        """Make the first space or tab in text[start:end] a line break, which Duckling
        never joins tokens across; False when there is no whitespace to do it."""
        for i in range(start, end):
            if self.text[i] in _SEPARATORS:
                self.out[i] = "\n"
                return True
            if self.text[i].isspace():
                return True  # a line break or the like is there already
        return False

    def end_links(self) -> None:
        """Small words are kept near the words around them ("5 de la tarde", "a las 5");
        the middle of a longer stretch ("1a 1a" then " a" x 200) is blanked and cut."""
        middle = self.links[LINK_EDGE:-LINK_EDGE]
        if middle:
            for match in middle:
                self.blank(match.start(), match.end())
            self.out[middle[0].start()] = "\n"
        self.links = []
        self.links_seen = 0

    def until(self, start: int) -> Optional[Tuple[int, int]]:
        """Where the "until" right before the time word at `start` is: "a", "al", "-"."""
        dash = self.text.find("-", self.word_end, start)
        if dash >= 0:
            return dash, dash + 1
        last = self.links[-1] if self.links else None
        if last is not None and last.end() == self.word_end and fold(last.group(0)) in self.words.until:
            return last.start(), last.end()
        return None

    def joins(self, start: int) -> int:
        """How many intervals Duckling may read into the gap before the time word at
        `start`: "5-6", "entre 3 y 5", "3a a 5" (a.m. and until), "a las 5" ("until 5")."""
        return self.text.count("-", self.time_end, start) + sum(
            fold(link.group(0)) in self.words.joins for link in self.links[self.links_seen:])

    def cut_earlier(self) -> bool:
        """A run too long is cut before its last expression ("..., el martes 15 a las 5"),
        not in the middle of one, when it has one; the words after the cut go on."""
        for i in range(len(self.run_words) - 1, 0, -1):
            gap_start, gap_end, opens = self.run_words[i][3:]
            if opens and self.cut(gap_start, gap_end):
                tail = self.run_words[i:]
                self.run_words, self.run, self.run_cost = tail, len(tail), WORD_COST
                self.intervals = sum(word[2] for word in tail[1:])
                for word in tail[1:]:
                    self.run_cost *= word[1]
                self.in_run.clear()
                for word in tail:
                    self.in_run[word[0]] = self.in_run.get(word[0], 0) + 1
                return True
        return False

    def add(self, match: "re.Match[str]", kind: str) -> None:
        start, end = match.start(), match.end()
        until, joins = self.until(start), self.joins(start)
        opens = any(fold(link.group(0)) in self.words.openers for link in self.links[self.links_seen:])
        self.time_end, self.links_seen = end, len(self.links)
        new_run = self.last_end is None or (
            self.other_end is not None and self.cut(self.other_end, start))
        if not new_run and self.run >= MAX_RUN and not self.cut_earlier():
            new_run = self.cut(self.last_end, start)  # a long chain, cut in two
        if new_run:
            self.run = self.intervals = 0
            self.run_cost = 1
            self.in_run.clear()
            self.run_words = []
        self.other_end = None
        interval = until is not None and self.run > 0
        if interval and self.intervals >= MAX_INTERVALS:
            self.blank(*until)
            interval = False
        key = fold(match.group(0))
        self.in_run[key] = self.in_run.get(key, 0) + 1
        self.seen[key] = self.seen.get(key, 0) + 1
        cost = self.run_cost * WORD_COST * INTERVAL_COST ** (joins if self.run else 0)
        if (self.in_run[key] > MAX_REPEATS or (kind == TIME and self.seen[key] > MAX_REPEATS)
                or self.run >= MAX_RUN or self.kept >= MAX_TOTAL
                or self.spent + cost - self.run_cost > BUDGET):
            self.blank(start, end)
            if until is not None:
                self.blank(*until)  # no "until" left pointing past it
            return  # gone: the small words around it are one stretch for Duckling
        self.end_links()
        self.run_words.append((key, cost // self.run_cost, interval, self.last_end or 0, start,
                               opens or self.words.kind_of(match.group(0)) == TIME
                               and key in self.words.weekdays))
        self.kept += 1
        self.run += 1
        self.intervals += interval
        self.spent += cost - self.run_cost
        self.run_cost = cost
        self.last_end = end


def guard(text: str, language: str = "es") -> str:
    """The text Duckling may read: same length, repeated time words blanked, runs cut
    (with the words of LANGUAGE's Duckling locale)."""
    words = VOCABULARIES.get(language, SPANISH_WORDS)
    state = _Guard(text, words)
    previous_end = 0
    for match in _WORD.finditer(text):
        kind = words.kind_of(match.group(0))
        state.word_end, previous_end = previous_end, match.end()
        glued_o = match.group(0) in ("o", "O") and text[match.start() - 1:match.start()].isdigit()
        if kind == LINK or glued_o:  # "1o" is Duckling's "primero"; any other "o" is "or"
            state.links.append(match)
            continue
        if kind == OTHER:
            state.end_links()
            state.other_end = match.end()
        else:
            state.add(match, kind)
    state.end_links()
    return "".join(state.out)
