"""How the assistant scales on this machine: one Rasa worker, two Sanic workers, and two
replicas behind a balancer; our WhatsApp channel against Rasa's REST channel and Rasa's
built-in TwilioInput (signature off, replies to the local fake Twilio) on one server.

Load (bounded, loopback only): S senders, each sending K messages one after the other,
the next as soon as the bot's reply arrived (a busy line of people who read fast).
Latency is end to end: from posting the message to the first reply at the fake Twilio
(REST: the HTTP answer, which carries the replies). Also: start-to-ready time (model
load) and RSS of every process.

    .venv/bin/python bench/scale.py [--senders 16] [--messages 8] [--setups single,workers,replicas]
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
from typing import Callable, Dict, List

import redis
import requests
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e import servers  # noqa: E402
from tests.fakes.twilio_api import FakeTwilio  # noqa: E402

PUBLIC_URL, AUTH_TOKEN = "https://bench.example.com", "bench-token"
REDIS_URL = "redis://127.0.0.1:6379/13"
TURNS = ["hola", "mis citas", "menú", "quiero una cita", "no"]
CREDENTIALS = """rest:
appointments.launch.channels.WhatsAppInput:
bench.builtin_twilio.FakeBackedTwilioInput:
  account_sid: ACbench
  auth_token: {token}
  twilio_number: "whatsapp:+14155238886"
