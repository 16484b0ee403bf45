"""Shared state for any number of replicas: PostgreSQL through psycopg 3 and a connection pool.

``pip install 'interlock[postgres]'`` and ``INTERLOCK_DATABASE_URL=postgresql://user:pass@host/db``. Every
replica may claim async work: the claim's ``SELECT ... FOR UPDATE SKIP LOCKED`` makes concurrent claimers
skip each other's rows, and leases are measured on the database clock. Migrations run at start under a
transaction-scoped advisory lock, so replicas starting together apply each one once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import psycopg
import psycopg.errors
from psycopg_pool import ConnectionPool, PoolTimeout

from interlock.errors import ConfigError
from interlock.server.store.base import Cursor, Store, redact

__all__ = ["PostgresStore", "redact"]

#: pg_advisory_xact_lock key for migrations ("ilk" + schema).
_MIGRATION_LOCK = 0x696C6B_0001


def _why(url: str) -> str:
    """The reason a connection fails (one direct attempt; the pool only reports its timeout)."""
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as exc:
        return redact(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    return "timed out"


class PostgresStore(Store):
    """A PostgreSQL database shared by every replica.

    Args:
        url: a libpq connection URL (``postgresql://...``).
        pool_size: at most this many connections from this process.
        connect_timeout: seconds to wait for the first connection before giving up (ConfigError).
    """

    dialect: ClassVar[str] = "postgres"
    _lock_rows: ClassVar[str] = " FOR UPDATE SKIP LOCKED"

    def __init__(self, url: str, pool_size: int = 10, connect_timeout: float = 10.0) -> None:
        self.url = url
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max(1, pool_size),
            kwargs={"autocommit": True},
            check=ConnectionPool.check_connection,  # a connection broken by a database restart is replaced
            open=False,
            name="interlock",
        )
        try:
            self._pool.open(wait=True, timeout=connect_timeout)
        except PoolTimeout:
            self._pool.close()
            raise ConfigError(f"cannot connect to {redact(url)}: {_why(url)}") from None
        try:
            self.migrate()
        except BaseException:
            self._pool.close()
            raise

    @contextmanager
    def _tx(self) -> Iterator[Cursor]:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            yield cur

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._pool.connection() as conn:
            return conn.execute(self._sql(sql), tuple(params)).fetchall()

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s")

    def _now(self) -> tuple[str, tuple[float, ...]]:
        return "extract(epoch FROM clock_timestamp())::double precision", ()

    def _lock_schema(self, cur: Cursor) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))

    @staticmethod
    def _duplicate(exc: BaseException) -> bool:
        return isinstance(exc, psycopg.errors.UniqueViolation)

    def ping(self, timeout: float = 2.0) -> None:
        """``SELECT 1`` on a pooled connection (a broken one is replaced); raises when none comes in ``timeout``."""
        with self._pool.connection(timeout=timeout) as conn:
            conn.execute("SELECT 1").fetchall()

    def describe(self) -> str:
        return redact(self.url)

    def close(self) -> None:
        """Close the pool (waits for connections in use to come back)."""
        self._pool.close()
