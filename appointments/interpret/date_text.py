"""Dates and times as people write them, rewritten into words Duckling reads right.

`rewrite(text, today)` returns the new text and, for every character of it (plus one
past the end), the index of the original character it came from, so entity offsets
still point into what the person wrote. What it fixes (each one was seen in real
conversations):

- typos and shorthand: "mñn" -> "mañana", "alas 3" -> "a las 3", "dic 16" -> "16 de
  diciembre", "17 hrs" -> "17:00", "a mediodía" -> "a las 12 pm";
- numeric dates: "15/12" -> "15 de diciembre" (Duckling's Spanish misreads them);
- "mañana en la mañana": Duckling reads both as "this morning"; the day becomes a date;
- "en 2 días", "dentro de tres días" -> that date;
- "el viernes de la otra semana", "la próxima semana el martes" -> that date;
- a weekday with a bare time: "viernes 10:30", "viernes 10 am", "martes 11" -> "viernes
  a las 10:30"... Duckling reads "viernes 10" as "a Friday the 10th", months away. A
  bare number stays a day of the month when that day is indeed that weekday ("martes
  8" on a Tuesday the 8th), becomes an hour when it is a business-like hour (7-20), and
  is left for the mismatch question otherwise.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Callable, List, Optional, Tuple

MONTHS = (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
).split()
_MONTH_SHORT = {
    "ene": 1, "feb": 2, "mar": 3, "abr": 4, "may": 5, "jun": 6, "jul": 7, "ago": 8,
    "sep": 9, "sept": 9, "set": 9, "oct": 10, "nov": 11, "dic": 12,
}
WEEKDAY_NAMES = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")
_WEEKDAY = r"(lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo)"
_NUMBER_WORDS = {
    "un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "quince": 15,
}
IndexMap = List[int]
Rule = Tuple["re.Pattern[str]", Callable[["re.Match[str]", date], Optional[str]]]


def weekday_index(word: str) -> int:
    plain = word.lower().replace("é", "e").replace("á", "a")
    return WEEKDAY_NAMES.index(plain)


def date_words(day: date) -> str:
    return f"{day.day} de {MONTHS[day.month - 1]} de {day.year}"


def next_weekday(today: date, weekday: int) -> date:
    """The coming `weekday` (today included)."""
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _next_week(today: date, weekday: int) -> date:
    monday = today + timedelta(days=7 - today.weekday())
    return monday + timedelta(days=weekday)


def day_of_month(today: date, number: int) -> Optional[date]:
    """The next date (today included) whose day of the month is `number`."""
    for months_ahead in range(3):
        year = today.year + (today.month - 1 + months_ahead) // 12
        month = (today.month - 1 + months_ahead) % 12 + 1
        try:
            candidate = date(year, month, number)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _number(word: str) -> Optional[int]:
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word.lower())


# --- the rules, applied in this order --------------------------------------------------

def _typo(match: "re.Match[str]", today: date) -> Optional[str]:
    return {"alas": "a las", "ala": "a la"}.get(match.group(0).lower(), "mañana")


def _short_month(match: "re.Match[str]", today: date) -> Optional[str]:
    day = match.group(1) or match.group(4)
    month = _MONTH_SHORT[(match.group(2) or match.group(3)).lower().rstrip(".")]
    return f"{int(day)} de {MONTHS[month - 1]}" if 1 <= int(day) <= 31 else None


def _hours_suffix(match: "re.Match[str]", today: date) -> Optional[str]:
    hour = int(match.group(1))
    return f"{hour}:{match.group(2) or '00'}" if hour <= 23 else None


def _numeric_date(match: "re.Match[str]", today: date) -> Optional[str]:
    day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    words = f"{day} de {MONTHS[month - 1]}"
    if year:
        words += f" de {int(year) + 2000 if len(year) == 2 else int(year)}"
    return words


def _tomorrow_morning(match: "re.Match[str]", today: date) -> Optional[str]:
    tomorrow = today + timedelta(days=1)
    return f"el {date_words(tomorrow)} en la mañana"


def _in_days(match: "re.Match[str]", today: date) -> Optional[str]:
    count = _number(match.group(1))
    if count is None:
        return None
    days = count * (7 if match.group(2).lower().startswith("semana") else 1)
    return f"el {date_words(today + timedelta(days=days))}"


def _weekday_next_week(match: "re.Match[str]", today: date) -> Optional[str]:
    word = match.group(1) or match.group(2)
    day = _next_week(today, weekday_index(word))
    return f"el {word} {date_words(day)}"


def _weekday_clock(match: "re.Match[str]", today: date) -> Optional[str]:
    return f"{match.group(1)} a las {match.group(2)}"


def _weekday_number(match: "re.Match[str]", today: date) -> Optional[str]:
    weekday, number = match.group(1), int(match.group(2))
    day = day_of_month(today, number) if 1 <= number <= 31 else None
    then_a_time = _THEN_A_TIME.match(match.string, match.end())
    if (day is None or day.weekday() != weekday_index(weekday)) and not then_a_time \
            and 7 <= number <= 20:
        return f"{weekday} a las {number}"  # "martes 11" when the 11th is no Tuesday
    if day is None:
        return None
    # a date, made explicit ("martes 15" -> "martes 15 de diciembre"): Duckling reads a
    # bare "martes 15 a las 9" as today; a wrong weekday is asked about later
    return f"{weekday} {number} de {MONTHS[day.month - 1]}"


_THEN_A_TIME = re.compile(r"\s(?:a\slas?|alas)\b", re.IGNORECASE)
_I = re.IGNORECASE
RULES: List[Rule] = [
    (re.compile(r"\b(?:m[ñn]n|m[ñn]na|mñana|mañna|mana(?=\s+a\s+las))\b|\balas\b|\bala(?=\s+\d)", _I), _typo),
    (re.compile(r"\b(\d{1,2})\s?(?:de\s)?(ene|feb|abr|ago|sept?|oct|nov|dic)\.?(?![a-z])"
                r"|\b(ene|feb|abr|ago|sept?|oct|nov|dic)\.?\s?(\d{1,2})\b", _I), _short_month),
    (re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s?(?:hrs|hr|hs|h)\b\.?", _I), _hours_suffix),
    (re.compile(r"\b(?:a|al)\s(?:el\s)?medio\s?d[ií]a\b", _I), lambda m, t: "a las 12 pm"),
    (re.compile(r"\bmedio\s?d[ií]a\b", _I), lambda m, t: "12 pm"),
    (re.compile(r"\b(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}|\d{2}))?\b"), _numeric_date),
    (re.compile(r"(?<!pasado )\bma[ñn]ana(\s(?:en|por|de)\sla\sma[ñn]ana|\stemprano)\b", _I), _tomorrow_morning),
    (re.compile(r"\b(?:en|dentro\sde)\s(\d{1,2}|un|una|dos|tres|cuatro|cinco|seis|siete"
                r"|ocho|nueve|diez|quince)\s(d[ií]as?|semanas?)\b", _I), _in_days),
    (re.compile(r"\b(?:el\s)?" + _WEEKDAY + r"\sde\sla\s(?:otra|pr[oó]xima|siguiente)\ssemana\b"
                r"|\b(?:la|para\sla)\s(?:otra|pr[oó]xima|siguiente)\ssemana,?\s(?:el\s)?"
                + _WEEKDAY + r"\b", _I), _weekday_next_week),
    (re.compile(r"\b" + _WEEKDAY + r",?\s(\d{1,2}:\d{2}|\d{1,2}\s?(?:am|pm|a\.\s?m\.|p\.\s?m\.))",
                _I), _weekday_clock),
    (re.compile(r"\b" + _WEEKDAY + r",?\s(\d{1,2})\b(?!\s?(?:de\b|/|-|:|\d))", _I), _weekday_number),
]


def apply_rule(rule: Rule, text: str, index_map: IndexMap, today: date) -> Tuple[str, IndexMap]:
    pattern, replace = rule
    out: List[str] = []
    new_map: IndexMap = []
    position = 0
    for match in pattern.finditer(text):
        replacement = replace(match, today)
        if replacement is None:
            continue
        out.append(text[position:match.start()])
        new_map.extend(index_map[position:match.start()])
        out.append(replacement)
        span = match.end() - match.start()
        new_map.extend(
            index_map[match.start() + min(i * span // len(replacement), span - 1)]
            for i in range(len(replacement))
        )
        position = match.end()
    if not out:
        return text, index_map
    out.append(text[position:])
    new_map.extend(index_map[position:])
    return "".join(out), new_map


def rewrite(text: str, today: date) -> Tuple[str, IndexMap]:
    """The text Duckling should read, and where each of its characters came from."""
    index_map = list(range(len(text) + 1))
    for rule in RULES:
        text, index_map = apply_rule(rule, text, index_map, today)
    return text, index_map
