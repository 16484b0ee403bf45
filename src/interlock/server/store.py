"""SQLite persistence: scans (sync and async items, pending work) and API keys.

One database file in WAL mode, one connection per thread. An accepted async batch is committed before the
server answers 200; a worker turns an item ``pending`` -> ``complete`` in one ``UPDATE ... WHERE status =
'pending'``, so an item is stored exactly once even if it is scanned twice around a crash. The request text is
kept only while an item is pending and erased when it completes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ItemRow", "KeyRow", "Store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS scan_items (
    scan_id      TEXT NOT NULL,
    req_id       INTEGER NOT NULL,
    owner        TEXT,
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL,
    request      TEXT,
    response     TEXT,
    report       TEXT,
    received_at  REAL NOT NULL,
    completed_at REAL,
    PRIMARY KEY (scan_id, req_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS scan_items_pending ON scan_items (status) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS scan_items_completed ON scan_items (completed_at);
CREATE TABLE IF NOT EXISTS api_keys (
    key_id      TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    salt        BLOB NOT NULL,
    digest      BLOB NOT NULL,
    profiles    TEXT NOT NULL,
    created_at  REAL NOT NULL,
    revoked_at  REAL
);
"""


@dataclass(frozen=True)
class ItemRow:
    """One scanned (or pending) item."""

    scan_id: str
    req_id: int
    status: str
    response: str | None
    report: str | None


@dataclass(frozen=True)
class KeyRow:
    """A stored API key (never the key itself)."""

    key_id: str
    name: str
    salt: bytes
    digest: bytes
    profiles: tuple[str, ...]
    created_at: float
    revoked_at: float | None

    @property
    def active(self) -> bool:
        """False once revoked."""
        return self.revoked_at is None


class Store:
    """Thread-safe access to the server database.

    Args:
        path: the SQLite file (parent folders are created); ``":memory:"`` is refused (threads need one file).
        synchronous: SQLite ``synchronous`` pragma, ``normal`` (crash-safe) or ``full`` (power-loss-safe).
    """

    def __init__(self, path: str | Path, synchronous: str = "normal") -> None:
        if str(path) == ":memory:":
            raise ValueError("the server database must be a file")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._sync = "FULL" if synchronous == "full" else "NORMAL"
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._conn().executescript(_SCHEMA)

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
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

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

    # -- scans ---------------------------------------------------------------------------------------------

    def add_pending(self, scan_id: str, owner: str | None, items: Sequence[tuple[int, str]]) -> None:
        """Persist an accepted async batch: ``items`` are ``(req_id, request JSON)``."""
        now = time.time()
        with self._tx() as db:
            db.executemany(
                "INSERT INTO scan_items (scan_id, req_id, owner, kind, status, request, received_at)"
                " VALUES (?, ?, ?, 'async', 'pending', ?, ?)",
                [(scan_id, req_id, owner, request, now) for req_id, request in items],
            )

    def add_complete(self, scan_id: str, req_id: int, owner: str | None, response: str, report: str) -> None:
        """Store a finished sync scan."""
        now = time.time()
        with self._tx() as db:
            db.execute(
                "INSERT INTO scan_items (scan_id, req_id, owner, kind, status, response, report, received_at,"
                " completed_at) VALUES (?, ?, ?, 'sync', 'complete', ?, ?, ?, ?)",
                (scan_id, req_id, owner, response, report, now, now),
            )

    def complete(self, scan_id: str, req_id: int, response: str, report: str) -> bool:
        """Mark a pending item complete (erasing its request text). False if it was not pending."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE scan_items SET status = 'complete', response = ?, report = ?, request = NULL,"
                " completed_at = ? WHERE scan_id = ? AND req_id = ? AND status = 'pending'",
                (response, report, time.time(), scan_id, req_id),
            )
            return cur.rowcount == 1

    def pending(self, limit: int = -1) -> list[tuple[str, int]]:
        """Pending items, oldest first (at most ``limit``; -1 = all)."""
        rows = self._conn().execute(
            "SELECT scan_id, req_id FROM scan_items WHERE status = 'pending'"
            " ORDER BY received_at, scan_id, req_id LIMIT ?",
            (limit,),
        )
        return [(r[0], int(r[1])) for r in rows]

    def pending_request(self, scan_id: str, req_id: int) -> str | None:
        """The request JSON of a pending item, or None when it is no longer pending."""
        row = (
            self._conn()
            .execute(
                "SELECT request FROM scan_items WHERE scan_id = ? AND req_id = ? AND status = 'pending'",
                (scan_id, req_id),
            )
            .fetchone()
        )
        return None if row is None else str(row[0])

    def items(self, scan_ids: Iterable[str], owner: str | None) -> dict[str, list[ItemRow]]:
        """Items of the given scans visible to ``owner``, by scan id, in ``req_id`` order."""
        ids = list(dict.fromkeys(scan_ids))
        marks = ",".join("?" * len(ids))
        rows = self._conn().execute(
            f"SELECT scan_id, req_id, status, response, report FROM scan_items WHERE scan_id IN ({marks})"  # noqa: S608
            " AND owner IS ? ORDER BY scan_id, req_id",
            (*ids, owner),
        )
        out: dict[str, list[ItemRow]] = {}
        for scan_id, req_id, status, response, report in rows:
            out.setdefault(scan_id, []).append(ItemRow(scan_id, int(req_id), status, response, report))
        return out

    def count_pending(self) -> int:
        """Number of pending items."""
        return int(self._conn().execute("SELECT count(*) FROM scan_items WHERE status = 'pending'").fetchone()[0])

    def purge(self, older_than_seconds: float) -> int:
        """Delete completed items finished more than ``older_than_seconds`` ago; return how many."""
        cutoff = time.time() - older_than_seconds
        with self._tx() as db:
            cur = db.execute("DELETE FROM scan_items WHERE status = 'complete' AND completed_at < ?", (cutoff,))
            return cur.rowcount

    # -- keys ----------------------------------------------------------------------------------------------

    def add_key(self, key_id: str, name: str, salt: bytes, digest: bytes, profiles: Sequence[str]) -> None:
        """Store a new key's salted digest."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO api_keys (key_id, name, salt, digest, profiles, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (key_id, name, salt, digest, json.dumps(list(profiles)), time.time()),
            )

    def key(self, key_id: str) -> KeyRow | None:
        """Look a key up by its public id."""
        row = (
            self._conn()
            .execute(
                "SELECT key_id, name, salt, digest, profiles, created_at, revoked_at FROM api_keys WHERE key_id = ?",
                (key_id,),
            )
            .fetchone()
        )
        return None if row is None else _key_row(row)

    def keys(self) -> list[KeyRow]:
        """Every key, oldest first."""
        rows = self._conn().execute(
            "SELECT key_id, name, salt, digest, profiles, created_at, revoked_at FROM api_keys ORDER BY created_at"
        )
        return [_key_row(r) for r in rows]

    def revoke_key(self, id_or_name: str) -> int:
        """Revoke the active keys with this id or name; return how many were revoked."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE (key_id = ? OR name = ?) AND revoked_at IS NULL",
                (time.time(), id_or_name, id_or_name),
            )
            return cur.rowcount


def _key_row(row: Any) -> KeyRow:
    return KeyRow(row[0], row[1], bytes(row[2]), bytes(row[3]), tuple(json.loads(row[4])), row[5], row[6])
