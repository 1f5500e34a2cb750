"""What the optional LLM path adds to a turn, apart from the model's own thinking time.

Times LlmAnswers.answer against the local fake OpenAI-compatible server answering at
once (tests/fakes/openai_server.py: 0 ms model time), so the figure is our overhead:
guardrails, caps counted in the message log, two log rows, and one HTTP round trip
through the official openai client. Compared with the refusal path (booking words: the
guardrail answers, no call, nothing logged). Runs with the in-memory message log and
with the SQL one on a temporary SQLite file; prints the first (cold) call apart: it
imports openai and builds the client.

    .venv/bin/python bench/llm_latency.py [--calls 200]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appointments.adapters.llm import OpenAiCompatibleModel, read_prompt  # noqa: E402
from appointments.adapters.sql.database import create_database_engine, create_schema  # noqa: E402
from appointments.adapters.sql.message_log import SqlMessageLog  # noqa: E402
from appointments.domain.ports import MessageLog  # noqa: E402
from appointments.services.llm_answers import ANSWERED, BOOKING_WORDS, LlmAnswers  # noqa: E402
from tests.fakes.openai_server import FakeOpenAi  # noqa: E402
from tests.fakes.ports import InMemoryMessageLog  # noqa: E402
from tests.unit.test_llm_answers import example_profile  # noqa: E402  (business.yml)

QUESTION = "¿Tienen estacionamiento cerca?"
BOOKING = "quiero agendar una limpieza"
UNLIMITED = 10 ** 9


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def timed(call: Callable[[int], str], count: int, expected: str) -> List[float]:
    times = []
    for number in range(count):
        started = time.perf_counter()
        reason = call(number)
        times.append((time.perf_counter() - started) * 1000)
        if reason != expected:
            raise SystemExit(f"call {number}: {reason}, expected {expected}")
    return times


def row(label: str, times: List[float]) -> str:
    return (f"| {label} | {statistics.median(times):.2f} ms | {percentile(times, 0.95):.2f} ms "
            f"| {max(times):.2f} ms |")


def run(label: str, log: MessageLog, server: FakeOpenAi, calls: int) -> List[str]:
    model = OpenAiCompatibleModel(server.url, "sk-bench", "fake-model", 8)
    answers = LlmAnswers(model, log, example_profile(), read_prompt(), UNLIMITED, UNLIMITED)
    started = time.perf_counter()
    first = answers.answer("whatsapp:+5215500000000", QUESTION).reason
    cold = (time.perf_counter() - started) * 1000
    assert first == ANSWERED, first
    asked = timed(lambda n: answers.answer(f"whatsapp:+52155{n % 50:08d}", QUESTION).reason,
                  calls, ANSWERED)
    refused = timed(lambda n: answers.answer(f"whatsapp:+52155{n % 50:08d}", BOOKING).reason,
                    calls, BOOKING_WORDS)
    added = statistics.median(asked) - statistics.median(refused)
    return [row(f"{label}: model called (fake, 0 ms)", asked),
            row(f"{label}: refused (booking words, no call)", refused),
            f"| {label}: added p50 | {added:.2f} ms | | |",
            f"| {label}: first call (new client; the first run imports openai) "
            f"| {cold:.0f} ms | | |"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    lines = ["| path | p50 | p95 | max |", "|---|---|---|---|"]
    with FakeOpenAi(default="Sí: hay estacionamiento público en Orizaba 95, a 20 m.") as server:
        lines += run("in-memory log", InMemoryMessageLog(), server, args.calls)
        with tempfile.TemporaryDirectory() as folder:
            engine = create_database_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
            create_schema(engine)
            try:
                lines += run("SQLite log", SqlMessageLog(engine), server, args.calls)
            finally:
                engine.dispose()
        requests = len(server.chat_requests())
    print(f"{args.calls} timed calls per path, {requests} requests to the fake server")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
