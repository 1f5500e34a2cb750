"""Spanish (and English) dates and times through Duckling (pyduckling-native-phihos), run
inside the Duckling child process (duckling_process.py). A message is read in its
conversation's language: Spanish with ES_MX and the fixes below, English with EN_US and
the few fixes of `interpret.date_text_en`.

Pure Python (no rasa import) so it can be tested and benchmarked on its own; the Rasa
component in `duckling_extractor.py` is a thin wrapper around `SpanishTimeParser`.

What this adds on top of raw Duckling (see shared/reference/duckling-es.md):
- text is first rewritten the way Duckling reads it right (`interpret.date_text`: typos,
  numeric dates, "en 2 días", a weekday with a bare time...);
- what Duckling then reads is guarded (`duckling_guard`: its work grows exponentially
  with chains of time words) and, past WINDOW characters, read in windows;
- overlapping candidates are reduced to the ones covering the most text;
- a weekday that disagrees with an explicit day number ("viernes 12" when the 12th is a
  Saturday) makes Duckling jump months or years ahead: the day number wins and the entity
  is flagged `weekday_mismatch`, with the coming day of that weekday as
  `weekday_alternative` so the bot can ask which one was meant;
- bare hours ("a las 5") are flagged `meridiem_ambiguous`, so the booking rules can read
  them against business hours;
- a match inside a word ("7P" in the code "K7P-3QX") is dropped;
- offsets are character offsets into the caller's text and `text` is that exact slice
  (Duckling's own `body` is UTF-8 decoded as Latin-1).
"""
from __future__ import annotations

import re
import threading
from datetime import datetime
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

from appointments.interpret.date_text import next_weekday, rewrite, weekday_index
from appointments.interpret.date_text_en import rewrite_english
from appointments.rasa.nlu.duckling_guard import guard

ZONEINFO_DIR = "/usr/share/zoneinfo"

# "\s*(?:,\s*)?" and not "\s*,?\s*": two "\s*" side by side try every split of a long
# run of spaces, which made WEEKDAY_WITH_DAY quadratic ("lunes" + 8,000 spaces: 3 s).
WEEKDAY_WORDS = re.compile(
    r"\b(lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo)\b\s*(?:,\s*)?",
    re.IGNORECASE,
)
# a weekday directly followed by a day of the month: "viernes 12", "martes 2 de diciembre"
WEEKDAY_WITH_DAY = re.compile(
    r"\b(lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo)\s*(?:,\s*)?\d{1,2}\b",
    re.IGNORECASE,
)
Entity = Dict[str, Any]
# Duckling's own work grows with the square of a long text ("a" x 16,000: 1.1 s, "hola "
# x 3,200: 0.9 s; 1,600 characters: 20 ms), so a longer one is read in windows, cut
# where the guard cut a chain (a line break) or else at a space.
WINDOW = 2000
ENGLISH_LOCALE = "EN_US"


