"""The words the Duckling guard (duckling_guard.py) must know, per Duckling locale: a
`Vocabulary` tells a word's kind (a time word, a common one counted only within a run, one
of Duckling's small linking words, or any other word), and the English locale's lists.
The Spanish lists stay with the guard, whose docstring explains them.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

TIME, COMMON, LINK, OTHER = "time", "common", "link", "other"


class Vocabulary:
    """The words of one Duckling locale that the guard must know."""

    def __init__(self, time: frozenset, common: frozenset, link: frozenset, until: frozenset,
                 joins: frozenset, openers: frozenset, weekdays: frozenset,
                 prefixes: tuple = (), suffixes: tuple = ()) -> None:
        self.time, self.common, self.link = time, common, link
        self.until, self.joins, self.openers, self.weekdays = until, joins, openers, weekdays
        self.prefixes, self.suffixes = prefixes, suffixes
        self.kind_of = lru_cache(maxsize=4096)(self._kind_of)

    def _kind_of(self, word: str) -> str:
        if word[0].isdigit():
            return TIME
        folded = fold(word)
        if folded in self.time or (self.prefixes and folded.startswith(self.prefixes)) \
                or (self.suffixes and folded.endswith(self.suffixes)):
            return TIME
        if folded in self.common:
            return COMMON
        return LINK if folded in self.link else OTHER


@lru_cache(maxsize=4096)
def fold(word: str) -> str:
    word = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in word if not unicodedata.combining(c))


# English (Duckling's EN locale, for conversations in English): the same idea, its words.
TIME_WORDS_EN = frozenset("""
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs
    fri sat sun
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    today tonight tonite tomorrow tomorow tommorow tommorrow tmrw tmr tmrow yesterday now
    morning afternoon evening night noon midnight weekend week weeks month months year years
    next last this coming following upcoming christmas xmas thanksgiving halloween easter
    zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty hundred
    first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth
    thirteenth fourteenth fifteenth twentieth thirtieth st nd rd th
""".split())
COMMON_WORDS_EN = frozenset("a an day days hour hours min minute minutes moment before after".split())
LINK_WORDS_EN = frozenset("""
    at on of in the to from till until til thru through and by around about o clock oclock
    am pm p m a h hr hrs mins quarter half past between after before ago within
    cst cdt mst mdt pst pdt est edt utc gmt
""".split())

ENGLISH_WORDS = Vocabulary(
    TIME_WORDS_EN, COMMON_WORDS_EN, LINK_WORDS_EN,
    until=frozenset(("to", "till", "until", "til", "thru", "through")),
    joins=frozenset(("to", "till", "until", "til", "thru", "through", "between")),
    openers=frozenset(("on", "the", "this", "next", "from", "between", "for")),
    weekdays=frozenset("monday tuesday wednesday thursday friday saturday sunday".split()))
