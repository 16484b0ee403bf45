"""Per-key token buckets (monotonic clock, thread-safe): per process, or shared by replicas through Redis."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from interlock.errors import ConfigError

__all__ = ["RedisTokenBuckets", "TokenBuckets", "buckets"]

log = logging.getLogger("interlock.server.ratelimit")


class TokenBuckets:
    """One token bucket per key: ``rate`` tokens per second, at most ``burst`` stored.

    Args:
        rate: refill rate in tokens per second; 0 disables limiting.
        burst: bucket capacity (a full bucket allows this many calls at once).
        clock: monotonic clock (injectable for tests).
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take one token; return 0.0 when allowed, else the seconds until a token is available."""
        if self.rate <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate


#: One token bucket in a Redis hash, refilled on the Redis clock, so every replica shares it. Returns the wait in
#: seconds as a string (Lua numbers would be truncated to integers).
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens, ts = tonumber(b[1]), tonumber(b[2])
if tokens == nil or ts == nil then tokens, ts = burst, now end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""


class RedisTokenBuckets(TokenBuckets):
    """The same buckets, shared by every replica through Redis (one atomic script call per request).

    When Redis cannot be reached (timeout ``timeout`` seconds), the bucket of this process is used instead for
    ``retry_after`` seconds before Redis is tried again, so an outage degrades to per-replica limits (rather than
    refusing or waving through all traffic) and does not stall every request on a timeout. The call is made on
    the caller's thread: one loopback round trip (~0.1 ms) per limited request.

    Args:
        url: ``redis://``, ``rediss://`` or ``unix://`` URL.
        rate, burst: as for :class:`TokenBuckets`.
        name: separates bucket families (``scan``, ``query``) in the key space.
    """

    def __init__(
        self, url: str, rate: float, burst: int, name: str, timeout: float = 0.25, retry_after: float = 5.0
    ) -> None:
        import redis

        super().__init__(rate, burst)
        self._redis = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self._script = self._redis.register_script(_TAKE)
        self._prefix = f"interlock:rate:{name}:"
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self._retry_after = retry_after
        self._down_until = 0.0

    def take(self, key: str) -> float:
        """Take one token from the shared bucket; 0.0 when allowed, else the seconds until one is available."""
        if self.rate <= 0:
            return 0.0
        if time.monotonic() >= self._down_until:
            try:
                return float(self._script(keys=[self._prefix + key], args=[self.rate, self.burst]))
            except self._errors as exc:
                self._down_until = time.monotonic() + self._retry_after
                log.warning("shared rate limit unavailable (%s): limiting per process", type(exc).__name__)
        return super().take(key)

    def close(self) -> None:
        """Close the Redis connections."""
        self._redis.close()


def buckets(rate: float, burst: int, redis_url: str, name: str) -> TokenBuckets:
    """Shared buckets when ``redis_url`` is set (and limiting is on), else per-process ones."""
    if redis_url and rate > 0:
        try:
            return RedisTokenBuckets(redis_url, rate, burst, name)
        except ImportError:
            raise ConfigError("a redis_url needs the redis client: pip install 'interlock[redis]'") from None
    return TokenBuckets(rate, burst)
