"""Server settings: defaults, ``INTERLOCK_*`` environment variables, then CLI flags (later wins)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from interlock.errors import ConfigError

__all__ = ["ServerSettings", "default_db_path", "ENV_PREFIX"]

ENV_PREFIX = "INTERLOCK_"


def default_db_path() -> Path:
    """``$XDG_DATA_HOME/interlock/interlock.db`` (``~/.local/share/...``), the per-user data directory."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "interlock" / "interlock.db"


@dataclass
class ServerSettings:
    """Everything ``interlock serve`` can be configured with.

    Each field ``x`` can be set by the environment variable ``INTERLOCK_X`` (upper case), e.g.
    ``INTERLOCK_DB=/var/lib/interlock.db``, ``INTERLOCK_RATE_LIMIT=50``.
    """

    host: str = "127.0.0.1"
    port: int = 8443
    #: SQLite file (the embedded default); ignored when ``database_url`` is set.
    db: str = ""
    #: ``postgresql://user:pass@host:5432/db``: shared state for several replicas (extra ``postgres``).
    database_url: str = ""
    #: Connections per process to ``database_url``.
    db_pool_size: int = 10
    #: Seconds an async item stays claimed by a runner without renewal; a replica that dies loses its claims
    #: after this long and another replica takes the items over (renewed every third of it while working).
    lease_seconds: float = 30.0
    #: Extra profile files (``os.pathsep``-separated in the environment); built-ins are always loaded.
    profiles: list[str] = field(default_factory=list)
    tls_cert: str = ""
    tls_key: str = ""
    #: uvicorn worker processes sharing the port (each has its own threads, rate limiter and async workers).
    workers: int = 1
    #: Threads running sync scans (each waits on the engine's detector pool).
    scan_threads: int = 16
    #: Threads processing queued async items.
    async_workers: int = 4
    #: Detector thread pool size of the shared engine.
    engine_threads: int = 16
    #: Sync scans and batch admissions running or queued per process; more -> 429 (back-pressure).
    max_inflight: int = 256
    max_async_batch: int = 25
    sync_body_limit: int = 2 * 1024 * 1024
    async_body_limit: int = 5 * 1024 * 1024
    max_urls: int = 100
    #: Per-key token bucket for scan calls: tokens per second (0 disables) and burst size.
    rate_limit: float = 0.0
    rate_burst: int = 0
    #: Per-key token bucket for results/reports queries (requests per second; 0 disables).
    query_rate_limit: float = 0.0
    query_rate_burst: int = 0
    #: ``redis://host:6379/0``: per-key rate limits shared by every replica (extra ``redis``).
    redis_url: str = ""
    #: How long completed scans are kept, and how often the purge runs (seconds).
    retention_seconds: int = 7 * 24 * 3600
    purge_interval: int = 600
    verify_payload_hash: bool = False
    #: SQLite ``synchronous`` pragma: ``full`` survives power loss; ``normal`` survives process crashes.
    db_sync: Literal["full", "normal"] = "normal"
    log_level: str = "info"
    access_log: bool = True
    #: uvicorn HTTP parser and event loop (``auto`` uses httptools/uvloop when installed).
    http: Literal["auto", "h11", "httptools"] = "auto"
    loop: Literal["auto", "asyncio", "uvloop"] = "auto"
    #: Seconds to wait for in-flight work at shutdown.
    shutdown_timeout: float = 30.0
    #: Seconds between SIGTERM (``/readyz`` turns 503) and the start of shutdown, so a load balancer polling
    #: readiness stops routing new requests here before the listener closes (0: shut down at once).
    drain_seconds: float = 0.0
    #: Comma-separated profile names whose detectors are built and warmed at start before ``/readyz`` says
    #: ready (empty: every profile the server knows).
    warm_profiles: str = ""

    @property
    def warm_profile_names(self) -> list[str] | None:
        """``warm_profiles`` as a list, None for "every profile"."""
        names = [n.strip() for n in self.warm_profiles.split(",") if n.strip()]
        return names or None

    def __post_init__(self) -> None:
        if not self.db:
            self.db = str(default_db_path())
        if self.rate_limit and not self.rate_burst:
            self.rate_burst = max(1, int(self.rate_limit))
        if self.query_rate_limit and not self.query_rate_burst:
            self.query_rate_burst = max(1, int(self.query_rate_limit))
        self.validate()

    def validate(self) -> None:
        """Raise ConfigError on inconsistent settings."""
        positive: tuple[str, ...] = ("workers", "max_inflight", "scan_threads", "async_workers", "engine_threads")
        positive += ("max_async_batch", "db_pool_size", "lease_seconds")
        limits = ("sync_body_limit", "async_body_limit", "max_urls", "retention_seconds", "purge_interval")
        for name in (*positive, *limits):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive")
        if self.drain_seconds < 0:
            raise ConfigError("drain_seconds must not be negative")
        if min(self.rate_limit, self.query_rate_limit, self.rate_burst, self.query_rate_burst) < 0:
            raise ConfigError("rate limits must not be negative")
        if bool(self.tls_cert) != bool(self.tls_key):
            raise ConfigError("--tls-cert and --tls-key go together")
        if self.database_url and not self.database_url.startswith(("postgresql://", "postgres://")):
            raise ConfigError("database_url must be a postgresql:// URL")
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError("redis_url must be a redis://, rediss:// or unix:// URL")
        if self.db_sync not in ("full", "normal"):
            raise ConfigError("db_sync must be 'full' or 'normal'")
        if self.http not in ("auto", "h11", "httptools") or self.loop not in ("auto", "asyncio", "uvloop"):
            raise ConfigError("http must be auto|h11|httptools and loop auto|asyncio|uvloop")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> ServerSettings:
        """Build settings from ``INTERLOCK_*`` variables, then ``overrides`` (ignored when None)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "profiles":  # INTERLOCK_PROFILES is read by ProfileStore.default() itself
                continue
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.name, str(f.type), raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except TypeError as exc:
            raise ConfigError(str(exc)) from None


def _coerce(name: str, type_name: str, raw: str) -> Any:
    try:
        if type_name == "bool":
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if type_name == "int":
            return int(raw)
        if type_name == "float":
            return float(raw)
        if type_name.startswith("list"):
            return [p for p in raw.split(os.pathsep) if p]
    except ValueError:
        raise ConfigError(f"{ENV_PREFIX}{name.upper()}: invalid value {raw!r}") from None
    return raw
