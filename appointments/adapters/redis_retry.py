"""Redis clients that ride out a Redis restart instead of failing the turn under way.

A redis-py client keeps pooled connections; after Redis restarts, the first command on
each of them fails with ConnectionError, and by default redis-py does not retry it.
Reconnecting with backoff for a few seconds covers a restart (Redis with appendonly
comes back with its data, so the conversation continues where it was).
"""
from __future__ import annotations

from typing import Any

from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, TimeoutError
from redis.retry import Retry

# OSError too: while Redis is down, connecting fails with ConnectionRefusedError, which
# redis-py's connect() retries only if it is named here.
RETRY_ERRORS = [ConnectionError, TimeoutError, OSError]


def blocking_retry(client: Any, retries: int = 8) -> Any:
    """Give a synchronous client (not yet connected) up to ~4 s of reconnect attempts."""
    client.get_connection_kwargs().update(
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), retries),
        retry_on_error=list(RETRY_ERRORS),
    )
    return client


def async_client(url: str, retries: int = 3) -> Any:
    """A redis.asyncio client with a short retry (~0.4 s): it serves the webhook, which
    should rather fall back than keep Twilio waiting."""
    import redis.asyncio

    return redis.asyncio.Redis.from_url(
        url,
        retry=AsyncRetry(ExponentialBackoff(cap=0.5, base=0.05), retries),
        retry_on_error=list(RETRY_ERRORS),
        socket_connect_timeout=2,
    )
