"""Scripted conversations: load them from YAML, play them against a running stack, and
judge each one by the user's goal.

A conversation passes (task success) when every turn's checks hold and the user's
booked appointments at the end are exactly the ones its `final` names. It is *perfect*
when it also never took a detour: no "no te entendí" / "I didn't get that", no "no parece
válido" / "doesn't look right", no menu shown because the bot got lost. See
tests/conversations/README.md for the format.
"""
from __future__ import annotations

import re
import statistics
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import yaml

HERE = Path(__file__).resolve().parent
# What a user must never read: an unformatted value or a template left unfilled.
NEVER = (re.compile(r"\bnone\b"), re.compile(r"[{}]"), re.compile(r"\bnull\b"))
# Replies that mean the bot lost the thread (normalized text, see `normalize`), in
# Spanish and in English (the `language: en` variations of domain.yml).
DETOURS = (
    "no te entendi", "no entendi la", "no te puedo ayudar", "no parece valido",
    "volvamos al inicio", "no te estoy entendiendo",
    "i didn't get", "i can't help with that", "doesn't look right", "let's start over",
    "not understanding you",
)
CLASSES = {
    "dates": "weekday + bare time, day parts, relative days, typos, past, mismatch",
    "pick_appointment": "choosing which appointment to cancel or change",
    "digressions": "greetings, hmm, questions, corrections and leaving inside a flow",
    "numbers": "bare numbers: list position vs hour",
    "wording": "requests outside the expected wording, slang, follow-ups after a booking",
    "handoff": "asking for a person is never a dead end",
    "lists": "day and time lists that read well, taken slots",
    "business": "questions about the business answered from business.yml, alone or inside a flow",
    "english": "the conversation in English, and short replies that never switch the language",
}


