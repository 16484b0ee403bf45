"""Shared fixtures: the labelled data folder (``../shared/data``), skipped with a reason when absent, and the
PostgreSQL and Redis servers of the store and replica tests (throwaway, started only when a test asks)."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import time
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


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a Redis server: ``$INTERLOCK_TEST_REDIS_URL``, else a ``redis-server`` (Debian's package, which
    ``make test`` installs when it runs as root) started for this session on a free 127.0.0.1 port, no
    persistence, stopped at the end."""
    pytest.importorskip("redis", reason="redis client not installed (pip install 'interlock[redis]')")
    external = os.environ.get("INTERLOCK_TEST_REDIS_URL")
    if external:
        yield external
        return
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if binary is None:
        pytest.skip("redis-server not installed (make test installs Debian's redis-server when run as root)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    args = ["--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no", "--daemonize", "no"]
    proc = subprocess.Popen([binary, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    atexit.register(proc.kill)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as c:
                    c.sendall(b"PING\r\n")
                    if c.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start (exit {proc.poll()})") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.kill()
        proc.wait(10)
