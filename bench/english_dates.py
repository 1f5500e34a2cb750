"""English dates and times as the channel reads them (issue 16): the `time` marks of the
held-out English set (tests/nlu/test_nlu_en.yml) against what Duckling finds with the
conversation's language passed ("en", as the channels pass it in the message metadata),
and with none (Spanish, as `rasa test nlu` reads them: it passes no metadata). Exact
spans. Prints numbers; not a test. Needs no model.

    .venv/bin/python bench/english_dates.py
"""
from __future__ import annotations

import re
import sys
from datetime import datetime
from pathlib import Path
from typing import List, Optional, Set, Tuple
from zoneinfo import ZoneInfo

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appointments.rasa.nlu.duckling_parser import SpanishTimeParser  # noqa: E402

MARK = re.compile(r"\[([^\]]+)\]\((\w+)\)")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("America/Mexico_City"))


def examples(path: Path) -> List[Tuple[str, Set[Tuple[int, int]]]]:
    out = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        for line in (block.get("examples") or "").splitlines():
            line = line.strip()[2:] if line.strip().startswith("- ") else ""
            if not line:
                continue
            text, spans, position = "", set(), 0
            for match in MARK.finditer(line):
                text += line[position:match.start()]
                if match.group(2) == "time":
                    spans.add((len(text), len(text) + len(match.group(1))))
                text += match.group(1)
                position = match.end()
            out.append((text + line[position:], spans))
    return out


def score(parser: SpanishTimeParser, data, language: Optional[str]) -> str:
    found = expected = hits = 0
    for text, spans in data:
        got = {(e["start"], e["end"]) for e in parser.parse(text, NOW, language)}
        found, expected, hits = found + len(got), expected + len(spans), hits + len(got & spans)
    precision = hits / found if found else 0.0
    recall = hits / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f"precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}  (n={expected})"


def main() -> None:
    parser = SpanishTimeParser("America/Mexico_City")
    english = examples(ROOT / "tests" / "nlu" / "test_nlu_en.yml")
    spanish = examples(ROOT / "tests" / "nlu" / "test_nlu.yml")
    print(f"English held-out, read as English (the channel)   {score(parser, english, 'en')}")
    print(f"English held-out, read as Spanish (no metadata)   {score(parser, english, None)}")
    print(f"Spanish held-out, read as Spanish                 {score(parser, spanish, None)}")


if __name__ == "__main__":
    main()
