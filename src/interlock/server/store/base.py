"""The store interface: every query the server makes, written once in portable SQL over a DB-API cursor.

A backend supplies connections (``_tx`` for a transaction, ``_read`` for one autocommit query), the placeholder
style, the claim query (how pending items are leased) and where its migrations live. Everything else (items,
results, keys, purge, migrations) is shared, so SQLite and PostgreSQL answer identically.

Exactly-once, as the caller sees it: an item moves ``pending`` -> ``complete`` in one ``UPDATE ... WHERE status =
'pending'``, so whichever runner stores first wins and a second completion (a takeover after a lease expired
while the first runner was merely slow, or a rescan after a crash) changes nothing.
"""

from __future__ import annotations

import json
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any, ClassVar, Protocol

from interlock.errors import ConfigError

__all__ = ["Claim", "Cursor", "DuplicateItemError", "ItemRow", "KeyRow", "Migration", "Store", "migrations", "redact"]


def redact(text: str) -> str:
    """``text`` with the password of any URL in it replaced by ``***``."""
    return re.sub(r"(://[^:/@\s]+):[^@\s]*@", r"\1:***@", text)


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


@dataclass(frozen=True)
class Claim:
    """A pending item leased to one runner; ``attempts`` counts every claim of it, this one included."""

    scan_id: str
    req_id: int
    attempts: int


@dataclass(frozen=True)
class Migration:
    """One versioned SQL file ``NNNN_name.sql``."""

    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        """The file's statements (each ends with ``;`` at the end of a line)."""
        return [s.strip() for s in re.split(r";[ \t]*$", self.sql, flags=re.M) if _code(s)]


def _code(sql: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in sql.splitlines())


def migrations(dialect: str) -> list[Migration]:
    """The migrations shipped for a backend, in version order."""
    folder = resources.files("interlock.server.store") / "migrations" / dialect
    found: list[Migration] = []
    for entry in folder.iterdir():
        m = re.fullmatch(r"(\d{4})_(\w+)\.sql", entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda mig: mig.version)
    if [mig.version for mig in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"{dialect} migrations are not numbered 1..n: {[mig.version for mig in found]}")
    return found


class DuplicateItemError(ValueError):
    """An item with this ``(scan_id, req_id)`` or a key with this id exists already."""


class Cursor(Protocol):
    """The part of a DB-API cursor the store uses (sqlite3 and psycopg both fit)."""

    @property
    def rowcount(self) -> int: ...

    def execute(self, sql: Any, params: Any = ..., /) -> Any: ...

    def executemany(self, sql: Any, params: Any, /) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchone(self) -> Any: ...


_KEY_COLUMNS = "key_id, name, salt, digest, profiles, created_at, revoked_at"