def normalize(text: str) -> str:
    """Lower case, no accents, one space: checks ignore how a text is accented."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.split())


@dataclass
class Turn:
    user: str
    expect: List[str] = field(default_factory=list)  # every one must appear
    expect_any: List[str] = field(default_factory=list)  # at least one must appear
    reject: List[str] = field(default_factory=list)  # none may appear
    silent: bool = False  # no reply is expected (e.g. while waiting for an agent)


@dataclass
class Given:
    who: str  # "me" or "other"
    at: datetime  # naive, business local time
    code: Optional[str] = None


@dataclass
class Conversation:
    id: str
    goal: str
    classes: List[str]
    turns: List[Turn]
    final: List[Dict[str, Any]]  # [{"at": naive datetime, "code": optional}]
    given: List[Given] = field(default_factory=list)
    source: str = ""


@dataclass
class Result:
    conversation: Conversation
    failures: List[str]
    transcript: List[str]
    detoured: bool
    latencies: List[float]

    @property
    def success(self) -> bool:
        return not self.failures

    @property
    def perfect(self) -> bool:
        return self.success and not self.detoured


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _strings(value: Any) -> List[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def selected(names: Optional[str]) -> Optional[List[Path]]:
    """The files a comma-separated list of names picks ("english.yml,heldout_a"), or None
    (every file) when it is empty; an unknown name is an error, not an empty run."""
    picked = [n.strip() for n in (names or "").split(",") if n.strip()]
    paths = [HERE / (n if n.endswith(".yml") else f"{n}.yml") for n in picked]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise ValueError(f"no conversation file {missing} in {HERE}")
    return paths or None


def load(paths: Optional[Sequence[Path]] = None) -> List[Conversation]:
    conversations: List[Conversation] = []
    seen = set()
    for path in paths or sorted(HERE.glob("*.yml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            if raw["id"] in seen:
                raise ValueError(f"{path.name}: duplicate conversation id {raw['id']}")
            seen.add(raw["id"])
            unknown = set(raw.get("classes") or []) - set(CLASSES)
            if unknown:
                raise ValueError(f"{raw['id']}: unknown classes {sorted(unknown)}")
            if "final" not in raw:
                raise ValueError(f"{raw['id']}: every conversation states its `final`")
            turns = []
            for t in raw["turns"]:
                turns.append(Turn(
                    user=str(t["user"]), expect=_strings(t.get("expect")),
                    expect_any=_strings(t.get("expect_any")),
                    reject=_strings(t.get("reject")), silent=bool(t.get("silent")),
                ))
            final = []
            for item in raw.get("final") or []:
                item = item if isinstance(item, dict) else {"at": item}
                final.append({"at": _moment(item["at"]), "code": item.get("code")})
            given = [
                Given(g.get("who", "me"), _moment(g["at"]), g.get("code"))
                for g in raw.get("given") or []
            ]
            conversations.append(Conversation(
                id=raw["id"], goal=raw["goal"], classes=list(raw.get("classes") or []),
                turns=turns, final=final, given=given, source=path.name,
            ))
    return conversations


class Backend:
    """What a run needs from the stack: say a message, seed and read appointments."""

    def __init__(
        self,
        say: Callable[[str, str], List[str]],
        reset: Callable[[], None],
        seed: Callable[[str, datetime, Optional[str]], str],
        booked: Callable[[str], List[Any]],
    ) -> None:
        self.say, self.reset, self.seed, self.booked = say, reset, seed, booked


def _check_turn(turn: Turn, replies: List[str]) -> List[str]:
    text = normalize("\n".join(replies))
    problems = []
    if not replies and not turn.silent:
        problems.append("no reply at all")
    if replies and turn.silent:
        problems.append("expected silence")
    for pattern in NEVER:
        if pattern.search(text):
            problems.append(f"shows {pattern.pattern!r}")
    for wanted in turn.expect:
        if normalize(wanted) not in text:
            problems.append(f"missing {wanted!r}")
    if turn.expect_any and not any(normalize(w) in text for w in turn.expect_any):
        problems.append(f"none of {turn.expect_any!r}")
    for unwanted in turn.reject:
        if normalize(unwanted) in text:
            problems.append(f"shows {unwanted!r}")
    return problems


def play(conversation: Conversation, backend: Backend) -> Result:
    backend.reset()
    me = f"conv-{conversation.id}-{uuid.uuid4().hex[:8]}"
    codes = {}
    for given in conversation.given:
        phone = me if given.who == "me" else f"other-{uuid.uuid4().hex[:8]}"
        codes[given.at] = backend.seed(phone, given.at, given.code)
    failures, transcript, latencies, detoured = [], [], [], False
    for number, turn in enumerate(conversation.turns, start=1):
        started = time.perf_counter()
        try:
            replies = backend.say(me, turn.user)
        except Exception as error:  # a 500 or a timeout is a failed turn, not a crash
            replies = []
            failures.append(f"turn {number} {turn.user!r}: {error}")
        latencies.append(time.perf_counter() - started)
        transcript.append(f">>> {turn.user}")
        transcript += [f"  <<< {r}" for r in replies]
        if any(d in normalize(r) for r in replies for d in DETOURS):
            detoured = True
        for problem in _check_turn(turn, replies):
            failures.append(f"turn {number} {turn.user!r}: {problem}")
    booked = backend.booked(me)
    got = sorted((a.start.replace(tzinfo=None), a.code) for a in booked)
    want = sorted(f["at"] for f in conversation.final)
    if [at for at, _ in got] != want:
        failures.append(
            f"final appointments {[at.isoformat(' ', 'minutes') for at, _ in got]}"
            f" != {[at.isoformat(' ', 'minutes') for at in want]}"
        )
    for item in conversation.final:
        if item["code"] and (item["at"], item["code"]) not in got:
            failures.append(f"expected code {item['code']} at {item['at']}")
    return Result(conversation, failures, transcript, detoured, latencies)


def report(results: Sequence[Result]) -> str:
    total = len(results)
    ok = sum(r.success for r in results)
    perfect = sum(r.perfect for r in results)
    latencies = [t for r in results for t in r.latencies]
    lines = [
        f"Conversations: {total}  task success: {ok}/{total} = {ok / total:.1%}"
        f"  perfect: {perfect}/{total} = {perfect / total:.1%}",
        f"Turn latency (sequential): p50 {statistics.median(latencies) * 1000:.0f} ms"
        f"  p95 {sorted(latencies)[int(len(latencies) * 0.95) - 1] * 1000:.0f} ms"
        f"  over {len(latencies)} turns",
    ]
    for name in CLASSES:
        mine = [r for r in results if name in r.conversation.classes]
        if mine:
            good = sum(r.success for r in mine)
            lines.append(f"  {name:17s} {good}/{len(mine)}")
    for source in sorted({r.conversation.source for r in results}):
        mine = [r for r in results if r.conversation.source == source]
        lines.append(f"  {source:25s} {sum(r.success for r in mine)}/{len(mine)}")
    for result in results:
        if result.success:
            continue
        c = result.conversation
        lines.append(f"\nFAILED {c.id} ({c.source}): {c.goal}")
        lines += [f"  - {f}" for f in result.failures]
        lines += ["    " + line for line in result.transcript]
    return "\n".join(lines)
