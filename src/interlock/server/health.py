"""Liveness and readiness for load balancers and orchestrators.

``GET /livez`` answers 200 while the process's event loop runs (restart the replica when it stops answering).
``GET /readyz`` answers 200 only when the replica can take traffic, else 503, with the checks in the body:

* ``phase``: ``starting`` until the detectors of every served profile are built and warmed (in the background,
  right after start, so the first request does not pay for model loads and lazy tables), ``ready``, then
  ``draining`` from the first SIGTERM on (see :func:`install_drain`);
* ``database``: one ``SELECT 1`` on the store (SQLite file or PostgreSQL pool) within a timeout;
* ``redis``: a ``PING`` when ``redis_url`` is configured (the shared rate limits live there);
* ``detectors``: the warm-up finished and no served profile failed to build.

``GET /v1/internal/health`` (AIRS's own route) is unchanged: 200 with an empty body, no checks.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any, Literal

from pydantic import BaseModel

from interlock.server.store import Store
from interlock.server.store.base import redact

__all__ = ["Check", "Readiness", "ReadinessReport", "install_drain"]

log = logging.getLogger("interlock.server")
Phase = Literal["starting", "ready", "draining"]


class Check(BaseModel):
    """One readiness check."""

    ok: bool
    ms: float | None = None
    detail: str | None = None


class ReadinessReport(BaseModel):
    """The body of ``/readyz`` (200 when ``ready`` is true, else 503)."""

    ready: bool
    phase: Phase
    checks: dict[str, Check]


class Readiness:
    """The replica's phase and the checks behind ``/readyz``.

    Args:
        store: the database to ping.
        redis_url: ping this Redis too (empty: not configured, no check).
        db_timeout: seconds a database ping may take before it counts as down.
        redis_timeout: seconds for the Redis ping.
    """

    def __init__(self, store: Store, redis_url: str = "", db_timeout: float = 2.0, redis_timeout: float = 0.5) -> None:
        self.store = store
        self.db_timeout = db_timeout
        self.phase: Phase = "starting"
        self.warmed: dict[str, dict[str, float]] = {}
        self.failed: dict[str, str] = {}
        self.warm_ms: float | None = None
        self._redis: Any = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(
                redis_url, socket_timeout=redis_timeout, socket_connect_timeout=redis_timeout
            )
        self._lock = threading.Lock()

    # -- phases --------------------------------------------------------------------------------------------

    def warm(self, profiles: list[str], warm_one: Callable[[str], dict[str, float]]) -> None:
        """Warm each profile (``warm_one(name)`` builds and warms its detectors), then become ready unless
        draining started meanwhile. A profile that fails is recorded (the replica stays not ready) and logged."""
        t0 = time.perf_counter()
        for name in profiles:
            try:
                self.warmed[name] = warm_one(name)
            except Exception as exc:  # a detector that cannot be built: the profile would fail every scan
                self.failed[name] = f"{type(exc).__name__}: {str(exc)[:200]}"
                log.error("warm-up of profile %r failed: %s", name, self.failed[name])
        self.warm_ms = round((time.perf_counter() - t0) * 1000, 1)
        with self._lock:
            if self.phase == "starting":
                self.phase = "ready"
        log.info(
            "detectors warmed in %.0f ms (%d profile(s)%s)",
            self.warm_ms,
            len(self.warmed),
            f", {len(self.failed)} failed" if self.failed else "",
        )

    def drain(self) -> None:
        """From now on ``/readyz`` answers 503 (the replica is shutting down)."""
        with self._lock:
            self.phase = "draining"

    # -- checks --------------------------------------------------------------------------------------------

    def report(self) -> ReadinessReport:
        """Run the checks (blocking: call it off the event loop)."""
        checks = {"database": _timed(lambda: self.store.ping(self.db_timeout))}
        if self._redis is not None:
            checks["redis"] = _timed(self._redis.ping)
        if self.failed:
            detail = "; ".join(f"{name}: {why}" for name, why in sorted(self.failed.items()))
            checks["detectors"] = Check(ok=False, ms=self.warm_ms, detail=detail)
        elif self.warm_ms is None:
            checks["detectors"] = Check(ok=False, detail="warming up")
        else:
            checks["detectors"] = Check(ok=True, ms=self.warm_ms, detail=f"{len(self.warmed)} profile(s) warmed")
        phase = self.phase
        ready = phase == "ready" and all(c.ok for c in checks.values())
        return ReadinessReport(ready=ready, phase=phase, checks=checks)

    def close(self) -> None:
        """Close the Redis client."""
        if self._redis is not None:
            self._redis.close()


def _timed(fn: Callable[[], object]) -> Check:
    t0 = time.perf_counter()
    try:
        fn()
    except Exception as exc:  # any failure means "cannot serve"; the reason goes to the body (never a password)
        return Check(ok=False, ms=_ms(t0), detail=redact(f"{type(exc).__name__}: {str(exc).strip()[:200]}"))
    return Check(ok=True, ms=_ms(t0))


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)


def install_drain(readiness: Readiness, drain_seconds: float) -> Callable[[], None]:
    """Make SIGTERM drain first: ``/readyz`` turns 503 at once, and the server's own shutdown (stop accepting,
    finish in-flight requests) starts ``drain_seconds`` later, so a load balancer polling readiness stops sending
    new requests before the listener closes. A second SIGTERM (or SIGINT) shuts down at once.

    Wraps the handler the server installed (uvicorn's); only possible on the main thread (else a no-op).
    Returns a function restoring the previous handler.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.getsignal(signal.SIGTERM)
    if not callable(previous):
        return lambda: None
    loop = asyncio.get_running_loop()
    forward: Callable[[int, FrameType | None], Any] = previous

    def on_term(sig: int, frame: FrameType | None) -> None:
        if readiness.phase == "draining" or drain_seconds <= 0:
            readiness.drain()
            forward(sig, frame)
            return
        readiness.drain()
        log.info("SIGTERM: not ready; shutting down in %.1f s", drain_seconds)
        loop.call_soon_threadsafe(loop.call_later, drain_seconds, forward, sig, None)

    signal.signal(signal.SIGTERM, on_term)

    def restore() -> None:
        if signal.getsignal(signal.SIGTERM) is on_term:
            signal.signal(signal.SIGTERM, previous)

    return restore