def _windows(text: str) -> Iterator[Tuple[int, str]]:
    start = 0
    while len(text) - start > WINDOW:
        end = start + WINDOW
        cut = text.rfind("\n", start + WINDOW // 2, end)
        if cut < 0:
            cut = text.rfind(" ", start + WINDOW // 2, end)
        if cut < 0:
            cut = end
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


def _on_word_boundaries(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def _time_of_day(iso: str) -> Tuple[int, int]:
    moment = datetime.fromisoformat(iso)
    return moment.hour, moment.minute


def _meridiem_ambiguous(value: Dict[str, Any]) -> bool:
    """Duckling lists both readings (09:00 and 21:00) when no am/pm was said."""
    if value.get("type") != "value" or value.get("grain") not in ("hour", "minute"):
        return False
    times = {_time_of_day(v["value"]) for v in value.get("values", []) if "value" in v}
    return any(((h + 12) % 24, m) in times for h, m in times)


class SpanishTimeParser:
    """Extracts `time` entities from Spanish text, relative to now in one time zone.

    Duckling's tables are loaded on first use (once, thread-safe), not on import.
    """

    def __init__(self, timezone: str = "America/Mexico_City", locale: str = "ES_MX") -> None:
        self.timezone = timezone
        self.tz = ZoneInfo(timezone)
        self.locale_name = locale
        self._lock = threading.Lock()
        self._loaded: Dict[str, Tuple[Any, Any, Any]] = {}

    def _duckling(self, locale_name: str) -> Tuple[Any, Any, Any]:
        with self._lock:
            if locale_name not in self._loaded:
                import duckling

                time_zones = duckling.load_time_zones(ZONEINFO_DIR)
                lang = duckling.parse_lang(locale_name.split("_")[0])
                locale = duckling.parse_locale(
                    locale_name, duckling.default_locale_lang(lang)
                )
                self._loaded[locale_name] = (
                    time_zones, locale, duckling.parse_dimensions(["time"]))
            return self._loaded[locale_name]

    def _raw_parse(self, text: str, now: datetime,
                   language: Optional[str] = None) -> List[Dict[str, Any]]:
        import duckling

        english = language == "en"
        time_zones, locale, dimensions = self._duckling(
            ENGLISH_LOCALE if english else self.locale_name)
        reference = duckling.parse_ref_time(time_zones, self.timezone, int(now.timestamp()))
        # Duckling takes a C string: a NUL made it panic, a lone surrogate cannot be
        # encoded. One character for one keeps every offset.
        safe = text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")
        context = duckling.Context(reference, locale)
        found = []
        for offset, window in _windows(guard(safe, "en" if english else "es")):
            for candidate in duckling.parse(window, context, dimensions, False):
                candidate["start"] += offset
                candidate["end"] += offset
                found.append(candidate)
        return found

    def parse(self, text: str, now: Optional[datetime] = None,
              language: Optional[str] = None) -> List[Entity]:
        """Return Rasa-shaped `time` entities, like DucklingEntityExtractor's; LANGUAGE
        "en" reads the text as English, anything else as Spanish."""
        if not text or not text.strip():
            return []
        now = now.astimezone(self.tz) if now else datetime.now(self.tz)
        english = language == "en"
        rewritten, index_map = (rewrite_english if english else rewrite)(text, now.date())
        candidates = [c for c in self._raw_parse(rewritten, now, language)
                      if c.get("dim") == "time"]
        entities = []
        for candidate in self._longest_non_overlapping(candidates):
            start, end = index_map[candidate["start"]], index_map[candidate["end"]]
            if not _on_word_boundaries(text, start, end):
                continue  # "7P" inside the code "K7P-3QX" is not 7 p.m.
            try:
                value = (dict(candidate["value"]) if english
                         else self._fix_weekday_mismatch(rewritten, candidate, now))
                value["read_as"] = rewritten[candidate["start"]:candidate["end"]]
                entities.append(self._to_entity(text, start, end, value))
            except ValueError:  # "hace 740000 días": year 0, no date anyone can book
                continue
        return entities

    @staticmethod
    def _longest_non_overlapping(candidates: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
        chosen: List[Dict[str, Any]] = []
        for candidate in sorted(candidates, key=lambda c: (c["start"] - c["end"], c["start"])):
            if all(candidate["end"] <= c["start"] or candidate["start"] >= c["end"] for c in chosen):
                chosen.append(candidate)
        return sorted(chosen, key=lambda c: c["start"])

    def _fix_weekday_mismatch(
        self, text: str, candidate: Dict[str, Any], now: datetime
    ) -> Dict[str, Any]:
        value = dict(candidate["value"])
        body = text[candidate["start"] : candidate["end"]]
        if not WEEKDAY_WITH_DAY.search(body):
            return value
        without_weekday = WEEKDAY_WORDS.sub("", body).strip()
        reparsed = [c for c in self._raw_parse(without_weekday, now) if c.get("dim") == "time"]
        if not reparsed:
            return value
        best = self._longest_non_overlapping(reparsed)[0]
        if best["value"].get("value") and best["value"]["value"][:10] != str(
            value.get("value", ""))[:10]:
            fixed = dict(best["value"])
            fixed["weekday_mismatch"] = True
            # the other reading: the coming day with the weekday they wrote
            weekday = WEEKDAY_WORDS.search(body).group(1)
            fixed["weekday_alternative"] = next_weekday(
                now.date(), weekday_index(weekday)).isoformat()
            return fixed
        return value

    @staticmethod
    def _to_entity(text: str, start: int, end: int, value: Dict[str, Any]) -> Entity:
        additional_info = dict(value)
        additional_info["meridiem_ambiguous"] = _meridiem_ambiguous(value)
        if value.get("type") == "interval":
            rasa_value: Any = {
                "from": (value.get("from") or {}).get("value"),
                "to": (value.get("to") or {}).get("value"),
            }
        else:
            rasa_value = value.get("value")
        return {
            "entity": "time",
            "start": start,
            "end": end,
            "text": text[start:end],
            "value": rasa_value,
            "confidence": 1.0,
            "additional_info": additional_info,
        }
