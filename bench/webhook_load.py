"""Signed WhatsApp webhooks vs the REST channel, on the same model and stack.

Many senders (bounded, loopback only) post signed Twilio webhooks; prints how fast
Twilio gets its answer (ack p50/p95, while the bot is busy), end-to-end msgs/s until
every reply reached the local fake Twilio, and the REST channel's figures for the ratio.

    .venv/bin/python bench/webhook_load.py [--messages 160] [--senders 16]
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

import requests
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e import servers  # noqa: E402
from tests.e2e.fake_twilio import FakeTwilio  # noqa: E402

PUBLIC_URL, TOKEN = "https://bench.example.com", "bench-token"
TURNS = ["hola", "mis citas", "menú", "quiero una cita", "no"]


def p(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=160)
    parser.add_argument("--senders", type=int, default=16)
    args = parser.parse_args()
    logs = Path(tempfile.mkdtemp(prefix="bench-"))
    twilio = FakeTwilio()
    action_port, rasa_port = servers.free_port(), servers.free_port()
    env = servers.base_env(
        DATABASE_URL=f"sqlite:///{logs / 'bench.db'}", REDIS_URL="redis://127.0.0.1:6379/13",
        REDIS_HOST="127.0.0.1", REDIS_PORT="6379", REDIS_DB="13",
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
        TWILIO_ACCOUNT_SID="ACbench", TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_PHONE_NUMBER="whatsapp:+14155238886", TWILIO_API_BASE_URL=twilio.url,
        PUBLIC_URL=PUBLIC_URL,
    )
    actions = servers.action_server(action_port, env, logs / "actions.log").start()
    rasa = servers.rasa_server(rasa_port, ROOT / "models" / "citas.tar.gz",
                               secrets.token_hex(8), env, logs / "rasa.log").start()
    base = f"http://127.0.0.1:{rasa_port}"
    validator = RequestValidator(TOKEN)
    jobs = [(f"whatsapp:+5215{n % args.senders:08d}", TURNS[(n // args.senders) % len(TURNS)])
            for n in range(args.messages)]

    def webhook(job):
        phone, text = job
        params = {"From": phone, "Body": text, "MessageSid": f"SM{secrets.token_hex(16)}"}
        headers = {"X-Twilio-Signature": validator.compute_signature(PUBLIC_URL + "/whatsapp-reply", params)}
        begin = time.perf_counter()
        requests.post(base + "/whatsapp-reply", data=params, headers=headers, timeout=30).raise_for_status()
        return time.perf_counter() - begin

    def rest(job):
        begin = time.perf_counter()
        requests.post(base + "/webhooks/rest/webhook", json={"sender": "r" + job[0], "message": job[1]},
                      timeout=60).raise_for_status()
        return time.perf_counter() - begin

    try:
        for text in TURNS:  # warm-up, not measured
            webhook(("whatsapp:+5219999999999", text))
            rest(("warmup", text))
        time.sleep(2)
        twilio.sent.clear()
        begin = time.perf_counter()
        with ThreadPoolExecutor(args.senders) as pool:
            acks = list(pool.map(webhook, jobs))
        while len(twilio.sent) < args.messages and time.perf_counter() - begin < 300:
            time.sleep(0.05)  # every turn sends at least one reply
        whatsapp_rate = args.messages / (time.perf_counter() - begin)
        begin = time.perf_counter()
        with ThreadPoolExecutor(args.senders) as pool:
            rest_latency = list(pool.map(rest, jobs))
        rest_rate = args.messages / (time.perf_counter() - begin)
    finally:
        rasa.stop()
        actions.stop()
        twilio.stop()
    print(f"webhook ack p50 / p95        {statistics.median(acks) * 1000:6.1f} / {p(acks, 0.95):.1f} ms")
    print(f"WhatsApp end-to-end          {whatsapp_rate:6.1f} msg/s ({args.messages} msgs, {args.senders} senders)")
    print(f"REST p50 / p95               {statistics.median(rest_latency) * 1000:6.0f} / {p(rest_latency, 0.95):.0f} ms")
    print(f"REST                         {rest_rate:6.1f} msg/s")
    print(f"WhatsApp / REST throughput   {whatsapp_rate / rest_rate:6.2f}")


if __name__ == "__main__":
    main()
