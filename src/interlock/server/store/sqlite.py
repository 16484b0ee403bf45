"""The embedded default: one SQLite file in WAL mode, one connection per thread, no configuration.

Several server processes on one host may share the file (``--workers N``); writes are serialised by
``BEGIN IMMEDIATE``, and only the process holding ``<db>.jobs.lock`` dispatches async work (``dispatch_lock``),
so when it dies the next holder may void every lease at once instead of waiting for them to expire.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from interlock.server.store.base import Cursor, Store

__all__ = ["SqliteStore"]


class SqliteStore(Store):
    """Thread-safe access to a SQLite database file.

    Args:
        path: the SQLite file (parent folders are created); ``":memory:"`` is refused (threads need one file).
        synchronous: SQLite ``synchronous`` pragma, ``normal`` (crash-safe) or ``full`` (power-loss-safe).
    """

    dialect: ClassVar[str] = "sqlite"

    def __init__(self, path: str | Path, synchronous: str = "normal") -> None:
        if str(path) == ":memory:":
            raise ValueError("the server database must be a file")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.dispatch_lock = f"{self.path}.jobs.lock"
        self._sync = "FULL" if synchronous == "full" else "NORMAL"
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self.migrate()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self._sync}")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def _tx(self) -> Iterator[Cursor]:
        db = self._conn()
        # One writer at a time in this process, queued on a lock: threads that met SQLite's write lock would
        # instead sleep in its busy handler (1, 2, 5, 10 ... 100 ms steps) and the scan threads would idle.
        # Other processes on the same file (--workers N) still meet the busy handler.
        with self._write_lock:
            db.execute("BEGIN IMMEDIATE")  # the write lock up front: a claim's SELECT and UPDATE are one step
            try:
                yield db.cursor()
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self._conn().execute(sql, tuple(params)).fetchall()

    def _lock_schema(self, cur: Cursor) -> None:
        pass  # BEGIN IMMEDIATE already excludes every other writer

    @staticmethod
    def _duplicate(exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.IntegrityError)

    def describe(self) -> str:
        return f"sqlite:{self.path}"

    def close(self) -> None:
        """Close every connection opened by any thread."""
        with self._lock:
            for conn in self._all:
                try:
                    conn.close()
                except sqlite3.ProgrammingError:  # pragma: no cover - closed from its own thread already
                    pass
            self._all.clear()
        self._local = threading.local()
