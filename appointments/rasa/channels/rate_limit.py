"""Per-sender rate limit for the WhatsApp webhook, shared by every replica through Redis.

A fixed window: at most `limit` messages per sender in each `window_seconds`. The first
message over the limit gets one polite answer (the channel sends `utter_rate_limited`);
later ones in the same window are logged but not answered, so a flood costs one reply.
If Redis cannot be reached, everybody is let through: refusing real users is worse.
"""
from __future__ import annotations

import enum
import logging
import time
from typing import Any, Callable

logger = logging.getLogger(__name__)


class Verdict(enum.Enum):
    ALLOW = "allow"
    WARN = "warn"  # just went over: answer politely once
    DROP = "drop"  # still over: say nothing


class RateLimiter:
    def __init__(
        self,
        redis: Callable[[], Any],
        limit: int,
        window_seconds: int,
        prefix: str = "citas:twilio:rate",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis  # returns the redis.asyncio client of the running loop
        self.limit = limit
        self.window_seconds = window_seconds
        self.prefix = prefix
        self.clock = clock

    async def check(self, sender: str) -> Verdict:
        if self.limit <= 0:
            return Verdict.ALLOW  # switched off
        window = int(self.clock() // self.window_seconds)
        key = f"{self.prefix}:{sender}:{window}"
        try:
            async with self._redis().pipeline(transaction=True) as pipe:
                count, _ = await pipe.incr(key).expire(key, 2 * self.window_seconds).execute()
        except Exception:  # noqa: BLE001
            logger.warning("rate limit check failed (Redis); letting the message through")
            return Verdict.ALLOW
        if count <= self.limit:
            return Verdict.ALLOW
        return Verdict.WARN if count == self.limit + 1 else Verdict.DROP
