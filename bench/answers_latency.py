"""What a business question costs through the real stack (issue 14), by the path it takes:

  - deterministic: an ask_* intent answered from business.yml ("cuanto cuesta la limpieza")
  - faq:           a frequent question of business.yml, found by action_handle_fallback
  - llm:           a question nothing else answers, sent to a local fake OpenAI-compatible
                   server that answers at once (tests/fakes/openai_server.py), so the
                   difference to "faq" is our own cost of the model path (client, HTTP,
                   guardrails, message log), not a real model's thinking time.

Starts Rasa + the action server with the shipped business.yml, SQLite, the local Redis,
and LLM_BASE_URL pointing at the fake. Each turn from a new sender. Prints p50/p95.

    .venv/bin/python bench/answers_latency.py [--turns 40]
"""
from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e import servers  # noqa: E402  (the harness the end-to-end tests use)
from tests.fakes.openai_server import FakeOpenAi  # noqa: E402

REDIS_DB = 12
QUESTIONS = {
    "deterministic": "cuanto cuesta la limpieza?",
    "faq": "facturan?",
    "llm": "el doctor habla ingles?",
}


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def ask(base: str, text: str) -> float:
    begin = time.perf_counter()
    response = requests.post(f"{base}/webhooks/rest/webhook", timeout=120,
                             json={"sender": f"bench-{uuid.uuid4().hex[:12]}", "message": text})
    response.raise_for_status()
    assert response.json(), f"no answer to {text!r}"
    return (time.perf_counter() - begin) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=40, help="timed turns per path")
    args = parser.parse_args()
    llm = FakeOpenAi(default="Sí, la doctora atiende en inglés.")
    with tempfile.TemporaryDirectory() as folder:
        logs = Path(folder)
        action_port, rasa_port = servers.free_port(), servers.free_port()
        env = servers.base_env(
            BUSINESS_FILE=str(ROOT / "business.yml"),
            DATABASE_URL=f"sqlite:///{logs / 'bench.db'}",
            REDIS_HOST="127.0.0.1", REDIS_PORT="6379", REDIS_DB=str(REDIS_DB),
            REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
            LLM_BASE_URL=llm.url, LLM_API_KEY="sk-bench", LLM_MODEL="fake-model",
            LLM_DAILY_CAP="100000", LLM_DAILY_CAP_PER_PHONE="1000",
        )
        token = secrets.token_hex(8)
        actions = servers.action_server(action_port, env, logs / "actions.log").start()
        rasa = servers.rasa_server(rasa_port, ROOT / "models" / "citas.tar.gz", token, env,
                                   logs / "rasa.log").start()
        base = f"http://127.0.0.1:{rasa_port}"
        try:
            for text in QUESTIONS.values():  # warm-up: first imports, first connections
                ask(base, text)
            times: Dict[str, List[float]] = {path: [] for path in QUESTIONS}
            for _ in range(args.turns):  # interleaved, so a slow moment hits every path
                for path, text in QUESTIONS.items():
                    times[path].append(ask(base, text))
            calls = len(llm.chat_requests())
        finally:
            rasa.stop()
            actions.stop()
            llm.stop()
    print(f"{args.turns} turns per path, each from a new sender; {calls} model calls")
    print("| path | p50 | p95 |\n|---|---|---|")
    for path, values in times.items():
        print(f"| {path} | {statistics.median(values):.0f} ms | {percentile(values, 0.95):.0f} ms |")
    added = statistics.median(times["llm"]) - statistics.median(times["faq"])
    print(f"LLM path added p50 (llm - faq): {added:.0f} ms")


if __name__ == "__main__":
    main()
