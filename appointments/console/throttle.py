"""Brute-force protection for the console's login, and a short cache of good logins.

Both live in this process's memory. That is enough because the console runs as a single
process (`python -m appointments.console`, workers=1): with several processes or
replicas each would count on its own, and a restart forgets the counts (and the cache).
"""
from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Callable, Deque, Iterator, Optional, Tuple

Key = Tuple[str, str]  # ("ip", "203.0.113.7") or ("name", "ana")


@dataclass
class _Record:
    failures: Deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


class LoginThrottle:
    """After `max_failures_per_name` failed logins for one user name, or
    `max_failures_per_ip` from one client IP, within `window_seconds`, that name or IP is
    locked out for `lockout_seconds`: its requests get 429 and Retry-After, and their
    password is not even checked (checking is the expensive part).

    The IP limit is higher than the name limit: several agents may share one office IP.
    A lockout by name can be triggered by anyone who knows the name; it lasts minutes,
    which is the usual price of stopping password guessing.
    """

    def __init__(
        self,
        max_failures_per_name: int = 5,
        max_failures_per_ip: int = 20,
        window_seconds: float = 600.0,
        lockout_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self.limits = {"name": max_failures_per_name, "ip": max_failures_per_ip}
        self.window, self.lockout = window_seconds, lockout_seconds
        self.clock, self.max_keys = clock, max_keys
        self._records: "OrderedDict[Key, _Record]" = OrderedDict()

    @staticmethod
    def _keys(ip: str, name: Optional[str]) -> Iterator[Key]:
        yield ("ip", ip)
        if name is not None:
            yield ("name", name)

    def retry_after(self, ip: str, name: Optional[str] = None) -> int:
        """Seconds until `ip`/`name` may try again; 0 when they may try now."""
        now, wait = self.clock(), 0.0
        for key in self._keys(ip, name):
            record = self._records.get(key)
            if record is None:
                continue
            if record.locked_until > now:
                wait = max(wait, record.locked_until - now)
            elif record.locked_until:  # the lockout is over: start counting afresh
                del self._records[key]
        return math.ceil(wait)

    def attempt(self, ip: str, name: Optional[str] = None) -> float:
        """Count a login attempt as failed *before* its password is checked (so a burst
        of parallel guesses cannot all slip in before the first one fails); a good
        password takes it back with `succeeded(ip, name, stamp)`. Returns that stamp."""
        now = self.clock()
        for key in self._keys(ip, name):
            record = self._records.pop(key, None) or _Record()
            self._records[key] = record  # the most recently failed go last
            record.failures.append(now)
            while record.failures and record.failures[0] <= now - self.window:
                record.failures.popleft()
            if len(record.failures) >= self.limits[key[0]] and record.locked_until <= now:
                record.locked_until = now + self.lockout
        self._forget_old(now)
        return now

    def locked(self, ip: str, name: Optional[str] = None) -> bool:
        return self.retry_after(ip, name) > 0

    def succeeded(self, ip: str, name: Optional[str], stamp: float) -> None:
        """The attempt counted at `stamp` had the right password: forget the name's
        failures and take that attempt off the IP's count."""
        if name is not None:
            self._records.pop(("name", name), None)
        record = self._records.get(("ip", ip))
        if record is not None:
            if stamp in record.failures:
                record.failures.remove(stamp)
            if len(record.failures) < self.limits["ip"]:
                record.locked_until = 0.0
            if not record.failures:
                del self._records[("ip", ip)]

    def _forget_old(self, now: float) -> None:
        """Keep memory bounded: drop records with nothing left to remember, then, if
        still too many, the ones whose last failure is oldest."""
        if len(self._records) <= self.max_keys:
            return
        for key, record in list(self._records.items()):
            if record.locked_until <= now and (
                not record.failures or record.failures[-1] <= now - self.window
            ):
                del self._records[key]
        while len(self._records) > self.max_keys:
            self._records.popitem(last=False)


class VerifiedCache:
    """Recently verified Authorization headers (by SHA-256, never in clear), so a page
    and its 5-second refreshes do not re-run argon2 on every request."""

    def __init__(self, seconds: float = 60.0, clock: Callable[[], float] = time.monotonic,
                 max_entries: int = 1_000) -> None:
        self.seconds, self.clock, self.max_entries = seconds, clock, max_entries
        self._entries: "OrderedDict[str, Tuple[str, float]]" = OrderedDict()

    def get(self, digest: str) -> Optional[str]:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if entry[1] <= self.clock():
            del self._entries[digest]
            return None
        return entry[0]

    def put(self, digest: str, agent: str) -> None:
        self._entries.pop(digest, None)
        self._entries[digest] = (agent, self.clock() + self.seconds)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
