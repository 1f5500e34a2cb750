"""The per-sender line in real Redis: order and exclusivity across "replicas"."""
from __future__ import annotations

import asyncio
import json
import random
import uuid

import pytest
import redis
import redis.asyncio

from appointments.rasa.channels.rate_limit import RateLimiter, Verdict
from appointments.rasa.channels.sender_queue import SenderQueue
from appointments.rasa.channels.twilio_request import PerLoop

REDIS_URL = "redis://127.0.0.1:6379/12"
RUN = f"test-{uuid.uuid4().hex[:8]}"  # this run's keys: another run may share the Redis


@pytest.fixture(autouse=True)
def own_keys_only():
    """Each test works under prefixes of its own; afterwards this run's keys go (nothing
    else in the database is touched)."""
    yield
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{RUN}:*"))
    if keys:
        client.delete(*keys)


def replica(**options) -> SenderQueue:
    """A SenderQueue with a connection of its own, as a separate process would have."""
    clients = PerLoop(lambda: redis.asyncio.Redis.from_url(REDIS_URL))
    return SenderQueue(clients.get, prefix=f"{RUN}:{uuid.uuid4().hex[:6]}", **options)


def same_line(*queues: SenderQueue) -> None:
    for queue in queues[1:]:
        queue.prefix = queues[0].prefix


def test_two_replicas_handle_one_senders_messages_in_order_one_at_a_time():
    a, b = replica(), replica()
    same_line(a, b)
    log = []
    running = []

    def handler(name):
        async def handle(item):
            assert not running, f"{name} started {item['n']} while {running} was running"
            running.append(item["n"])
            log.append((name, item["n"]))
            await asyncio.sleep(random.uniform(0, 0.02))
            running.pop()
        return handle

    async def scenario():
        handled = 0
        for burst in range(6):  # bursts of 5, alternating replicas within and across
            drains = []
            for k in range(5):
                n = burst * 5 + k
                queue, name = (a, "A") if (k + burst) % 2 == 0 else (b, "B")
                await queue.push("whatsapp:+5215500000001", {"n": n})
                drains.append(
                    asyncio.create_task(queue.drain("whatsapp:+5215500000001", handler(name)))
                )
                await asyncio.sleep(random.uniform(0, 0.01))
            handled += sum(await asyncio.gather(*drains))
        return handled

    assert asyncio.run(scenario()) == 30
    assert [n for _, n in log] == list(range(30))
    assert {name for name, _ in log} == {"A", "B"}  # both replicas took turns


def test_a_dead_holders_lease_expires_and_the_message_is_still_handled():
    queue = replica(lease_seconds=5, poll_seconds=0.02)
    sender = "whatsapp:+5215500000002"
    handled = []

    async def scenario():
        await queue.push(sender, {"n": 1})
        # Another replica took the line and died: its lease lives 300 ms more.
        await queue._redis().set(queue.lease_key(sender), "dead-replica", px=300)
        async def handle(item):
            handled.append(item["n"])
        return await queue.drain(sender, handle)

    assert asyncio.run(scenario()) == 1
    assert handled == [1]


def test_a_turn_longer_than_the_lease_keeps_it():
    a, b = replica(lease_seconds=0.3, poll_seconds=0.02), replica(lease_seconds=0.3, poll_seconds=0.02)
    same_line(a, b)
    sender = "whatsapp:+5215500000003"
    events = []

    async def slow(item):
        events.append(("start", item["n"]))
        await asyncio.sleep(1.0)  # more than three lease lifetimes
        events.append(("end", item["n"]))

    async def fast(item):
        events.append(("start", item["n"]))
        events.append(("end", item["n"]))

    async def scenario():
        await a.push(sender, {"n": 1})
        first = asyncio.create_task(a.drain(sender, slow))
        await asyncio.sleep(0.1)
        await b.push(sender, {"n": 2})
        second = asyncio.create_task(b.drain(sender, fast))
        await asyncio.gather(first, second)

    asyncio.run(scenario())
    assert events[:2] == [("start", 1), ("end", 1)]
    assert events[2:] == [("start", 2), ("end", 2)]


def test_a_failing_message_does_not_stop_the_line_and_the_lease_is_released():
    queue = replica()
    sender = "whatsapp:+5215500000004"
    handled = []

    async def handle(item):
        if item["n"] == 1:
            raise RuntimeError("boom")
        handled.append(item["n"])

    async def scenario():
        for n in (1, 2, 3):
            await queue.push(sender, {"n": n})
        count = await queue.drain(sender, handle)
        lease = await queue._redis().get(queue.lease_key(sender))
        return count, lease

    count, lease = asyncio.run(scenario())
    assert count == 3 and handled == [2, 3]
    assert lease is None


def test_rate_limit_answers_once_then_stays_quiet_until_the_next_window():
    now = [1000.0]
    client = {}

    def redis_client():
        client.setdefault("c", redis.asyncio.Redis.from_url(REDIS_URL))
        return client["c"]

    limiter = RateLimiter(redis_client, limit=3, window_seconds=60, clock=lambda: now[0],
                          prefix=f"{RUN}:{uuid.uuid4().hex[:6]}")

    async def scenario():
        verdicts = [await limiter.check("whatsapp:+5215500000005") for _ in range(6)]
        other = await limiter.check("whatsapp:+5215500000006")
        now[0] += 60
        later = await limiter.check("whatsapp:+5215500000005")
        return verdicts, other, later

    verdicts, other, later = asyncio.run(scenario())
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.WARN, Verdict.DROP, Verdict.DROP]
    assert other is Verdict.ALLOW and later is Verdict.ALLOW


def test_rate_limit_off_or_without_redis_lets_everyone_through():
    unreachable = redis.asyncio.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    off = RateLimiter(lambda: unreachable, limit=0, window_seconds=60)
    down = RateLimiter(lambda: unreachable, limit=1, window_seconds=60)

    async def scenario():
        return [await off.check("x") for _ in range(3)] + [await down.check("x") for _ in range(3)]

    assert asyncio.run(scenario()) == [Verdict.ALLOW] * 6


def test_what_a_dead_holder_was_handling_is_handled_again_first():
    queue = replica(lease_seconds=5, poll_seconds=0.02)
    sender = "whatsapp:+5215500000007"
    handled = []

    async def scenario():
        client = queue._redis()
        for n in (1, 2):
            await queue.push(sender, {"n": n})
        # A replica took message 1 off the line, then died: its lease lapses in 300 ms.
        await client.rpoplpush(queue.queue_key(sender), queue.working_key(sender))
        await client.set(queue.lease_key(sender), "dead-replica", px=300)

        async def handle(item):
            handled.append((item["n"], item.get("redeliveries", 0)))

        count = await queue.drain(sender, handle)
        return count, await client.llen(queue.working_key(sender))

    count, working = asyncio.run(scenario())
    assert handled == [(1, 1), (2, 0)]  # message 1 again, and still before message 2
    assert count == 2 and working == 0


def test_a_message_that_keeps_killing_its_replica_is_dropped_after_two_redeliveries():
    queue = replica(lease_seconds=5, poll_seconds=0.02)
    sender = "whatsapp:+5215500000008"
    handled = []

    async def scenario():
        client = queue._redis()
        await client.rpush(queue.working_key(sender), json.dumps({"n": 1, "redeliveries": 2}))
        await queue.push(sender, {"n": 2})

        async def handle(item):
            handled.append(item["n"])

        return await queue.drain(sender, handle)

    assert asyncio.run(scenario()) == 1
    assert handled == [2]
