"""Shared fixtures: the labelled data folder (``../shared/data``), skipped with a reason when absent, and a
PostgreSQL server for the store and replica tests (a throwaway cluster, started only when a test asks)."""

from __future__ import annotations

import atexit
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """``$INTERLOCK_SHARED_DATA`` or ``<repo>/../shared/data``."""
    env = os.environ.get("INTERLOCK_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not (path / "README.md").exists():
        pytest.skip(f"labelled data not found at {path} (set INTERLOCK_SHARED_DATA); CI always has it")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Superuser URL of a PostgreSQL server: ``$INTERLOCK_TEST_DATABASE_URL``, else a throwaway cluster started
    for this session (see ``pgcluster.py``) and stopped at its end, failures included."""
    pytest.importorskip("psycopg", reason="psycopg not installed (pip install 'interlock[postgres]')")
    external = os.environ.get("INTERLOCK_TEST_DATABASE_URL")
    if external:
        yield external
        return
    from tests.pgcluster import PgCluster, find_bin

    bin_dir = find_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) in $INTERLOCK_PG_BIN, /usr/lib/postgresql or PATH")
    cluster = PgCluster(bin_dir)
    atexit.register(cluster.stop)  # also when the session is interrupted before its teardown
    try:
        yield cluster.start().url
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def _postgres_test_db(postgres_url: str) -> str:
    import psycopg

    name = f"interlock_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"{postgres_url.rpartition('/')[0]}/{name}"


@pytest.fixture
def postgres_db(_postgres_test_db: str) -> str:
    """The URL of an empty database for one test (its schema is dropped and re-created: faster than a new
    database)."""
    import psycopg

    with psycopg.connect(_postgres_test_db, autocommit=True) as conn:
        conn.execute("SET lock_timeout = '10s'")
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return _postgres_test_db
