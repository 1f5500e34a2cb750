"""Security review of the per-sender line (sender_queue.py), on real Redis.

1. A worker whose lease was lost (stalled, then another replica took the line) must not
   take another message from the line, nor remove what now belongs to the new holder.
2. The MessageSid dedup and the enqueue are one step: a failure between them must not
   turn Twilio's retry into a "duplicate" that nobody ever handles.
3. A line left by a replica that died is found by a sweep and worked within seconds.
"""
from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest
import redis
import redis.asyncio

from appointments.rasa.channels.sender_queue import SenderQueue
from appointments.rasa.channels.twilio_request import PerLoop

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def prefix():
    """Keys of one test only; removed afterwards (the database is shared)."""
    name = f"test-sec:{uuid.uuid4().hex[:8]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{name}:*"))
    if keys:
        client.delete(*keys)


def replica(prefix: str, **options) -> SenderQueue:
    """A SenderQueue with a connection of its own, as a separate process would have."""
    clients = PerLoop(lambda: redis.asyncio.Redis.from_url(REDIS_URL))
    return SenderQueue(clients.get, prefix=prefix, **options)


async def contents(queue: SenderQueue, sender: str):
    client = queue._redis()
    return (
        await client.lrange(queue.queue_key(sender), 0, -1),
        await client.lrange(queue.working_key(sender), 0, -1),
        await client.get(queue.lease_key(sender)),
    )


async def until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


# --- 1. a lost lease ----------------------------------------------------------------


def test_a_worker_whose_lease_lapsed_mid_turn_takes_nothing_more_from_the_line(prefix):
    a = replica(prefix, lease_seconds=0.3, poll_seconds=0.02)
    b = replica(prefix, lease_seconds=0.3, poll_seconds=0.02)
    sender = "whatsapp:+5215500001001"
    log = []
    a_go, b_go = asyncio.Event(), asyncio.Event()

    def handler(name, go):
        async def handle(item):
            log.append((name, item["n"], item.get("redeliveries", 0)))
            if len(log) in (1, 2):  # A's first turn, then B's first turn, wait
                await go.wait()
        return handle

    async def scenario():
        for n in (1, 2, 3):
            await a.push(sender, {"n": n})
        first = asyncio.create_task(a.drain(sender, handler("A", a_go)))
        await until(lambda: len(log) == 1)
        # A's process stalls past its lease, which lapses; replica B takes the line.
        await a._redis().delete(a.lease_key(sender))
        second = asyncio.create_task(b.drain(sender, handler("B", b_go)))
        await until(lambda: len(log) == 2)
        a_go.set()  # A wakes up and finishes its turn while B holds the line
        await asyncio.sleep(0.3)
        b_go.set()
        return await asyncio.gather(first, second), await contents(a, sender)

    (count_a, count_b), (queue, working, lease) = asyncio.run(scenario())
    # B handles again what A was working on (at least once), then the rest, in order;
    # A took nothing after losing the line.
    assert log == [("A", 1, 0), ("B", 1, 1), ("B", 2, 0), ("B", 3, 0)]
    assert (count_a, count_b) == (1, 3)
    assert queue == [] and working == [] and lease is None


def test_a_lease_lost_between_two_messages_is_checked_before_taking_the_next(prefix):
    queue = replica(prefix, lease_seconds=5, poll_seconds=0.02)
    sender = "whatsapp:+5215500001002"
    handled = []

    async def scenario():
        client = queue._redis()
        lease = queue.lease_key(sender)
        for n in (1, 2, 3):
            await queue.push(sender, {"n": n})

        async def handle(item):
            handled.append((item["n"], item.get("redeliveries", 0), await client.get(lease)))
            if len(handled) == 1:
                # Stalled after the turn: the lease lapsed and another replica (which
                # then died) took the line; it is held for 300 ms more.
                await client.set(lease, "other-replica", px=300)

        return await queue.drain(sender, handle), await contents(queue, sender)

    count, (rest, working, lease) = asyncio.run(scenario())
    assert all(holder != b"other-replica" for _, _, holder in handled)
    assert [(n, again) for n, again, _ in handled] == [(1, 0), (1, 1), (2, 0), (3, 0)]
    assert count == 4 and rest == [] and working == [] and lease is None


# --- 2. dedup and enqueue in one step ----------------------------------------------------


def test_push_once_queues_a_message_sid_once(prefix):
    queue = replica(prefix)
    sender = "whatsapp:+5215500001003"

    async def scenario():
        client = queue._redis()
        first = await queue.push_once(sender, "SM1", {"n": 1}, 600)
        again = await queue.push_once(sender, "SM1", {"n": 1}, 600)
        other = await queue.push_once(sender, "SM2", {"n": 2}, 600)
        ttl = await client.ttl(queue.sid_key("SM1"))
        lines = await client.smembers(queue.lines_key())
        return first, again, other, ttl, lines, await contents(queue, sender)

    first, again, other, ttl, lines, (items, working, _) = asyncio.run(scenario())
    assert (first, again, other) == (True, False, True)
    assert 0 < ttl <= 600
    assert [json.loads(raw) for raw in reversed(items)] == [{"n": 1}, {"n": 2}]
    assert lines == {sender.encode()}


