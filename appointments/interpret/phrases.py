"""Finding the business's own words in a message: which service it names ("una
limpiesa el viernes") and which frequent question it asks ("facturan?").

The names, aliases and question variants come from business.yml, so they change
without retraining; matching is tolerant of accents, case, punctuation and one-letter
typos, and runs in time linear in the words compared (no regular expressions).
"""
from __future__ import annotations

from difflib import SequenceMatcher
from typing import List, Optional, Sequence, Tuple

from appointments.interpret.text import words

# Words that carry no meaning for matching a question to a frequent question.
STOPWORDS = frozenset(
    "el la los las lo de del que a en y me mi mis tu te su sus por para con un una unos "
    "unas se es son al o u le les hay este esta estos estas ese esa como cual hola buenas "
    "buenos dias tardes noches oye porfa favor quiero quisiera saber pregunta una duda si "
    "ustedes usted tienen tiene hacen nos".split()
)
MAX_WORDS = 60  # a long story is not a frequent question


def _same_word(a: str, b: str) -> bool:
    """Equal, a plural ("limpiezas"), or one typo ("limpiesa"); not another word that
    starts the same ("consultar" is no "consulta")."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5:
        return False
    short, long_ = sorted((a, b), key=len)
    if long_.startswith(short):
        return long_[len(short):] in ("s", "es")
    return SequenceMatcher(None, a, b).ratio() >= 0.85


def _contains(said: Sequence[str], phrase: Sequence[str]) -> bool:
    """Whether the words of `phrase` appear one after another in `said`."""
    if not phrase or len(phrase) > len(said):
        return False
    for first in range(len(said) - len(phrase) + 1):
        if all(_same_word(said[first + i], w) for i, w in enumerate(phrase)):
            return True
    return False


def find_named(text: str, names: Sequence[Sequence[str]]) -> Optional[int]:
    """The index of the entry whose name or alias the text contains, the longest
    phrase winning ("limpieza dental" over "dental"); None when it names none."""
    said = words(text, limit=500)
    best: Tuple[int, Optional[int]] = (0, None)
    for index, phrases in enumerate(names):
        for phrase in phrases:
            tokens = words(phrase)
            if len(tokens) > best[0] and _contains(said, tokens):
                best = (len(tokens), index)
    return best[1]


def _content(text: str) -> List[str]:
    return [w for w in words(text, limit=500) if w not in STOPWORDS]


def _overlap(said: Sequence[str], asked: Sequence[str]) -> float:
    """How much of a question variant's meaningful words the message holds, minus a
    penalty for a message that also says much else."""
    if not asked or not said:
        return 0.0
    found = sum(1 for w in asked if any(_same_word(w, s) for s in said))
    extra = max(0, len(said) - len(asked) - 2)
    return found / len(asked) - 0.05 * extra


def match_question(text: str, questions: Sequence[Sequence[str]],
                   threshold: float = 0.75) -> Optional[int]:
    """The index of the entry one of whose question variants the text asks, or None."""
    said = _content(text)
    if not said or len(said) > MAX_WORDS:
        return None
    best: Tuple[float, Optional[int]] = (threshold, None)
    for index, variants in enumerate(questions):
        for variant in variants:
            score = _overlap(said, _content(variant))
            if score >= best[0]:
                best = (score, index)
    return best[1]
