"""Fixtures for the server tests: a database with a key, TLS material, and server subprocesses."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
pytest.register_assert_rewrite("conformance")

from server_harness import Server, Tls  # noqa: E402

from interlock.server.auth import create_key  # noqa: E402
from interlock.server.store import Store  # noqa: E402


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "server.db"


@pytest.fixture
def api_key(db: Path) -> str:
    store = Store(db)
    try:
        return create_key(store, "test")[0]
    finally:
        store.close()


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    return Tls.make(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def server(db: Path, tls: Tls, tmp_path: Path, api_key: str) -> Iterator[Server]:
    srv = Server(db=db, tls=tls, log=tmp_path / "server.log").start()
    try:
        yield srv
    finally:
        try:
            srv.stop()
        finally:
            srv.kill()


@pytest.fixture(scope="session")
def conformance_server(tmp_path_factory: pytest.TempPathFactory, tls: Tls) -> Iterator[tuple[Server, str]]:
    """One server for the third-party client tests (LiteLLM, TypeScript SDK), with ``--verify-payload-hash``, and
    a key bound to no profile."""
    folder = tmp_path_factory.mktemp("conformance")
    store = Store(folder / "server.db")
    try:
        key = create_key(store, "conformance")[0]
    finally:
        store.close()
    srv = Server(db=folder / "server.db", tls=tls, log=folder / "server.log", args=["--verify-payload-hash"]).start()
    try:
        yield srv, key
    finally:
        try:
            srv.stop()
        finally:
            srv.kill()