class Store(ABC):
    """Thread-safe access to the server database (see the module docstring).

    ``Store(path, synchronous=...)`` itself opens the embedded SQLite store (as before backends existed);
    :func:`interlock.server.store.open_store` picks the backend from the settings.
    """

    #: Folder under ``migrations/``.
    dialect: ClassVar[str]
    #: A file that a runner must hold an exclusive lock on to dispatch async work (one dispatcher per SQLite
    #: file), or None when every runner may claim work (leases alone keep runners apart).
    dispatch_lock: str | None = None

    def __new__(cls, *args: Any, **kwargs: Any) -> Store:
        if cls is Store:
            from interlock.server.store.sqlite import SqliteStore

            cls = SqliteStore
        return super().__new__(cls)

    # -- backend hooks -------------------------------------------------------------------------------------

    @abstractmethod
    def _tx(self) -> AbstractContextManager[Cursor]:
        """A cursor inside one transaction: committed on exit, rolled back on an exception."""

    @abstractmethod
    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Rows of one read-only query (``?`` placeholders)."""

    @abstractmethod
    def _lock_schema(self, cur: Cursor) -> None:
        """Serialise migrations between processes starting at once (inside the migration transaction)."""

    @abstractmethod
    def close(self) -> None:
        """Close every connection."""

    @abstractmethod
    def describe(self) -> str:
        """Where the data lives, for logs (never a password)."""

    @staticmethod
    def _duplicate(exc: BaseException) -> bool:
        """True when ``exc`` is the backend's unique-constraint violation."""
        return False

    def _sql(self, sql: str) -> str:
        """Portable SQL (``?`` placeholders) in the backend's placeholder style."""
        return sql

    def _now(self) -> tuple[str, tuple[float, ...]]:
        """An SQL expression for the current epoch second and its parameters (the database clock where there
        is one, so that replicas with skewed clocks agree on lease expiry)."""
        return "?", (time.time(),)

    #: Appended to the claim query's SELECT so concurrent claimers skip each other's rows.
    _lock_rows: ClassVar[str] = ""

    # -- schema --------------------------------------------------------------------------------------------

    def migrate(self) -> int:
        """Apply the shipped migrations this database lacks, with their ``schema_version`` rows, in one
        transaction (all or none); return the schema version. Refuses a database migrated by a newer Interlock."""
        known = migrations(self.dialect)
        with self._tx() as cur:
            self._lock_schema(cur)
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at DOUBLE PRECISION NOT NULL)"
            )
            cur.execute("SELECT coalesce(max(version), 0) FROM schema_version")
            current = int(cur.fetchone()[0])
            if current > len(known):
                raise ConfigError(
                    f"database schema version {current} is newer than this Interlock knows ({len(known)}): upgrade"
                )
            for mig in known[current:]:
                for statement in mig.statements():
                    cur.execute(statement)
                cur.execute(
                    self._sql("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)"),
                    (mig.version, mig.name, time.time()),
                )
        return len(known)

    def ping(self, timeout: float = 2.0) -> None:
        """Raise unless the database answers a query (within ``timeout`` seconds where the backend can bound it)."""
        self._read("SELECT 1")

    def schema_version(self) -> int:
        """The highest applied migration."""
        return int(self._read("SELECT coalesce(max(version), 0) FROM schema_version")[0][0])

    # -- scans ---------------------------------------------------------------------------------------------

    def add_pending(self, scan_id: str, owner: str | None, items: Sequence[tuple[int, str]]) -> None:
        """Persist an accepted async batch: ``items`` are ``(req_id, request JSON)``."""
        now = time.time()
        sql = self._sql(
            "INSERT INTO scan_items (scan_id, req_id, owner, kind, status, request, received_at)"
            " VALUES (?, ?, ?, 'async', 'pending', ?, ?)"
        )
        with self._writing() as cur:
            cur.executemany(sql, [(scan_id, req_id, owner, request, now) for req_id, request in items])

    def add_complete(self, scan_id: str, req_id: int, owner: str | None, response: str, report: str) -> None:
        """Store a finished sync scan."""
        now = time.time()
        with self._writing() as cur:
            cur.execute(
                self._sql(
                    "INSERT INTO scan_items (scan_id, req_id, owner, kind, status, response, report, received_at,"
                    " completed_at) VALUES (?, ?, ?, 'sync', 'complete', ?, ?, ?, ?)"
                ),
                (scan_id, req_id, owner, response, report, now, now),
            )

    def complete(self, scan_id: str, req_id: int, response: str, report: str, by: str | None = None) -> bool:
        """Mark a pending item complete (erasing its request text, recording runner ``by``). False if it was
        not pending any more: the first completion is the only one."""
        with self._tx() as cur:
            cur.execute(
                self._sql(
                    "UPDATE scan_items SET status = 'complete', response = ?, report = ?, request = NULL,"
                    " completed_at = ?, lease_owner = ?, lease_until = NULL"
                    " WHERE scan_id = ? AND req_id = ? AND status = 'pending'"
                ),
                (response, report, time.time(), by, scan_id, req_id),
            )
            return int(cur.rowcount) == 1

    def claim(self, owner: str, limit: int, lease_seconds: float) -> list[Claim]:
        """Lease up to ``limit`` pending items that nobody holds (or whose lease expired) to ``owner``, oldest
        first; two runners never hold the same item while its lease runs."""
        now, clock = self._now()
        with self._tx() as cur:
            cur.execute(
                self._sql(
                    "SELECT scan_id, req_id, attempts FROM scan_items WHERE status = 'pending'"  # noqa: S608
                    f" AND (lease_until IS NULL OR lease_until < {now})"
                    f" ORDER BY received_at, scan_id, req_id LIMIT ?{self._lock_rows}"
                ),
                (*clock, limit),
            )
            rows = [Claim(r[0], int(r[1]), int(r[2]) + 1) for r in cur.fetchall()]
            if rows:
                cur.executemany(
                    self._sql(
                        f"UPDATE scan_items SET lease_owner = ?, lease_until = {now} + ?, attempts = ?"  # noqa: S608
                        " WHERE scan_id = ? AND req_id = ?"
                    ),
                    [(owner, *clock, lease_seconds, c.attempts, c.scan_id, c.req_id) for c in rows],
                )
        return rows

    def renew(self, owner: str, lease_seconds: float) -> int:
        """Extend the lease of every pending item ``owner`` holds; return how many."""
        now, clock = self._now()
        with self._tx() as cur:
            cur.execute(
                self._sql(
                    f"UPDATE scan_items SET lease_until = {now} + ? WHERE lease_owner = ? AND status = 'pending'"  # noqa: S608
                ),
                (*clock, lease_seconds, owner),
            )
            return int(cur.rowcount)

    def release(self, owner: str | None) -> int:
        """Give up the leases of ``owner`` (None: everybody's) on pending items, so any runner may claim them
        now; return how many."""
        where = "status = 'pending' AND lease_owner IS NOT NULL" + ("" if owner is None else " AND lease_owner = ?")
        with self._tx() as cur:
            cur.execute(
                self._sql(f"UPDATE scan_items SET lease_owner = NULL, lease_until = NULL WHERE {where}"),  # noqa: S608
                () if owner is None else (owner,),
            )
            return int(cur.rowcount)

    def pending(self, limit: int = -1) -> list[tuple[str, int]]:
        """Pending items, oldest first (at most ``limit``; -1 = all)."""
        sql = "SELECT scan_id, req_id FROM scan_items WHERE status = 'pending' ORDER BY received_at, scan_id, req_id"
        rows = self._read(sql + " LIMIT ?", (limit,)) if limit >= 0 else self._read(sql)
        return [(r[0], int(r[1])) for r in rows]

    def pending_request(self, scan_id: str, req_id: int) -> str | None:
        """The request JSON of a pending item, or None when it is no longer pending."""
        rows = self._read(
            "SELECT request FROM scan_items WHERE scan_id = ? AND req_id = ? AND status = 'pending'", (scan_id, req_id)
        )
        return None if not rows else str(rows[0][0])

    def items(self, scan_ids: Iterable[str], owner: str | None) -> dict[str, list[ItemRow]]:
        """Items of the given scans visible to ``owner``, by scan id, in ``req_id`` order."""
        ids = list(dict.fromkeys(scan_ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        same_owner = "owner IS NULL" if owner is None else "owner = ?"
        rows = self._read(
            f"SELECT scan_id, req_id, status, response, report FROM scan_items WHERE scan_id IN ({marks})"  # noqa: S608
            f" AND {same_owner} ORDER BY scan_id, req_id",
            (*ids, owner) if owner is not None else ids,
        )
        out: dict[str, list[ItemRow]] = {}
        for scan_id, req_id, status, response, report in rows:
            out.setdefault(scan_id, []).append(ItemRow(scan_id, int(req_id), status, response, report))
        return out

    def count_pending(self) -> int:
        """Number of pending items."""
        return int(self._read("SELECT count(*) FROM scan_items WHERE status = 'pending'")[0][0])

    def purge(self, older_than_seconds: float) -> int:
        """Delete completed items finished more than ``older_than_seconds`` ago; return how many."""
        cutoff = time.time() - older_than_seconds
        with self._tx() as cur:
            cur.execute(self._sql("DELETE FROM scan_items WHERE status = 'complete' AND completed_at < ?"), (cutoff,))
            return int(cur.rowcount)

    # -- keys ----------------------------------------------------------------------------------------------

    def add_key(self, key_id: str, name: str, salt: bytes, digest: bytes, profiles: Sequence[str]) -> None:
        """Store a new key's salted digest."""
        with self._writing() as cur:
            cur.execute(
                self._sql(
                    "INSERT INTO api_keys (key_id, name, salt, digest, profiles, created_at) VALUES (?, ?, ?, ?, ?, ?)"
                ),
                (key_id, name, salt, digest, json.dumps(list(profiles)), time.time()),
            )

    def key(self, key_id: str) -> KeyRow | None:
        """Look a key up by its public id."""
        rows = self._read(f"SELECT {_KEY_COLUMNS} FROM api_keys WHERE key_id = ?", (key_id,))  # noqa: S608
        return _key_row(rows[0]) if rows else None

    def keys(self) -> list[KeyRow]:
        """Every key, oldest first."""
        return [_key_row(r) for r in self._read(f"SELECT {_KEY_COLUMNS} FROM api_keys ORDER BY created_at")]  # noqa: S608

    def revoke_key(self, id_or_name: str) -> int:
        """Revoke the active keys with this id or name; return how many were revoked."""
        with self._tx() as cur:
            cur.execute(
                self._sql("UPDATE api_keys SET revoked_at = ? WHERE (key_id = ? OR name = ?) AND revoked_at IS NULL"),
                (time.time(), id_or_name, id_or_name),
            )
            return int(cur.rowcount)

    # -- helpers -------------------------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[Cursor]:
        """``_tx()``, with the backend's unique violation raised as :class:`DuplicateItemError`."""
        try:
            with self._tx() as cur:
                yield cur
        except Exception as exc:
            if self._duplicate(exc):
                raise DuplicateItemError(str(exc).splitlines()[0]) from exc
            raise


def _key_row(row: Any) -> KeyRow:
    return KeyRow(row[0], row[1], bytes(row[2]), bytes(row[3]), tuple(json.loads(row[4])), row[5], row[6])
