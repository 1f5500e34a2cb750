"""Load on the REST channel of a real stack (Rasa server + action server + Redis + SQLite).

Prints: model load time, RSS of each server, sequential latency p50/p95 and throughput
with concurrent senders. Loopback only, bounded: MESSAGES messages in all.

    .venv/bin/python bench/rest_load.py [--messages 300] [--senders 8]
"""
from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e import servers  # noqa: E402  (the same harness the end-to-end tests use)

REDIS_URL = "redis://127.0.0.1:6379/13"
TURNS = ["hola", "quiero una cita", "mañana a las 10", "no", "mis citas", "menú"]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--senders", type=int, default=8)
    args = parser.parse_args()
    model = ROOT / "models" / "citas.tar.gz"
    if not model.exists():
        sys.exit("no model: run `make train` first")
    logs = Path(tempfile.mkdtemp(prefix="bench-"))
    redis.Redis.from_url(REDIS_URL).flushdb()  # same senders every run: start from empty trackers
    action_port, rasa_port = servers.free_port(), servers.free_port()
    env = servers.base_env(
        DATABASE_URL=f"sqlite:///{logs / 'bench.db'}",
        REDIS_HOST="127.0.0.1", REDIS_PORT="6379", REDIS_DB="13",
        REDIS_URL=REDIS_URL,
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
    )
    actions = servers.action_server(action_port, env, logs / "actions.log").start()
    started = time.monotonic()
    rasa = servers.rasa_server(rasa_port, model, secrets.token_hex(8), env, logs / "rasa.log")
    rasa.start()
    load_seconds = time.monotonic() - started
    url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"

    def send(sender: str, text: str) -> float:
        begin = time.perf_counter()
        response = requests.post(url, json={"sender": sender, "message": text}, timeout=60)
        response.raise_for_status()
        return time.perf_counter() - begin

    try:
        for text in TURNS:  # warm-up
            send("warmup", text)
        sequential = [send("seq", TURNS[i % len(TURNS)]) for i in range(args.messages // 3)]
        begin = time.perf_counter()
        with ThreadPoolExecutor(args.senders) as pool:
            jobs = [
                pool.submit(send, f"user-{i % args.senders}", TURNS[(i // args.senders) % len(TURNS)])
                for i in range(args.messages)
            ]
            concurrent = [job.result() for job in jobs]
        elapsed = time.perf_counter() - begin
        rss = {"rasa": rasa.rss_mib(), "actions": actions.rss_mib()}
    finally:
        rasa.stop()
        actions.stop()

    print(f"model load + server start   {load_seconds:6.1f} s")
    print(f"RSS rasa server + Duckling  {rss['rasa']:6.0f} MiB")
    print(f"RSS action server           {rss['actions']:6.0f} MiB")
    print(f"sequential p50 / p95        {statistics.median(sequential) * 1000:6.0f} / "
          f"{percentile(sequential, 0.95) * 1000:.0f} ms  ({len(sequential)} msgs)")
    print(f"{args.senders} senders p50 / p95        {statistics.median(concurrent) * 1000:6.0f} / "
          f"{percentile(concurrent, 0.95) * 1000:.0f} ms")
    print(f"{args.senders} senders throughput       {len(concurrent) / elapsed:6.1f} msg/s "
          f"({len(concurrent)} msgs)")


if __name__ == "__main__":
    main()
