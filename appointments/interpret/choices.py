"""Which of the options the bot just listed a reply picks.

Options are days, times or appointments (day + time + code). A reply can name one by
its position ("2", "la segunda", "la última"), its hour ("la de las 9", "4:30"), its
weekday or date ("la del miércoles", "la del 3"), its code ("k8p8rh"), a pointer when
only one is listed ("esa", "sí"), or ask for the first free one ("cualquiera", "la más
temprana", "lo antes posible"). A bare number is an hour when it is a listed hour and a
position otherwise; when it could honestly be both, the reply is ambiguous and the
caller asks once. English replies are read the same way, in the same vocabulary: "the
2nd one", "the last one", "the one at 4", "friday", "on the 8th", "that one", "any",
"the earliest", "asap".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import List, Optional, Sequence, Tuple

from appointments.interpret.text import POLITE, normalize, spelled
from appointments.domain.codes import normalize_code

ORDINALS = {
    "primero": 1, "primera": 1, "primer": 1, "segundo": 2, "segunda": 2, "tercero": 3,
    "tercera": 3, "tercer": 3, "cuarto": 4, "cuarta": 4, "quinto": 5, "quinta": 5,
    "sexto": 6, "sexta": 6, "septimo": 7, "septima": 7, "octavo": 8, "octava": 8,
    "noveno": 9, "novena": 9, "decimo": 10, "decima": 10, "ultimo": -1, "ultima": -1,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "last": -1, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
    "5th": 5, "6th": 6, "7th": 7, "8th": 8, "9th": 9, "10th": 10,
}
NUMBER_WORDS = {
    "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,  # English "once" is no number
}
WEEKDAYS = {
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5,
    "domingo": 6, "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2,
    "wed": 2, "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}
FIRST_FREE = (
    "cualquiera", "cualquier", "la que sea", "el que sea", "lo que sea", "la mas temprana",
    "el mas temprano", "lo mas temprano", "lo antes posible", "lo mas pronto",
    "la mas pronto", "lo mas rapido", "la mas cercana", "el mas cercano", "temprano",
    "me da igual", "da igual", "la primera que", "el primero que", "la que tengas",
    "la que tengan", "la que haya", "el que tengas", "el que haya", "asap", "ya mismo",
    "la mas proxima", "el mas proximo", "la que este libre", "la siguiente libre",
) + spelled(
    "earliest", "soonest", "as soon as possible", "as early as possible", "first available",
    "first free", "first open", "next available", "next free", "first you have",
    "first one you have", "first thing", "any time", "anytime", "whenever", "whatever",
    "whichever", "doesn't matter", "does not matter", "don't care", "don't mind",
    "i don't mind", "no preference", "any of them", "any one", "anyone is fine",
    "any is fine", "any works", "either is fine", "either works", "either one",
    "either of them", "any will do", "either will do",
)
# Whole replies only: "any" or "either" inside a message ("any on friday?") is no pick.
FIRST_FREE_ALONE = frozenset({"any", "either", "any one", "anyone"})
POINTERS = {"esa", "ese", "esta", "este", "si", "esa misma", "ese mismo", "la misma",
            "el mismo", "si esa", "esa porfa", "ok", "va", "sale", "esa mera", "ella", "eso"}
POINTERS |= set(spelled(
    "that", "this", "that one", "this one", "yes", "yeah", "yep", "yup", "sure", "it",
    "yes that one", "yes this one", "yeah that one", "that one please", "this one please",
    "that one pls", "that's the one", "that's it", "the same", "same one", "the same one",
    "that works", "that's fine", "ok that one", "sure that one",
))
# Words around a pick that say nothing about which one: "quiero la 2", "me quedo con el 3",
# "I'll take the 2nd", "let's go with number 3".
FILLER = frozenset(
    "la el lo las los de del opcion opc op numero num no # n quiero quisiera dame deme "
    "me quedo con escojo elijo agarro mejor a al en para es sera seria que esa ese".split()
) | POLITE | frozenset(
    "the option opt number nr i ll d s take want like choose pick go with for at on is it "
    "that this let give can have get would prefer".split()) | frozenset(
    # "ok 11 then", "bueno, la 2 entonces": what comes around a pick after a pause
    "ok okay okey entonces pues bueno then so just".split()) | frozenset(
    # "cancel the second one", "cambia la 2": the request around a pick from a list
    "cancel cancela cancelar cancelame change cambia cambiar cambiame move mueve mover "
    "reschedule reagenda reagendar".split())
# "one" names no number after another word: "the first one", "that one", "no one";
# after these it does: "option one".
_NUMBERING = frozenset("option opt number nr opcion opc op numero num #".split())
_HOUR = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s?(am|pm|hrs|hr|h)?\b")
_HOUR_WORDS = re.compile(r"\b(?:a las|las|la de las|de las|a la|la una|at|oclock|o clock)\b")
# "la del 3", "el día 3", "la del jueves 10": a day of the month, not a position or hour
_DAY_OF_MONTH = re.compile(
    r"\b(?:del|el dia|dia|lunes|martes|miercoles|jueves|viernes|sabado|domingo)\s(\d{1,2})\b")
# "the one on the 8th", "friday the 4th", "fri 4th": English days of the month say "th"
# ("the 2nd" alone is a position, "friday 4" an hour).
_DAY_OF_MONTH_EN = re.compile(
    r"\b(?:on|monday|mon|tuesday|tues|tue|wednesday|wed|thursday|thurs|thur|thu|friday|fri"
    r"|saturday|sat|sunday|sun)\s(?:the\s)?(\d{1,2})(?:st|nd|rd|th)\b")
_TOMORROW = frozenset("tomorrow tmrw tmr tmrow tomorow tommorow 2moro 2morrow".split())
_CODE = re.compile(r"\b([a-z][2-9][a-z])[- ]?([2-9][a-z]{2})\b")


@dataclass(frozen=True)
class Option:
    value: str  # what the slot gets back: ISO date, ISO date-time or a code
    day: Optional[date] = None
    at: Optional[time] = None
    code: Optional[str] = None


@dataclass(frozen=True)
class Choice:
    index: Optional[int] = None
    candidates: Tuple[int, ...] = ()  # more than one: ask which

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


NONE = Choice()


def _only(indices: Sequence[int]) -> Choice:
    unique = tuple(dict.fromkeys(indices))
    if len(unique) == 1:
        return Choice(unique[0])
    return Choice(None, unique) if unique else NONE


def _hour_matches(hour: int, minute: int, meridiem: Optional[str],
                  options: Sequence[Option]) -> List[int]:
    exact = [i for i, o in enumerate(options) if o.at == time(hour % 24, minute)]
    if meridiem in ("am", "hrs", "hr", "h") or hour >= 13:
        return exact if hour < 24 else []
    afternoon = [i for i, o in enumerate(options)
                 if 1 <= hour <= 11 and o.at == time(hour + 12, minute)]
    if meridiem == "pm":
        return afternoon
    # no am/pm: the listed one of the two readings (a business opens at one of them)
    return exact or afternoon


def _by_number(number: int, options: Sequence[Option], numbered: bool) -> Choice:
    position = number - 1 if numbered and 1 <= number <= len(options) else None
    hours = _hour_matches(number, 0, None, options) if any(o.at for o in options) else []
    if not hours:
        return Choice(position) if position is not None else NONE
    if position is None or position in hours:
        return _only(hours)
    if 7 <= number <= 23 and options[hours[0]].at.hour == number:
        return _only(hours)  # "10" when 10:00 is listed: the hour
    return _only([position] + hours)  # "4": option 4 or 16:00? ask


def _pick_words(tokens: List[str]) -> List[str]:
    return [w for i, w in enumerate(tokens) if w not in FILLER and not (
        w in ("one", "ones") and i > 0 and tokens[i - 1] not in _NUMBERING)]


def _day_of_month(said: str) -> Optional["re.Match[str]"]:
    return _DAY_OF_MONTH.search(said) or _DAY_OF_MONTH_EN.search(said)


def read_choice(
    text: Optional[str],
    options: Sequence[Option],
    numbered: bool = True,
    today: Optional[date] = None,
) -> Choice:
    """The option a reply picks, an ambiguous pair to ask about, or NONE."""
    if not options:
        return NONE
    said = normalize(text)
    if not said:
        return NONE
    codes = [normalize_code(f"{a}-{b}") for a, b in _CODE.findall(said)]
    by_code = [i for i, o in enumerate(options) if o.code and o.code in codes]
    if by_code:
        return _only(by_code)
    if wants_first(said):
        return Choice(0)
    rest = _pick_words(said.split())
    if len(rest) == 1 and not _day_of_month(said):
        word = rest[0]
        if word.isdigit():
            return _by_number(int(word), options, numbered)
        if word in ORDINALS:
            number = ORDINALS[word]
            return Choice(len(options) - 1 if number == -1 else number - 1) \
                if number <= len(options) else NONE
        if word in NUMBER_WORDS and numbered and NUMBER_WORDS[word] <= len(options):
            return Choice(NUMBER_WORDS[word] - 1)
    if said in POINTERS or " ".join(rest) in POINTERS or not rest and said in POINTERS:
        return Choice(0) if len(options) == 1 else NONE
    return _by_description(said, options, today)


def _relative_day(said: str, tokens: List[str]) -> Optional[int]:
    if "pasado manana" in said or "day after tomorrow" in said:
        return 2
    if "hoy" in tokens or "today" in tokens or "tonight" in tokens:
        return 0
    if "manana" in tokens and "la manana" not in said or _TOMORROW & set(tokens):
        return 1
    return None


def _by_description(said: str, options: Sequence[Option], today: Optional[date]) -> Choice:
    """Weekday, day of the month, relative day and hour, combined: "la del jueves a las 4"."""
    matching = set(range(len(options)))
    narrowed = False

    def narrow(keep: set) -> None:
        nonlocal matching, narrowed
        if keep & matching:  # a detail that fits none of them is about something else
            matching &= keep
            narrowed = True

    tokens = said.split()
    weekdays = {WEEKDAYS[w] for w in tokens if w in WEEKDAYS}
    if weekdays:
        narrow({i for i, o in enumerate(options) if o.day and o.day.weekday() in weekdays})
    offset = _relative_day(said, tokens)
    if today is not None and offset is not None:
        narrow({i for i, o in enumerate(options) if o.day == today + timedelta(days=offset)})
    day_number = _day_of_month(said)
    if day_number:
        narrow({i for i, o in enumerate(options) if o.day and o.day.day == int(day_number.group(1))})
    hour = _HOUR.search(_DAY_OF_MONTH_EN.sub(" ", _DAY_OF_MONTH.sub(" ", said)))
    if hour and (hour.group(2) or hour.group(3) or _HOUR_WORDS.search(said)):
        h, m = int(hour.group(1)), int(hour.group(2) or 0)
        if "y media" in said and not hour.group(2):
            m = 30
        narrow(set(_hour_matches(h, m, hour.group(3), options)))
    if not narrowed:
        return NONE
    return _only(sorted(matching))


def wants_first(text: Optional[str]) -> bool:
    """"cualquiera", "la más temprana", "lo antes posible", "any", "the earliest", "asap":
    the first free one."""
    said = normalize(text)
    padded = f" {said} "
    if any(f" {phrase} " in padded for phrase in FIRST_FREE):
        return True
    return " ".join(w for w in said.split() if w not in POLITE) in FIRST_FREE_ALONE
