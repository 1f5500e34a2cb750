"""Adversarial messages (tests/security/test_turn_budget.py's list) through the REST channel
of a real stack: seconds per turn, worst first. Prints numbers; not a test.

    .venv/bin/python bench/adversarial.py              # starts its own stack (launchers)
    .venv/bin/python bench/adversarial.py --url http://127.0.0.1:5005   # a running server
"""
from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e import servers  # noqa: E402
from tests.security.test_turn_budget import ADVERSARIAL  # noqa: E402


def measure(url: str, repeats: int) -> Dict[str, float]:
    endpoint = f"{url}/webhooks/rest/webhook"
    sender = f"bench-{uuid.uuid4().hex[:8]}"
    requests.post(endpoint, json={"sender": sender, "message": "hola"}, timeout=600)  # warm-up
    worst: Dict[str, float] = {}
    for name, text in ADVERSARIAL.items():
        for _ in range(repeats):
            begin = time.perf_counter()
            requests.post(endpoint, json={"sender": sender, "message": text}, timeout=600)
            worst[name] = max(worst.get(name, 0.0), time.perf_counter() - begin)
    return worst


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="a running Rasa server; default: start one")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    started = []
    url = args.url
    if not url:
        logs = Path(tempfile.mkdtemp(prefix="bench-adversarial-"))
        action_port, rasa_port = servers.free_port(), servers.free_port()
        env = servers.base_env(
            DATABASE_URL=f"sqlite:///{logs / 'bench.db'}", REDIS_URL="redis://127.0.0.1:6379/13",
            REDIS_HOST="127.0.0.1", REDIS_PORT="6379", REDIS_DB="13",
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
        )
        started.append(servers.action_server(action_port, env, logs / "actions.log").start())
        started.append(servers.rasa_server(rasa_port, ROOT / "models" / "citas.tar.gz",
                                           secrets.token_urlsafe(24), env,
                                           logs / "rasa.log").start())
        url = f"http://127.0.0.1:{rasa_port}"
    try:
        worst = measure(url, args.repeats)
    finally:
        for server in reversed(started):
            server.stop()
    print("| message | characters | worst of %d turns |" % args.repeats)
    print("|---|---|---|")
    for name in sorted(worst, key=worst.get, reverse=True):
        print(f"| {name} | {len(ADVERSARIAL[name])} | {worst[name]:.2f} s |")


if __name__ == "__main__":
    main()
