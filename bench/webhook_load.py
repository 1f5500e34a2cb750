"""Signed WhatsApp webhooks vs the REST channel, on the same model and stack.

Two loads (bounded, loopback only), then the REST channel for the ratio:
- burst: every message of every sender posted at once; how fast Twilio gets its answer
  (ack p50/p95) while a queue of turns waits, and msgs/s until every reply arrived;
- conversations: each sender writes, waits for the bot's reply, pauses, writes again
  (as people do), keeping the bot busy; ack p50/p95/p99 and reply latency p50/p95.

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

import redis
import requests
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e import servers  # noqa: E402
from tests.fakes.twilio_api import FakeTwilio  # noqa: E402

PUBLIC_URL, TOKEN = "https://bench.example.com", "bench-token"
REDIS_URL = "redis://127.0.0.1:6379/13"
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
    redis.Redis.from_url(REDIS_URL).flushdb()  # same senders every run: start from empty trackers
    twilio = FakeTwilio()
    action_port, rasa_port = servers.free_port(), servers.free_port()
    env = servers.base_env(
        DATABASE_URL=f"sqlite:///{logs / 'bench.db'}", REDIS_URL=REDIS_URL,
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

    def conversation(phone, texts, acks, replies):
        for text in texts:
            before = len(twilio.to(phone))
            begin = time.perf_counter()
            acks.append(webhook((phone, text)))
            twilio.wait_for(phone, before + 1, timeout=60)
            replies.append(time.perf_counter() - begin)
            time.sleep(0.5)  # reading the answer

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
        talk_acks, talk_replies = [], []
        per_sender = max(1, args.messages // args.senders)
        with ThreadPoolExecutor(args.senders) as pool:
            for n in range(args.senders):
                texts = [TURNS[i % len(TURNS)] for i in range(per_sender)]
                pool.submit(conversation, f"whatsapp:+5216{n:08d}", texts, talk_acks, talk_replies)
    finally:
        rasa.stop()
        actions.stop()
        twilio.stop()
    print(f"burst: webhook ack p50 / p95 {statistics.median(acks) * 1000:6.1f} / {p(acks, 0.95):.1f} ms")
    print(f"burst: WhatsApp end-to-end   {whatsapp_rate:6.1f} msg/s ({args.messages} msgs, {args.senders} senders)")
    print(f"conversations: ack p50 / p95 / p99  {statistics.median(talk_acks) * 1000:.1f} / "
          f"{p(talk_acks, 0.95):.1f} / {p(talk_acks, 0.99):.1f} ms ({len(talk_acks)} msgs)")
    print(f"conversations: reply p50 / p95      {statistics.median(talk_replies) * 1000:.0f} / "
          f"{p(talk_replies, 0.95):.0f} ms")
    print(f"REST p50 / p95               {statistics.median(rest_latency) * 1000:6.0f} / {p(rest_latency, 0.95):.0f} ms")
    print(f"REST                         {rest_rate:6.1f} msg/s")
    print(f"WhatsApp / REST throughput   {whatsapp_rate / rest_rate:6.2f}")


if __name__ == "__main__":
    main()
