"""Per-key rate limits shared by replicas through a real Redis; per-process fallback when Redis is down."""

from __future__ import annotations

import time

import pytest

from interlock.errors import ConfigError
from interlock.server.ratelimit import RedisTokenBuckets, TokenBuckets, buckets
from interlock.server.settings import ServerSettings


def test_two_replicas_draw_from_one_bucket(redis_url: str) -> None:
    a = RedisTokenBuckets(redis_url, rate=10.0, burst=3, name=f"t{time.time_ns()}")
    b = RedisTokenBuckets(redis_url, rate=10.0, burst=3, name=a._prefix.split(":")[2])
    try:
        assert [a.take("k"), b.take("k"), a.take("k")] == [0.0, 0.0, 0.0]  # the burst, across both
        wait = b.take("k")
        assert 0.05 < wait <= 0.1  # empty for b too: one token per 0.1 s
        assert a.take("other") == 0.0  # buckets are per key
        time.sleep(wait + 0.02)
        assert b.take("k") == 0.0 and a.take("k") > 0
        allowed, t0 = 0, time.monotonic()
        while time.monotonic() - t0 < 1.0:  # both replicas as fast as they can: ~rate per second in total
            allowed += sum(1 for x in (a, b) if x.take("flood") == 0.0)
        assert 3 + 10 * 0.9 <= allowed <= 3 + 10 * 1.1
    finally:
        a.close()
        b.close()


def test_redis_down_falls_back_to_the_process_bucket_without_stalling() -> None:
    pytest.importorskip("redis", reason="redis client not installed (pip install 'interlock[redis]')")
    shared = RedisTokenBuckets("redis://127.0.0.1:1/0", rate=1.0, burst=2, name="down", timeout=0.2)
    t0 = time.monotonic()
    assert [shared.take("k"), shared.take("k")] == [0.0, 0.0] and shared.take("k") > 0  # limited, locally
    assert time.monotonic() - t0 < 1.0  # one failed attempt, then Redis is left alone for a while
    shared.close()


def test_buckets_factory_and_settings(redis_url: str) -> None:
    assert type(buckets(5, 5, "", "scan")) is TokenBuckets
    assert type(buckets(0, 0, redis_url, "scan")) is TokenBuckets  # limiting off: no Redis needed
    shared = buckets(5, 5, redis_url, "scan")
    assert isinstance(shared, RedisTokenBuckets)
    shared.close()
    assert ServerSettings.from_env({"INTERLOCK_REDIS_URL": redis_url}, db="x").redis_url == redis_url
    with pytest.raises(ConfigError, match="redis://"):
        ServerSettings(db="x", redis_url="http://nope")
