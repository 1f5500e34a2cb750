"""One line per sender in Redis, so several Rasa replicas keep a user's turns in order.

Rasa's lock store serialises turns of one conversation but not in arrival order: with two
replicas behind a load balancer, message 2 (at replica B) can take the lock before
message 1 (at replica A) does. So the webhook appends each message to the sender's list
in Redis *before* acknowledging it (arrival order = list order), and whichever replica
holds the sender's lease works the list from the front, one message at a time
(<prefix> is e.g. citas:twilio):

    push(sender, item)      LPUSH <prefix>:queue:<sender>, SADD <prefix>:lines <sender>
    push_once(sender, sid,  the same, and SET <prefix>:sid:<sid> EX, in one script: only
      item, seconds)        if the sid key did not exist (Twilio's retry of a message
                            already queued is dropped; one not queued is not)
    drain(sender, handle)   SET <prefix>:lease:<sender> <token> NX PX <lease>
                            put <prefix>:working:<sender> back in front (see below)
                            TAKE (if the lease is still ours: renew it, RPOPLPUSH queue
                            working), handle(item), FINISH (if still ours: LREM it) ...
                            until empty (then SREM lines, if queue and working are empty),
                            renewing the lease while a turn runs; release (only our own
                            token), then look again
    orphans() / sweep()     senders in <prefix>:lines with queued or working items and no
    / run_sweeper()         lease: their replica died; resume(sender) works them again

A replica that does not get the lease polls until the list is empty: if the holder dies,
its lease expires and a waiter (or, if nobody waits, the sweeper of any replica, within
SWEEP_SECONDS of the expiry) takes over, so a message is never stranded; what the dead
holder was working on goes back to the front of the line (at least once: at most
MAX_REDELIVERIES times, so a message that kills its replica cannot kill them all).

A holder that loses its lease (stalled past it, e.g. a long GC or a frozen VM, and another
replica took the line) lets the turn under way finish (cancelling could leave a turn half
done: the tracker updated, part of the reply sent) but then takes nothing more and leaves
its item in the working list, where the new holder finds it: that message may be handled
twice, none is lost and the order of the rest is kept. (RPOPLPUSH, not LMOVE: Redis older
than 6.2 has no LMOVE.)
"""
from __future__ import annotations

import asyncio
import inspect
import json
import logging
import secrets
from typing import Any, Awaitable, Callable, Dict, List, Optional

from appointments.privacy import mask_key
from appointments.rasa.channels.sender_queue_scripts import (
    FINISH,
    FORGET,
    PUSH_ONCE,
    RECOVER,
    RELEASE,
    RENEW,
    TAKE,
)

logger = logging.getLogger(__name__)

MAX_REDELIVERIES = 2
SWEEP_SECONDS = 5.0

