"""``interlock serve``: run the AIRS-compatible scan server (FastAPI + uvicorn; ``pip install interlock[server]``).

Every flag has an ``INTERLOCK_<NAME>`` environment variable (``--rate-limit`` -> ``INTERLOCK_RATE_LIMIT``);
flags win.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import logging.config
import os
import sys
import time
from typing import Any

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the subcommand's arguments."""
    a = parser.add_argument
    a("--host", help="bind address (default 127.0.0.1)")
    a("--port", type=int, help="port (default 8443)")
    a("--db", help="SQLite database (default: the per-user data dir, ~/.local/share/interlock/interlock.db)")
    a("--database-url", help="postgresql://... shared by several replicas (instead of --db; extra 'postgres')")
    a("--db-pool-size", type=int, help="connections per process to --database-url (default 10)")
    a("--lease-seconds", type=float, help="an async item's claim without renewal; a dead replica's expire (default 30)")
    a("--profiles", action="append", metavar="FILE", help="extra profile file (repeatable)")
    a("--tls-cert", help="PEM certificate chain (the official SDK only talks https)")
    a("--tls-key", help="PEM private key")
    a("--workers", type=int, help="server processes (default 1; see docs/server.md before raising it)")
    a("--scan-threads", type=int, help="threads running sync scans (default 16)")
    a("--async-workers", type=int, help="threads processing async batches (default 4)")
    a("--engine-threads", type=int, help="detector thread pool size (default 16)")
    a("--max-inflight", type=int, help="sync scans running or queued per process before 429 (default 256)")
    a("--max-async-batch", type=int, help="items per async request (default 25; more -> 413)")
    a("--sync-body-limit", type=int, help="bytes (default 2 MiB)")
    a("--async-body-limit", type=int, help="bytes (default 5 MiB)")
    a("--max-urls", type=int, help="URLs per request (default 100; more -> 413)")
    a("--rate-limit", type=float, help="per-key scan calls per second (default 0 = unlimited)")
    a("--rate-burst", type=int, help="per-key scan burst (default = rate)")
    a("--redis-url", help="redis://... : rate limits shared by every replica (extra 'redis'; default per process)")
    a("--query-rate-limit", type=float, help="per-key results/reports calls per second (default 0 = unlimited)")
    a("--query-rate-burst", type=int, help="per-key query burst (default = rate)")
    a("--retention-seconds", type=int, help="keep completed scans this long (default 7 days)")
    a("--purge-interval", type=int, help="seconds between purges (default 600)")
    a("--verify-payload-hash", action="store_true", default=None, help="reject a wrong x-payload-hash (400)")
    a("--db-sync", choices=["normal", "full"], help="SQLite synchronous mode (default normal)")
    a("--log-level", choices=["debug", "info", "warning", "error"], help="default info")
    a("--no-access-log", dest="access_log", action="store_false", default=None, help="disable access logs")
    a("--http", choices=["auto", "h11", "httptools"], help="HTTP parser (default auto: httptools if installed)")
    a("--loop", choices=["auto", "asyncio", "uvloop"], help="event loop (default auto: uvloop if installed)")
    a("--shutdown-timeout", type=float, help="seconds to finish in-flight work on shutdown (default 30)")
    a("--drain-seconds", type=float, help="after SIGTERM, /readyz answers 503 this long before shutdown (default 0)")
    a("--warm-profiles", help="comma-separated profiles to warm before /readyz is 200 (default: every profile)")


class JsonFormatter(logging.Formatter):
    """One JSON object per line; access-log messages are already JSON objects and are merged in."""

    def format(self, record: logging.LogRecord) -> str:
        base = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        msg = record.getMessage()
        if record.name == "interlock.server.access":
            try:
                return json.dumps({**base, **json.loads(msg)})
            except ValueError:
                pass
        base["message"] = msg
        if record.exc_info:
            base["exc"] = self.formatException(record.exc_info)
        return json.dumps(base)


def _logging(level: str) -> dict[str, object]:
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": handler},
        "loggers": {
            "interlock": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


def run(args: argparse.Namespace) -> int:
    """Start the server; returns when it stops (0), or 2 on a configuration error."""
    try:
        import uvicorn

        from interlock.server.app import SETTINGS_ENV, create_app
        from interlock.server.settings import ServerSettings
    except ImportError as exc:
        print(f"interlock serve: {exc} (install interlock[server])", file=sys.stderr)  # noqa: T201
        return 2
    from interlock.errors import ConfigError

    names = [n for n in vars(args) if n not in ("command", "func")]
    overrides = {n: getattr(args, n) for n in names}
    try:
        settings = ServerSettings.from_env(**overrides)
        logging.config.dictConfig(_logging(settings.log_level))
        # Build once in this process so configuration errors (bad profile file, unwritable db) fail fast.
        app = create_app(settings)
    except (ConfigError, OSError) as exc:
        print(f"interlock serve: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    common: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "ssl_certfile": settings.tls_cert or None,
        "ssl_keyfile": settings.tls_key or None,
        "log_config": _logging(settings.log_level),
        "access_log": False,
        "timeout_graceful_shutdown": int(settings.shutdown_timeout),
        "lifespan": "on",
        "interface": "asgi3",
        "http": settings.http,
        "loop": settings.loop,
    }
    if settings.workers > 1:
        # Worker processes rebuild the app from the same settings (see interlock.server.app.app_from_env).
        os.environ[SETTINGS_ENV] = json.dumps(dataclasses.asdict(settings))
        state = app.state.interlock
        state.scanner.close()
        state.store.close()
        uvicorn.run("interlock.server.app:app_from_env", factory=True, workers=settings.workers, **common)
        return 0
    uvicorn.Server(uvicorn.Config(app, **common)).run()
    return 0
