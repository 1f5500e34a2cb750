"""One line per sender in Redis, so several Rasa replicas keep a user's turns in order.

Rasa's lock store serialises turns of one conversation but not in arrival order: with two
replicas behind a load balancer, message 2 (at replica B) can take the lock before
message 1 (at replica A) does. So the webhook appends each message to the sender's list
in Redis *before* acknowledging it (arrival order = list order), and whichever replica
holds the sender's lease works the list from the front, one message at a time:

    push(sender, item)      LPUSH <prefix>:queue:<sender>     (prefix: citas:twilio)
    drain(sender, handle)   SET <prefix>:lease:<sender> <token> NX PX <lease>
                            RPOPLPUSH queue <prefix>:working:<sender>, handle(item),
                            LREM it ... until empty, renewing the lease
                            release (only our own token), then look again

A replica that does not get the lease polls until the list is empty: if the holder dies,
its lease expires and a waiter takes over, so a message is never stranded; what the
dead holder was working on goes back to the front of the line (at least once: at most
MAX_REDELIVERIES times, so a message that kills its replica cannot kill them all). The
lease is renewed while a turn runs, so a slow turn keeps it. (RPOPLPUSH, not LMOVE:
Redis older than 6.2 has no LMOVE.)
"""
from __future__ import annotations

import asyncio
import json
import logging
import secrets
from typing import Any, Awaitable, Callable, Dict

logger = logging.getLogger(__name__)

MAX_REDELIVERIES = 2

Item = Dict[str, Any]
Handler = Callable[[Item], Awaitable[None]]

# Delete the key only if it still holds our token (someone else may own it by now).
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)


class SenderQueue:
    def __init__(
        self,
        redis: Callable[[], Any],
        prefix: str = "citas:twilio",
        lease_seconds: float = 30.0,
        poll_seconds: float = 0.05,
        keep_seconds: int = 24 * 3600,
    ) -> None:
        self._redis = redis  # returns the redis.asyncio client of the running loop
        self.prefix = prefix
        self.lease_ms = int(lease_seconds * 1000)
        self.poll_seconds = poll_seconds
        self.keep_seconds = keep_seconds

    def queue_key(self, sender: str) -> str:
        return f"{self.prefix}:queue:{sender}"

    def lease_key(self, sender: str) -> str:
        return f"{self.prefix}:lease:{sender}"

    def working_key(self, sender: str) -> str:
        return f"{self.prefix}:working:{sender}"

    async def push(self, sender: str, item: Item) -> None:
        """Append to the sender's line (raises if Redis cannot be reached)."""
        key = self.queue_key(sender)
        async with self._redis().pipeline(transaction=True) as pipe:
            await pipe.lpush(key, json.dumps(item)).expire(key, self.keep_seconds).execute()

    async def drain(self, sender: str, handle: Handler) -> int:
        """Handle the sender's queued messages in order; return how many we handled.

        Returns once the line is empty, whoever handled its messages."""
        redis = self._redis()
        queue, lease = self.queue_key(sender), self.lease_key(sender)
        working = self.working_key(sender)
        token = secrets.token_hex(8)
        handled = 0
        while True:
            if await redis.set(lease, token, nx=True, px=self.lease_ms):
                try:
                    await self._recover(redis, queue, working)
                    while True:
                        raw = await redis.rpoplpush(queue, working)  # the oldest
                        if raw is None:
                            break
                        await redis.expire(working, self.keep_seconds)
                        try:
                            await self._holding(redis, lease, token, handle(json.loads(raw)))
                        except Exception:  # noqa: BLE001 - one bad message must not stop the line
                            logger.exception("a queued message failed")
                        await redis.lrem(working, 1, raw)
                        handled += 1
                finally:
                    await redis.eval(RELEASE, 1, lease, token)
            if not await redis.llen(queue):
                return handled
            await asyncio.sleep(self.poll_seconds)  # another replica holds the line

    async def _recover(self, redis: Any, queue: str, working: str) -> None:
        """Put what a holder that died was working on back at the front of the line."""
        while True:
            raw = await redis.rpop(working)
            if raw is None:
                return
            item = json.loads(raw)
            item["redeliveries"] = item.get("redeliveries", 0) + 1
            if item["redeliveries"] > MAX_REDELIVERIES:
                logger.error("dropped a message whose handling stopped %d times", MAX_REDELIVERIES)
                continue
            await redis.rpush(queue, json.dumps(item))  # next to be taken

    async def _holding(self, redis: Any, lease: str, token: str, work: Awaitable[None]) -> None:
        """Run `work`, renewing our lease every third of its life until it is done."""
        task = asyncio.ensure_future(work)
        while True:
            done, _ = await asyncio.wait({task}, timeout=self.lease_ms / 3000)
            if done:
                task.result()
                return
            try:
                await redis.eval(RENEW, 1, lease, token, self.lease_ms)
            except Exception:  # noqa: BLE001 - the turn goes on; the lease may lapse
                logger.warning("could not renew the lease on %s", lease)