"""


def pct(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


class Bench:
    def __init__(self, senders: int, messages: int) -> None:
        self.senders, self.messages = senders, messages
        self.logs = Path(tempfile.mkdtemp(prefix="bench-scale-"))
        (self.logs / "credentials.yml").write_text(CREDENTIALS.format(token=AUTH_TOKEN))
        self.twilio = FakeTwilio()
        self.validator = RequestValidator(AUTH_TOKEN)
        self.rows: List[str] = []
        self.token = secrets.token_hex(8)
        self.acks: List[float] = []  # how long Twilio waited for its HTTP answer

    def env(self, action_url: str, **extra: str) -> Dict[str, str]:
        return servers.base_env(
            DATABASE_URL=f"sqlite:///{self.logs / 'bench.db'}", REDIS_URL=REDIS_URL,
            REDIS_HOST="127.0.0.1", REDIS_PORT="6379", REDIS_DB="13",
            ACTION_ENDPOINT_URL=action_url, TWILIO_ACCOUNT_SID="ACbench",
            TWILIO_AUTH_TOKEN=AUTH_TOKEN, TWILIO_PHONE_NUMBER="whatsapp:+14155238886",
            TWILIO_API_BASE_URL=self.twilio.url, PUBLIC_URL=PUBLIC_URL,
            WHATSAPP_RATE_LIMIT="0", **extra,
        )

    def rasa(self, name: str, action_url: str, **extra: str) -> servers.Server:
        port = servers.free_port()
        server = servers.rasa_server(port, ROOT / "models" / "citas.tar.gz", self.token,
                                     self.env(action_url, **extra), self.logs / f"{name}.log")
        server.args[server.args.index("credentials.yml")] = str(self.logs / "credentials.yml")
        begin = time.perf_counter()
        server.start(timeout=300)
        self.rows.append(f"| start to ready: {name} | {time.perf_counter() - begin:.1f} s |")
        server.base = f"http://127.0.0.1:{port}"
        return server

    # --- one message, three ways ------------------------------------------------------

    def whatsapp(self, base: str) -> Callable[[str, str], float]:
        def send(phone: str, text: str) -> float:
            before = len(self.twilio.to(phone))
            params = {"From": phone, "Body": text, "MessageSid": f"SM{secrets.token_hex(16)}"}
            signature = self.validator.compute_signature(PUBLIC_URL + "/whatsapp-reply", params)
            begin = time.perf_counter()
            requests.post(base + "/whatsapp-reply", data=params, timeout=30,
                          headers={"X-Twilio-Signature": signature}).raise_for_status()
            self.acks.append(time.perf_counter() - begin)
            self.twilio.wait_for(phone, before + 1, timeout=120)
            return time.perf_counter() - begin
        return send

    def builtin_twilio(self, base: str) -> Callable[[str, str], float]:
        def send(phone: str, text: str) -> float:
            before = len(self.twilio.to(phone))
            begin = time.perf_counter()
            requests.post(base + "/webhooks/twilio/webhook", data={"From": phone, "Body": text},
                          timeout=120).raise_for_status()
            self.acks.append(time.perf_counter() - begin)  # it answers after the whole turn
            self.twilio.wait_for(phone, before + 1, timeout=120)
            return time.perf_counter() - begin
        return send

    def rest(self, base: str) -> Callable[[str, str], float]:
        def send(phone: str, text: str) -> float:
            begin = time.perf_counter()
            requests.post(base + "/webhooks/rest/webhook", json={"sender": phone, "message": text},
                          timeout=120).raise_for_status()
            return time.perf_counter() - begin
        return send

    def load(self, label: str, send: Callable[[str, str], float]) -> float:
        prefix = f"whatsapp:+52{secrets.randbelow(10**6):06d}"
        send(prefix + "9999", "hola")  # warm-up
        latencies: List[float] = []
        self.acks = []

        def person(n: int) -> None:
            for i in range(self.messages):
                latencies.append(send(f"{prefix}{n:04d}", TURNS[i % len(TURNS)]))

        begin = time.perf_counter()
        with ThreadPoolExecutor(self.senders) as pool:
            list(pool.map(person, range(self.senders)))
        rate = len(latencies) / (time.perf_counter() - begin)
        acks = (f"{statistics.median(self.acks) * 1000:.0f} / {pct(self.acks, 0.95):.0f} / "
                f"{pct(self.acks, 0.99):.0f} ms" if self.acks else "—")
        self.rows.append(
            f"| {label} | {rate:.1f} msg/s | {statistics.median(latencies) * 1000:.0f} / "
            f"{pct(latencies, 0.95):.0f} / {pct(latencies, 0.99):.0f} ms | {acks} |"
        )
        print(self.rows[-1], flush=True)
        return rate


def run(setups: List[str], senders: int, messages: int) -> None:
    redis.Redis.from_url(REDIS_URL).flushdb()
    bench = Bench(senders, messages)
    action_port = servers.free_port()
    actions = servers.action_server(action_port, bench.env(""), bench.logs / "actions.log").start()
    action_url = f"http://127.0.0.1:{action_port}/webhook"
    started: List[servers.Server] = [actions]
    try:
        if "single" in setups:
            rasa = bench.rasa("rasa", action_url)
            started.append(rasa)
            bench.load("1 worker: WhatsApp channel (ours)", bench.whatsapp(rasa.base))
            bench.load("1 worker: REST channel", bench.rest(rasa.base))
            bench.load("1 worker: Rasa's TwilioInput", bench.builtin_twilio(rasa.base))
            bench.rows.append(f"| RSS Rasa, 1 worker (incl. Duckling child) | {rasa.rss_mib():.0f} MiB |")
            rasa.stop()
        if "workers" in setups:
            rasa = bench.rasa("rasa-2-workers", action_url, SANIC_WORKERS="2")
            started.append(rasa)
            bench.load("2 Sanic workers: WhatsApp channel", bench.whatsapp(rasa.base))
            bench.rows.append(f"| RSS Rasa, 2 workers (all processes) | {rasa.rss_mib():.0f} MiB |")
            rasa.stop()
        if "replicas" in setups:
            a, b = bench.rasa("rasa-a", action_url), bench.rasa("rasa-b", action_url)
            started += [a, b]
            port = servers.free_port()
            balancer = servers.Server(
                "balancer", [sys.executable, "scripts/demo_balancer.py", "--port", str(port), a.base, b.base],
                bench.env(action_url), f"http://127.0.0.1:{port}/", bench.logs / "balancer.log",
            ).start()
            started.append(balancer)
            bench.load("2 replicas + balancer: WhatsApp channel", bench.whatsapp(f"http://127.0.0.1:{port}"))
            bench.rows.append(f"| RSS Rasa replicas A + B | {a.rss_mib():.0f} + {b.rss_mib():.0f} MiB |")
            bench.rows.append(f"| RSS balancer | {balancer.rss_mib():.0f} MiB |")
        bench.rows.append(f"| RSS action server | {actions.rss_mib():.0f} MiB |")
    finally:
        for server in reversed(started):
            server.stop()
        bench.twilio.stop()
    print(f"\n{senders} senders x {messages} messages each, closed loop; msg/s, "
          "end-to-end latency p50 / p95 / p99, webhook answer to Twilio p50 / p95 / p99")
    print("\n".join(bench.rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--messages", type=int, default=8)
    parser.add_argument("--setups", default="single,workers,replicas")
    options = parser.parse_args()
    run(options.setups.split(","), options.senders, options.messages)


if __name__ == "__main__":
    main()
