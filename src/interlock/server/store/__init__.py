"""Server persistence behind one interface (:class:`Store`): scans, async items and their leases, API keys.

- ``sqlite.py``: the embedded default (one file, zero configuration).
- ``postgres.py``: shared by any number of replicas (``INTERLOCK_DATABASE_URL=postgresql://...``, extra
  ``postgres``); imported only when configured.
- ``migrations/<dialect>/NNNN_name.sql``: versioned schema, applied at start (``schema_version`` table).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from interlock.errors import ConfigError
from interlock.server.store.base import Claim, DuplicateItemError, ItemRow, KeyRow, Store, migrations
from interlock.server.store.sqlite import SqliteStore

if TYPE_CHECKING:  # pragma: no cover
    from interlock.server.settings import ServerSettings

__all__ = ["Claim", "DuplicateItemError", "ItemRow", "KeyRow", "SqliteStore", "Store", "migrations", "open_store"]


def open_store(settings: ServerSettings) -> Store:
    """The store the settings select: PostgreSQL when ``database_url`` is set, else the SQLite file ``db``."""
    if not settings.database_url:
        return SqliteStore(settings.db, synchronous=settings.db_sync)
    try:
        from interlock.server.store.postgres import PostgresStore
    except ImportError:
        raise ConfigError("a PostgreSQL database_url needs psycopg: pip install 'interlock[postgres]'") from None
    return PostgresStore(settings.database_url, pool_size=settings.db_pool_size)
