"""Spanish or English on short WhatsApp-style messages (issue 16): the detector
(appointments/adapters/language_detector.py) and the conversation policy
(appointments/interpret/language.py). Prints numbers; not a test. Needs no model.

    .venv/bin/python bench/language_detection.py

Spanish: every example of tests/nlu/test_nlu.yml (held-out NLU set, entity marks removed).
English: ENGLISH below, written for this bench (typos, abbreviations, short replies).
"Flips" counts the messages that would switch a conversation away from its language.
"""
from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List

import psutil
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appointments.adapters.language_detector import LanguageDetector  # noqa: E402
from appointments.interpret.language import (  # noqa: E402
    ENGLISH as EN, MIN_CONFIDENCE, MIN_WORDS, SPANISH as ES, keep_language, real_words)

ENGLISH = [
    "hi", "hello", "hey there", "ok", "yes", "no", "thanks", "thx!", "ty", "yep",
    "hi i need an appointment", "can i book an appointment for tomorrow?",
    "hello I need an appointment tomorrow at 10", "do u have anything on friday",
    "whats available next week", "any slots on monday morning?", "tmrw at 5?",
    "i want to cancel my appointment", "cancel my appointment", "pls cancel it",
    "can i reschedule to thursday", "i need to move my appt", "what time do you open",
    "what r ur hours", "are you open on sundays?", "how much is a haircut",
    "how much does it cost", "where are you located", "do you take credit cards",
    "can i pay cash", "i'd like to book a cleaning", "is 3pm ok?", "3pm works",
    "that works for me", "sounds good", "perfect thank you so much", "see you then",
    "bye", "good morning", "good afternoon!", "gm", "i'm running late sorry",
    "im gonna be 10 min late", "can i talk to a person", "talk to a human pls",
    "i want to speak with someone", "agent", "my code is K7P-3QX",
    "what appointments do i have", "show my appointments", "do i have anything booked",
    "when is my appt", "confirm", "yes confirm", "confirmed thx", "no thats all",
    "nope nothing else", "wait what", "sorry i meant wednesday", "actually make it 4",
    "the second one", "first one pls", "option 2", "can u do earlier?",
    "anything later in the day?", "is there parking", "do you do walk ins",
    "i need a dentist appointment asap", "my tooth hurts can i come today",
    "book me in for a massage on the 15th", "15/12 at 11am", "next tuesday 9am",
    "whats the earliest u have", "stop", "unsubscribe", "help",
    "what services do you offer", "how long does it take", "can my kid come too",
    "i missed my appointment can i rebook", "pls call me", "ok cool see ya",
    "lol ok", "great!", "not sure yet, let me check", "i'll get back to you",
    "cant make it tomorrow", "something came up, need to cancel",
    "hey is this the clinic?", "who is this", "wrong number sorry",
]


def spanish_examples() -> List[str]:
    data = yaml.safe_load((ROOT / "tests" / "nlu" / "test_nlu.yml").read_text(encoding="utf-8"))
    texts = []
    for block in data.get("nlu", []):
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                texts.append(re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}",
                                    lambda m: m.group(1) or m.group(2) or "", line[2:]))
    return texts


def mb(value: float) -> str:
    return f"{value / 1e6:.1f} MB"


def main() -> None:
    process = psutil.Process()
    detector = LanguageDetector()
    before = process.memory_info().rss
    begin = time.perf_counter()
    detector.detect("hola, quiero una cita")  # first call: imports lingua, loads models
    load = time.perf_counter() - begin
    after = process.memory_info().rss
    print(f"first call (import + models): {load * 1000:.0f} ms; "
          f"RSS before {mb(before)}, after {mb(after)} (+{mb(after - before)})")

    corpora: Dict[str, List[str]] = {ES: spanish_examples(), EN: ENGLISH}
    latencies: List[float] = []
    for language, texts in corpora.items():
        other = EN if language == ES else ES
        right = undecided = flips = back = 0
        flipped: List[str] = []
        closest = 0.0  # the surest wrong answer on a message long enough to count
        for text in texts:
            start = time.perf_counter()
            detection = detector.detect(text)
            latencies.append(time.perf_counter() - start)
            right += detection.language == language
            if detection.language == other and len(real_words(text)) >= MIN_WORDS:
                closest = max(closest, detection.confidence)
            undecided += detection.language is None
            if keep_language(language, text, detection) != language:
                flips += 1
                flipped.append(text)
            back += keep_language(other, text, detection) == language
        n = len(texts)
        print(f"{language}: {n} messages; detector right {right} ({right / n:.1%}), "
              f"no answer {undecided}, wrong {n - right - undecided}; policy flips a "
              f"{language} conversation to {other}: {flips}; switches a {other} "
              f"conversation to {language}: {back} ({back / n:.1%})")
        print(f"    surest wrong detection on a message of {MIN_WORDS}+ words: {closest:.3f} "
              f"(the policy needs {MIN_CONFIDENCE})")
        for text in flipped:
            print(f"    flipped: {text!r}")
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    print(f"detect latency over {len(ordered)} calls: p50 {statistics.median(ordered) * 1e6:.0f} us, "
          f"p95 {p95 * 1e6:.0f} us, max {ordered[-1] * 1e6:.0f} us")
    long_text = "necesito una cita para mañana " * 2000
    start = time.perf_counter()
    detector.detect(long_text)
    print(f"a {len(long_text):,}-character message: {(time.perf_counter() - start) * 1e6:.0f} us "
          f"(reads the first 400)")
    print(f"RSS at the end: {mb(process.memory_info().rss)}")


if __name__ == "__main__":
    main()
