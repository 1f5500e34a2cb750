"""English dates and times as people write them on WhatsApp, rewritten into words
Duckling's English locale (EN_US) reads right: the English side of `date_text`, with
the same index map (every character of the result points into what the person wrote).

- shorthand and typos: "tmrw", "tomorow", "2moro" -> "tomorrow", "tonite" -> "tonight";
- a weekday with a bare time: "friday 4", "fri 10:30", "tuesday 11am" -> "friday at 4"...
  (Duckling reads "friday 4" as a Friday the 4th, or drops the number) when the number
  can be an hour (1-20) and no "th", "of" or date follows;
- a day before the month, "15/12" (as Mexico writes it): "December 15". "12/15" is left
  to Duckling, which reads it the US way;
- a pick from a list is no date: "the first one", "the 2nd option" are blanked (Duckling
  reads "the first" as the 1st of the month), so the form reads them as positions.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Optional, Tuple

from appointments.interpret.date_text import IndexMap, Rule, apply_rule

_I = re.IGNORECASE
MONTHS = ("January February March April May June July August September October November "
          "December").split()
_WEEKDAY = (r"(mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:r|rs|rsday)?|fri(?:day)?"
            r"|sat(?:urday)?|sun(?:day)?)")
_TOMORROW = re.compile(r"\b(?:tmrw|tmrow|tmr|tmw|tomorow|tommorow|tommorrow|tomorrrow"
                       r"|2morrow|2moro|2morow)\b", _I)
_TONIGHT = re.compile(r"\btonite\b", _I)
_WEEKDAY_HOUR = re.compile(
    r"\b" + _WEEKDAY + r",?\s(\d{1,2}(?::\d{2})?)(\s?(?:am|pm|a\.m\.|p\.m\.))?"
    r"(?!\s?(?:st|nd|rd|th|of)\b)(?![/:\d-])", _I)
_DAY_MONTH = re.compile(r"\b(\d{1,2})/(\d{1,2})\b(?!/)")
_PICK = re.compile(r"\b(?:the )?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth"
                   r"|tenth|last|\d{1,2}(?:st|nd|rd|th)) (?:one|option|choice|of them)\b", _I)



def _weekday_hour(match: "re.Match[str]", today: date) -> Optional[str]:
    clock = match.group(2)
    hour = int(clock.split(":")[0])
    if not 1 <= hour <= (23 if ":" in clock or match.group(3) else 20):
        return None  # "friday 0", "friday 25": no hour; Duckling decides
    return f"{match.group(1)} at {clock}{match.group(3) or ''}"


def _day_month(match: "re.Match[str]", today: date) -> Optional[str]:
    day, month = int(match.group(1)), int(match.group(2))
    if day <= 12 or not 1 <= month <= 12 or day > 31:
        return None  # 12/15 and 5/6: Duckling's US reading
    return f"{MONTHS[month - 1]} {day}"


RULES = [
    (_PICK, lambda match, today: " " * len(match.group(0))),
    (_TOMORROW, lambda match, today: "tomorrow"),
    (_TONIGHT, lambda match, today: "tonight"),
    (_DAY_MONTH, _day_month),
    (_WEEKDAY_HOUR, _weekday_hour),
]


def rewrite_english(text: str, today: date) -> Tuple[str, IndexMap]:
    """The text Duckling's English locale should read, and where each character came from."""
    index_map = list(range(len(text) + 1))
    for rule in RULES:
        text, index_map = apply_rule(rule, text, index_map, today)
    return text, index_map
