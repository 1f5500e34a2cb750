"""Spanish dates and times through Duckling, in-process (pyduckling-native-phihos).

Pure Python (no rasa import) so it can be tested and benchmarked on its own; the Rasa
component in `duckling_extractor.py` is a thin wrapper around `SpanishTimeParser`.

What this adds on top of raw Duckling (see shared/reference/duckling-es.md):
- text is first rewritten the way Duckling reads it right (`interpret.date_text`: typos,
  numeric dates, "en 2 días", a weekday with a bare time...);
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
from typing import Any, Dict, List, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

from appointments.interpret.date_text import MONTHS, next_weekday, rewrite, weekday_index

ZONEINFO_DIR = "/usr/share/zoneinfo"

WEEKDAY_WORDS = re.compile(
    r"\b(lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo)\b\s*,?\s*",
    re.IGNORECASE,
)
# Duckling's time grammar combines every pair of neighbouring time words, so its work
# grows exponentially with repeated ones: "mañana " x 8 took 2 s, x 10 ran out of memory,
# "mañana a las 5 " x 6 took 146 s (fuzzing found it). Nobody writes a time word more
# than twice in a message, nor more than MAX_RUN of them in a row ("el próximo martes 2
# de diciembre de 2026 a las 5 de la tarde" has 7), so the rest are blanked before
# Duckling sees them.
TIME_WORD = re.compile(
    r"\b(?:lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo|hoy|ma[ñn]ana|pasado"
    r"|ayer|tarde|noche|mediod[ií]a|medianoche|madrugada|semana|mes|a[ñn]o|pr[oó]xim[oa]"
    r"|siguiente|" + "|".join(MONTHS) + r"|\d+(?::\d+)?)\b",
    re.IGNORECASE,
)
MAX_REPEATS = 2
MAX_RUN = 8
RUN_GAP = 12  # time words at most this many characters apart are one run
# a weekday directly followed by a day of the month: "viernes 12", "martes 2 de diciembre"
WEEKDAY_WITH_DAY = re.compile(
    r"\b(lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo)\s*,?\s*\d{1,2}\b",
    re.IGNORECASE,
)

Entity = Dict[str, Any]


def _blank_repeats(text: str) -> str:
    """Spaces over every time word seen MAX_REPEATS times already or beyond MAX_RUN in a
    row (offsets kept)."""
    seen: Dict[str, int] = {}
    out = list(text)
    run, last_end = 0, -RUN_GAP - 1
    for match in TIME_WORD.finditer(text):
        word = match.group(0).lower()
        seen[word] = seen.get(word, 0) + 1
        run = run + 1 if match.start() - last_end <= RUN_GAP else 1
        if seen[word] > MAX_REPEATS or run > MAX_RUN:
            out[match.start():match.end()] = " " * (match.end() - match.start())
        else:
            last_end = match.end()
    return "".join(out)


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
        self._loaded: Optional[Tuple[Any, Any, Any]] = None

    def _duckling(self) -> Tuple[Any, Any, Any]:
        with self._lock:
            if self._loaded is None:
                import duckling

                time_zones = duckling.load_time_zones(ZONEINFO_DIR)
                lang = duckling.parse_lang(self.locale_name.split("_")[0])
                locale = duckling.parse_locale(
                    self.locale_name, duckling.default_locale_lang(lang)
                )
                self._loaded = (time_zones, locale, duckling.parse_dimensions(["time"]))
            return self._loaded

    def _raw_parse(self, text: str, now: datetime) -> List[Dict[str, Any]]:
        import duckling

        time_zones, locale, dimensions = self._duckling()
        reference = duckling.parse_ref_time(time_zones, self.timezone, int(now.timestamp()))
        # Duckling takes a C string: a NUL made it panic, a lone surrogate cannot be
        # encoded. One character for one keeps every offset.
        safe = text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")
        return duckling.parse(
            _blank_repeats(safe), duckling.Context(reference, locale), dimensions, False
        )

    def parse(self, text: str, now: Optional[datetime] = None) -> List[Entity]:
        """Return Rasa-shaped `time` entities, like DucklingEntityExtractor's."""
        if not text or not text.strip():
            return []
        now = now.astimezone(self.tz) if now else datetime.now(self.tz)
        rewritten, index_map = rewrite(text, now.date())
        candidates = [c for c in self._raw_parse(rewritten, now) if c.get("dim") == "time"]
        entities = []
        for candidate in self._longest_non_overlapping(candidates):
            start, end = index_map[candidate["start"]], index_map[candidate["end"]]
            if not _on_word_boundaries(text, start, end):
                continue  # "7P" inside the code "K7P-3QX" is not 7 p.m.
            try:
                value = self._fix_weekday_mismatch(rewritten, candidate, now)
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
