"""Does a turn cost more when the person has a long history? (issue 13)

Starts the real stack (Rasa server + action server + Redis + SQLite), then times the same
6-turn round (greet, book, date + time, "no", list, menu) for:
  - fresh conversations (a new sender per round), and
  - one sender with PRIOR turns of history before the timed rounds.
The history is built from real turns: one round is played for real, its events are read
back through Rasa's HTTP API and appended again (in chunks, with fresh timestamps) until
the conversation holds PRIOR user turns; appending goes through the tracker store like any
turn does. Prints per-turn p50/p95 for both and their ratio, and the size of what Redis
holds for the long conversation.

    .venv/bin/python bench/long_history.py [--prior 1000] [--rounds 8] [--store rasa]
"""
from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e import servers  # noqa: E402  (the same harness the end-to-end tests use)

REDIS_DB = 13
TURNS = ["hola", "quiero una cita", "mañana a las 10", "no", "mis citas", "menú"]
CHUNK = 300  # events per append (Rasa's request body limit is 1 MB)


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def rasa_store_endpoints(logs: Path) -> str:
    """endpoints.yml with Rasa's own Redis tracker store (the code before issue 13)."""
    text = (ROOT / "endpoints.yml").read_text(encoding="utf-8")
    text = text.replace("type: appointments.rasa.stores.BoundedRedisTrackerStore", "type: redis", 1)
    path = logs / "endpoints-rasa-store.yml"
    path.write_text(text, encoding="utf-8")
    return str(path)


class Stack:
    def __init__(self, logs: Path, endpoints: str = "endpoints.yml") -> None:
        self.token = secrets.token_hex(8)
        action_port, rasa_port = servers.free_port(), servers.free_port()
        env = servers.base_env(
            DATABASE_URL=f"sqlite:///{logs / 'bench.db'}",
            REDIS_HOST="127.0.0.1", REDIS_PORT="6379", REDIS_DB=str(REDIS_DB),
            REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
        )
        self.actions = servers.action_server(action_port, env, logs / "actions.log")
        self.rasa = servers.rasa_server(
            rasa_port, ROOT / "models" / "citas.tar.gz", self.token, env, logs / "rasa.log",
            endpoints=endpoints)
        self.base = f"http://127.0.0.1:{rasa_port}"

    def start(self) -> "Stack":
        self.actions.start()
        self.rasa.start()
        return self

    def stop(self) -> None:
        self.rasa.stop()
        self.actions.stop()

    def send(self, sender: str, text: str) -> float:
        begin = time.perf_counter()
        response = requests.post(f"{self.base}/webhooks/rest/webhook",
                                 json={"sender": sender, "message": text}, timeout=120)
        response.raise_for_status()
        return time.perf_counter() - begin

    def events(self, sender: str) -> List[Dict[str, Any]]:
        response = requests.get(f"{self.base}/conversations/{sender}/tracker",
                                params={"include_events": "ALL"},
                                headers=servers.api_headers(self.token), timeout=120)
        response.raise_for_status()
        return response.json()["events"]

    def append(self, sender: str, events: List[Dict[str, Any]]) -> None:
        response = requests.post(f"{self.base}/conversations/{sender}/tracker/events",
                                 json=events, headers=servers.api_headers(self.token),
                                 timeout=120)
        response.raise_for_status()


def build_history(stack: Stack, sender: str, prior: int) -> None:
    """PRIOR user turns for SENDER: one real round, then its events appended again."""
    for text in TURNS:
        stack.send(sender, text)
    events = stack.events(sender)
    start = next(i for i, e in enumerate(events) if e["event"] == "session_started")
    round_events = [e for e in events[start + 1:] if e["event"] != "session_started"]
    # Begin each copy right after the session start's action_listen.
    while round_events and round_events[0].get("event") != "user":
        round_events.pop(0)
    round_events.insert(0, {"event": "action", "name": "action_listen"})
    users = sum(1 for e in round_events if e["event"] == "user")
    batch: List[Dict[str, Any]] = []
    done = users
    while done < prior:
        now = time.time()
        for offset, event in enumerate(round_events):
            batch.append({**event, "timestamp": now + offset * 1e-4})
        done += users
        if len(batch) >= CHUNK or done >= prior:
            stack.append(sender, batch)
            batch = []


def timed_rounds(stack: Stack, senders: List[str]) -> List[float]:
    times = []
    for sender in senders:
        times.extend(stack.send(sender, text) for text in TURNS)
    return times


def stored_bytes(sender: str) -> int:
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    return sum(client.memory_usage(key) or 0 for key in client.scan_iter(f"*{sender}*"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prior", type=int, default=1000, help="user turns of history")
    parser.add_argument("--rounds", type=int, default=8, help="timed 6-turn rounds each")
    parser.add_argument("--store", choices=["ours", "rasa"], default="ours",
                        help="rasa: Rasa's own Redis tracker store, for the 'before' figure")
    args = parser.parse_args()
    if not (ROOT / "models" / "citas.tar.gz").exists():
        sys.exit("no model: run `make train` first")
    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    logs = Path(tempfile.mkdtemp(prefix="bench-history-"))
    endpoints = rasa_store_endpoints(logs) if args.store == "rasa" else "endpoints.yml"
    stack = Stack(logs, endpoints).start()
    try:
        timed_rounds(stack, ["warmup-a", "warmup-b"])
        begin = time.perf_counter()
        build_history(stack, "regular", args.prior)
        built = time.perf_counter() - begin
        fresh = timed_rounds(stack, [f"fresh-{i}" for i in range(args.rounds)])
        long = timed_rounds(stack, ["regular"] * args.rounds)
        held = len(stack.events("regular"))
        size = stored_bytes("regular")
        rss = stack.rasa.rss_mib()
    finally:
        stack.stop()
    p50_fresh, p50_long = statistics.median(fresh), statistics.median(long)
    print(f"tracker store: {args.store}; history built: {args.prior} user turns in {built:.1f} s")
    print(f"fresh conversation     p50 / p95  {p50_fresh * 1000:6.0f} / "
          f"{percentile(fresh, 0.95) * 1000:.0f} ms  ({len(fresh)} turns)")
    print(f"after {args.prior} turns       p50 / p95  {p50_long * 1000:6.0f} / "
          f"{percentile(long, 0.95) * 1000:.0f} ms  ({len(long)} turns)")
    print(f"ratio p50 long / fresh           {p50_long / p50_fresh:6.2f}x  (target <= 1.3x)")
    print(f"events Rasa returns for it       {held}")
    print(f"Redis bytes for that sender      {size}")
    print(f"RSS rasa server + Duckling       {rss:6.0f} MiB")


if __name__ == "__main__":
    main()
