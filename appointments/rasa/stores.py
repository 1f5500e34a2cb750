"""Rasa's Redis tracker and lock stores, reconnecting through a Redis restart.

endpoints.yml names these classes instead of `type: redis`; they are Rasa's own stores
(same keys, same TTL, same ticket locks) whose clients retry with backoff
(appointments/redis_retry.py), so a turn that meets a restarting Redis waits a moment
instead of failing.
"""
from __future__ import annotations

from typing import Any

from rasa.core.lock_store import RedisLockStore
from rasa.core.tracker_store import RedisTrackerStore
from rasa.utils.endpoints import EndpointConfig

from appointments.redis_retry import blocking_retry


class RetryingRedisTrackerStore(RedisTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blocking_retry(self.red)


class RetryingRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        # Rasa builds custom lock stores from the endpoint config alone.
        options = dict(endpoint_config.kwargs)
        options.pop("type", None)
        super().__init__(host=endpoint_config.url or "localhost", **options)
        blocking_retry(self.red)
