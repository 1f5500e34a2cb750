"""Rasa's Redis tracker and lock stores: bounded conversations, reconnecting through a
Redis restart.

endpoints.yml names these classes instead of `type: redis`. The tracker store keeps only
what a turn needs (`tracker_window.current_window`: the current session, its last
`kept_turns` turns and a snapshot of the state before them), so a turn costs the same
after a thousand earlier ones; Rasa's own store kept and replayed every event of every
session. Same keys, TTL (`record_exp`) and ticket locks as Rasa's stores; the clients
retry with backoff (appointments/adapters/redis_retry.py), so a turn that meets a restarting Redis
waits a moment instead of failing.
"""
from __future__ import annotations

from typing import Any, Optional

from rasa.core.lock_store import RedisLockStore
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from appointments.rasa.tracker_window import DEFAULT_KEPT_TURNS, current_window
from appointments.adapters.redis_retry import blocking_retry


class BoundedRedisTrackerStore(RedisTrackerStore):
    def __init__(self, *args: Any, kept_turns: Any = DEFAULT_KEPT_TURNS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept_turns = int(kept_turns or DEFAULT_KEPT_TURNS)
        blocking_retry(self.red)

    async def save(self, tracker: DialogueStateTracker, timeout: Optional[float] = None) -> None:
        """New events to the event broker, then the current window replaces the stored
        one (no read-merge of the old history as Rasa's store does)."""
        await self.stream_events(tracker)
        window = current_window(tracker, self.kept_turns)
        self.red.set(self.key_prefix + tracker.sender_id, self.serialise_tracker(window),
                     ex=timeout or self.record_exp)

    async def _retrieve(
        self, sender_id: str, fetch_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        """The stored window (it holds only the current session)."""
        stored = self.red.get(self.key_prefix + sender_id)
        if stored is None:
            return None
        return self.deserialise_tracker(sender_id, stored)


class RetryingRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        # Rasa builds custom lock stores from the endpoint config alone.
        options = dict(endpoint_config.kwargs)
        options.pop("type", None)
        super().__init__(host=endpoint_config.url or "localhost", **options)
        blocking_retry(self.red)