Item = Dict[str, Any]
Handler = Callable[[Item], Awaitable[None]]
Resume = Callable[[str], Any]  # may return an awaitable, which the sweep awaits


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


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

    def sid_key(self, message_sid: str) -> str:
        return f"{self.prefix}:sid:{message_sid}"

    def lines_key(self) -> str:
        return f"{self.prefix}:lines"

    async def push(self, sender: str, item: Item) -> None:
        """Append to the sender's line (raises if Redis cannot be reached)."""
        key = self.queue_key(sender)
        async with self._redis().pipeline(transaction=True) as pipe:
            pipe.lpush(key, json.dumps(item)).expire(key, self.keep_seconds)
            await pipe.sadd(self.lines_key(), sender).execute()

    async def push_once(
        self, sender: str, message_sid: str, item: Item, dedup_seconds: int
    ) -> bool:
        """Append unless `message_sid` was queued in the last `dedup_seconds`; True if
        appended. Dedup and enqueue are one atomic step (raises if Redis cannot be
        reached or the enqueue fails: then the sid is not marked). No sid: just push."""
        if not message_sid:
            await self.push(sender, item)
            return True
        keys = (self.sid_key(message_sid), self.queue_key(sender), self.lines_key())
        args = (json.dumps(item), max(1, int(dedup_seconds)), self.keep_seconds, sender)
        return bool(await self._redis().eval(PUSH_ONCE, len(keys), *keys, *args))

    async def drain(self, sender: str, handle: Handler) -> int:
        """Handle the sender's queued messages in order; return how many we handled.

        Returns once the line is empty (or held by a live replica with nothing queued)."""
        redis = self._redis()
        queue, lease = self.queue_key(sender), self.lease_key(sender)
        working = self.working_key(sender)
        token = secrets.token_hex(8)
        handled = 0
        while True:
            if await redis.set(lease, token, nx=True, px=self.lease_ms):
                try:
                    handled += await self._work(redis, sender, token, handle)
                finally:
                    await redis.eval(RELEASE, 1, lease, token)
            async with redis.pipeline(transaction=False) as pipe:
                waiting, taken, held = await pipe.llen(queue).llen(working).exists(lease).execute()
            if not waiting and (held or not taken):  # else a dead holder left work: take it
                return handled
            await asyncio.sleep(self.poll_seconds)  # another replica holds the line

    async def _work(self, redis: Any, sender: str, token: str, handle: Handler) -> int:
        """Work the line while we hold its lease; stop as soon as we no longer do."""
        lease, working = self.lease_key(sender), self.working_key(sender)
        keys = (lease, self.queue_key(sender), working, self.lines_key())
        handled = 0
        if not await self._recover(redis, sender, token):
            return handled
        while True:
            taken = await redis.eval(
                TAKE, len(keys), *keys, token, self.lease_ms, self.keep_seconds, sender
            )
            if taken[0] == 2:
                return handled
            if taken[0] == 0:
                logger.warning("lost the lease on %s before taking the next message", mask_key(lease))
                return handled
            raw = taken[1]
            try:
                await self._holding(redis, lease, token, handle(json.loads(raw)))
            except Exception:  # noqa: BLE001 - one bad message must not stop the line
                logger.exception("a queued message failed")
            handled += 1
            if not await redis.eval(FINISH, 2, lease, working, token, raw):
                logger.warning(
                    "lost the lease on %s during a turn: its message is left to the new "
                    "holder (it may be handled twice) and we take nothing more", mask_key(lease)
                )
                return handled

    async def _recover(self, redis: Any, sender: str, token: str) -> bool:
        """Put what a holder that died was working on back at the front of the line, in
        its order, in one step; False if the lease is no longer ours."""
        keys = (self.lease_key(sender), self.working_key(sender), self.queue_key(sender))
        for _ in range(5):
            old = await redis.lrange(keys[1], 0, -1)  # newest first
            if not old:
                return True
            new = []
            for raw in old:  # the oldest is pushed last: the next to be taken
                item = json.loads(raw)
                item["redeliveries"] = item.get("redeliveries", 0) + 1
                if item["redeliveries"] > MAX_REDELIVERIES:
                    logger.error("dropped a message whose handling stopped %d times",
                                 MAX_REDELIVERIES)
                    continue
                new.append(json.dumps(item))
            done = await redis.eval(
                RECOVER, len(keys), *keys, token, self.keep_seconds, len(old), *old, *new
            )
            if done != -1:
                return bool(done)
        logger.error("the working list of %s keeps changing; leaving the line", mask_key(keys[0]))
        return False

    async def _holding(self, redis: Any, lease: str, token: str, work: Awaitable[None]) -> bool:
        """Run `work`, renewing our lease every third of its life until it is done.
        Returns whether the lease is still ours as far as we know; once it is lost, the
        work is left to finish (cancelling could leave a turn half done) unrenewed."""
        task = asyncio.ensure_future(work)
        held = True
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=self.lease_ms / 3000)
                if done:
                    task.result()
                    return held
                if not held:
                    continue
                try:
                    held = bool(await redis.eval(RENEW, 1, lease, token, self.lease_ms))
                except Exception:  # noqa: BLE001 - the turn goes on; the lease may lapse
                    logger.warning("could not renew the lease on %s", mask_key(lease))
                if not held:
                    logger.warning("lost the lease on %s; the turn under way finishes", mask_key(lease))
        except asyncio.CancelledError:
            task.cancel()  # we are shutting down: the item stays in working for recovery
            raise

    # --- lines whose replica died ------------------------------------------------------

    async def orphans(self) -> List[str]:
        """Senders with queued or working messages and no lease (their holder died, or
        the replica that queued them died before working them). Lines found empty are
        forgotten. Read without a lock: a line may be reported that a replica is about
        to take; resuming it is harmless, since drain() is guarded by the lease."""
        redis = self._redis()
        senders = sorted({_text(s) async for s in redis.sscan_iter(self.lines_key())})
        if not senders:
            return []
        async with redis.pipeline(transaction=False) as pipe:
            for sender in senders:
                pipe.exists(self.lease_key(sender))
                pipe.llen(self.queue_key(sender)).llen(self.working_key(sender))
            states = await pipe.execute()
        found = []
        for i, sender in enumerate(senders):
            held, waiting, taken = states[3 * i : 3 * i + 3]
            if waiting or taken:
                if not held:
                    found.append(sender)
            elif not held:
                keys = (self.queue_key(sender), self.working_key(sender), self.lines_key())
                await redis.eval(FORGET, len(keys), *keys, sender)
        return found

    async def sweep(self, resume: Resume) -> List[str]:
        """Call resume(sender) for each orphan (awaiting it if it returns an awaitable:
        pass a quick submit, not a whole drain, in production); return the orphans."""
        found = await self.orphans()
        for sender in found:
            try:
                result: Optional[Any] = resume(sender)
                if inspect.isawaitable(result):
                    await result
            except Exception:  # noqa: BLE001 - the other lines must still be resumed
                logger.exception("could not resume an orphaned line")
        if found:
            logger.warning("resumed %d line(s) left by a replica that stopped", len(found))
        return found

    async def run_sweeper(self, resume: Resume, interval_seconds: float = SWEEP_SECONDS) -> None:
        """Sweep every `interval_seconds` until cancelled (Redis errors are logged)."""
        while True:
            try:
                await self.sweep(resume)
            except Exception:  # noqa: BLE001 - Redis may be restarting; try again later
                logger.warning("sweep of the WhatsApp lines failed", exc_info=True)
            await asyncio.sleep(interval_seconds)