def test_a_failed_enqueue_does_not_mark_the_message_sid_as_seen(prefix):
    queue = replica(prefix)
    sender = "whatsapp:+5215500001004"

    async def scenario():
        client = queue._redis()
        await client.set(queue.queue_key(sender), "not a list")  # the enqueue fails
        with pytest.raises(redis.exceptions.ResponseError):
            await queue.push_once(sender, "SM3", {"n": 1}, 600)
        seen = await client.exists(queue.sid_key("SM3"))
        await client.delete(queue.queue_key(sender))
        retried = await queue.push_once(sender, "SM3", {"n": 1}, 600)  # Twilio's retry
        return seen, retried, await client.lrange(queue.queue_key(sender), 0, -1)

    seen, retried, items = asyncio.run(scenario())
    assert seen == 0 and retried is True
    assert [json.loads(raw) for raw in items] == [{"n": 1}]


def test_push_once_without_a_message_sid_always_queues(prefix):
    queue = replica(prefix)
    sender = "whatsapp:+5215500001005"

    async def scenario():
        results = [await queue.push_once(sender, "", {"n": n}, 600) for n in (1, 2)]
        return results, await queue._redis().llen(queue.queue_key(sender))

    assert asyncio.run(scenario()) == ([True, True], 2)


# --- 3. orphaned lines --------------------------------------------------------------------


def test_a_line_left_by_a_dead_replica_is_worked_by_one_sweep_in_order(prefix):
    queue = replica(prefix, lease_seconds=5, poll_seconds=0.02)
    sender = "whatsapp:+5215500001006"
    handled = []

    async def handle(item):
        handled.append((item["n"], item.get("redeliveries", 0)))

    async def scenario():
        client = queue._redis()
        for n in (1, 2, 3):
            await queue.push_once(sender, f"SM-{n}", {"n": n}, 600)
        # A replica took message 1, then died; its lease has lapsed since.
        await client.rpoplpush(queue.queue_key(sender), queue.working_key(sender))
        await client.set(queue.lease_key(sender), "dead-replica", px=50)
        await asyncio.sleep(0.1)
        found = await queue.orphans()
        resumed = await queue.sweep(lambda s: queue.drain(s, handle))
        return found, resumed, await queue.orphans(), await client.smembers(
            queue.lines_key()
        ), await contents(queue, sender)

    found, resumed, after, lines, (items, working, lease) = asyncio.run(scenario())
    assert found == [sender] and resumed == [sender]
    assert handled == [(1, 1), (2, 0), (3, 0)]  # 1 again (at least once), then in order
    assert after == [] and lines == set()
    assert items == [] and working == [] and lease is None


def test_orphans_are_lines_with_work_and_no_lease_and_empty_lines_are_forgotten(prefix):
    queue = replica(prefix)
    held, idle, empty = (f"whatsapp:+52155000010{n:02d}" for n in (7, 8, 9))

    async def scenario():
        client = queue._redis()
        await queue.push(held, {"n": 1})
        await client.set(queue.lease_key(held), "live-replica", px=5000)
        await queue.push(idle, {"n": 1})
        await queue.push(empty, {"n": 1})
        await client.delete(queue.queue_key(empty))  # e.g. expired
        found = await queue.orphans()
        return found, await client.smembers(queue.lines_key())

    found, lines = asyncio.run(scenario())
    assert found == [idle]
    assert lines == {held.encode(), idle.encode()}


def test_two_replicas_sweeping_at_once_handle_each_message_once_in_order(prefix):
    a = replica(prefix, poll_seconds=0.02)
    b = replica(prefix, poll_seconds=0.02)
    sender = "whatsapp:+5215500001010"
    log = []

    def handler(name):
        async def handle(item):
            log.append((name, item["n"]))
            await asyncio.sleep(0.01)
        return handle

    async def scenario():
        for n in range(8):
            await a.push(sender, {"n": n})
        tasks = []

        def submit(name, queue):  # a sync callback, as the channel's turns.submit is
            return lambda s: tasks.append(asyncio.ensure_future(queue.drain(s, handler(name))))

        await asyncio.gather(a.sweep(submit("A", a)), b.sweep(submit("B", b)))
        return await asyncio.gather(*tasks)

    counts = asyncio.run(scenario())
    assert sum(counts) == 8  # each message once, by whichever replica held the line
    assert [n for _, n in log] == list(range(8))


def test_the_sweeper_loop_resumes_an_orphan_within_seconds_and_stops_when_cancelled(prefix):
    queue = replica(prefix, poll_seconds=0.02)
    sender = "whatsapp:+5215500001011"
    handled = []

    async def handle(item):
        handled.append(item["n"])

    async def scenario():
        # Queued and acknowledged, then the replica died before working the line.
        await queue.push_once(sender, "SM-9", {"n": 9}, 600)
        started = time.monotonic()
        sweeper = asyncio.create_task(
            queue.run_sweeper(lambda s: queue.drain(s, handle), interval_seconds=0.1)
        )
        await until(lambda: handled, seconds=3)
        elapsed = time.monotonic() - started
        await asyncio.sleep(0.3)  # later sweeps find nothing more to do
        sweeper.cancel()
        with pytest.raises(asyncio.CancelledError):
            await sweeper
        return elapsed

    assert asyncio.run(scenario()) < 3
    assert handled == [9]


def test_a_drained_line_leaves_the_registry(prefix):
    queue = replica(prefix)
    sender = "whatsapp:+5215500001012"

    async def handle(item):
        pass

    async def scenario():
        await queue.push_once(sender, "SM-10", {"n": 1}, 600)
        await queue.push(sender, {"n": 2})
        registered = bool(await queue._redis().sismember(queue.lines_key(), sender))
        count = await queue.drain(sender, handle)
        return registered, count, await queue._redis().smembers(queue.lines_key())

    assert asyncio.run(scenario()) == (True, 2, set())
