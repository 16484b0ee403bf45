"""Liveness and readiness (``/livez``, ``/readyz``): what a load balancer needs to know before routing to a replica.

Readiness is 503 while the detectors warm up, while draining after SIGTERM, when a served profile cannot be built,
when the database (SQLite or a real PostgreSQL) or a configured Redis does not answer; 200 otherwise. The AIRS
health route is unchanged.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes import register
from fastapi.testclient import TestClient
from server_harness import Server, Tls

from interlock.engine import registry
from interlock.errors import ConfigError
from interlock.profiles.loader import ProfileStore
from interlock.profiles.model import DetectorPolicy, Profile
from interlock.scanner import LocalScanner
from interlock.server.app import create_app
from interlock.server.settings import ServerSettings


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Test detectors; yields the gated one's class (as the registry loads it)."""
    lookup = register(
        monkeypatch, word="fakes:WordDetector", gated="fakes:GatedWarmDetector", unbuildable="fakes:UnbuildableDetector"
    )
    gated: Any = lookup("gated")
    gated.gate.clear()
    gated.warm_calls = 0
    yield gated
    gated.gate.set()
    registry.detector_class.cache_clear()


def _scanner(*profiles: Profile) -> LocalScanner:
    return LocalScanner(ProfileStore(list(profiles)))


def _wait_status(c: TestClient, status: int, timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        r = c.get("/readyz")
        if r.status_code == status or time.monotonic() > deadline:
            assert r.status_code == status, r.text
            body: dict[str, Any] = r.json()
            return body
        time.sleep(0.05)


def test_not_ready_while_warming_then_ready(tmp_path: Path, fakes: Any) -> None:
    scanner = _scanner(
        Profile(name="default", detectors={"gated": DetectorPolicy()}),
        Profile(name="same-options", detectors={"gated": DetectorPolicy()}),
    )
    with TestClient(create_app(ServerSettings(db=str(tmp_path / "r.db")), scanner=scanner)) as c:
        r = c.get("/readyz")
        assert r.status_code == 503
        body = r.json()
        assert body["ready"] is False and body["phase"] == "starting"
        assert body["checks"]["database"]["ok"] is True
        assert body["checks"]["detectors"] == {"ok": False, "detail": "warming up"}
        assert c.get("/livez").status_code == 200  # alive while not ready: do not restart it
        health = c.get("/v1/internal/health")
        assert health.status_code == 200 and health.content == b""  # the AIRS route is unchanged
        fakes.gate.set()
        body = _wait_status(c, 200)
        assert body["ready"] is True and body["phase"] == "ready"
        assert body["checks"]["detectors"]["ok"] is True
        assert body["checks"]["detectors"]["detail"] == "2 profile(s) warmed"
        assert "redis" not in body["checks"]  # not configured, not checked
    assert fakes.warm_calls == 1  # identically configured profiles share one detector instance


def test_only_the_named_profiles_are_warmed(tmp_path: Path, fakes: Any) -> None:
    scanner = _scanner(
        Profile(name="default", detectors={"word": DetectorPolicy()}),
        Profile(name="never-served", detectors={"gated": DetectorPolicy()}),
    )
    settings = ServerSettings(db=str(tmp_path / "r.db"), warm_profiles="default")
    with TestClient(create_app(settings, scanner=scanner)) as c:
        body = _wait_status(c, 200)
        assert body["checks"]["detectors"]["detail"] == "1 profile(s) warmed"
    assert fakes.warm_calls == 0


def test_an_unknown_warm_profile_is_a_configuration_error(tmp_path: Path, fakes: Any) -> None:
    scanner = _scanner(Profile(name="default", detectors={"word": DetectorPolicy()}))
    with pytest.raises(ConfigError, match="unknown profile 'nope'"):
        create_app(ServerSettings(db=str(tmp_path / "r.db"), warm_profiles="default,nope"), scanner=scanner)


def test_a_profile_that_cannot_be_built_keeps_the_replica_unready(tmp_path: Path, fakes: Any) -> None:
    scanner = _scanner(
        Profile(name="default", detectors={"word": DetectorPolicy()}),
        Profile(name="broken", detectors={"unbuildable": DetectorPolicy()}),
    )
    with TestClient(create_app(ServerSettings(db=str(tmp_path / "r.db")), scanner=scanner)) as c:
        deadline = time.monotonic() + 20
        while (body := c.get("/readyz").json())["checks"]["detectors"].get("detail") == "warming up":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        r = c.get("/readyz")
        assert r.status_code == 503
        assert body["phase"] == "ready"  # warm-up finished, but a served profile would fail every scan
        assert "broken: OSError: model artifact missing" in body["checks"]["detectors"]["detail"]


def test_draining_is_not_ready(tmp_path: Path, fakes: Any) -> None:
    scanner = _scanner(Profile(name="default", detectors={"word": DetectorPolicy()}))
    app = create_app(ServerSettings(db=str(tmp_path / "r.db")), scanner=scanner)
    with TestClient(app) as c:
        _wait_status(c, 200)
        app.state.interlock.readiness.drain()
        body = _wait_status(c, 503)
        assert body["phase"] == "draining" and body["checks"]["database"]["ok"] is True


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once the socket is closed


def test_unreachable_redis_is_not_ready(tmp_path: Path, fakes: Any) -> None:
    pytest.importorskip("redis")
    scanner = _scanner(Profile(name="default", detectors={"word": DetectorPolicy()}))
    settings = ServerSettings(db=str(tmp_path / "r.db"), redis_url=f"redis://127.0.0.1:{_closed_port()}/0")
    with TestClient(create_app(settings, scanner=scanner)) as c:
        deadline = time.monotonic() + 20
        while (body := c.get("/readyz").json())["phase"] == "starting":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert c.get("/readyz").status_code == 503
        assert body["checks"]["redis"]["ok"] is False and "ConnectionError" in body["checks"]["redis"]["detail"]
        assert body["checks"]["database"]["ok"] is True and body["checks"]["detectors"]["ok"] is True


def test_reachable_redis_is_checked(tmp_path: Path, fakes: Any, redis_url: str) -> None:
    scanner = _scanner(Profile(name="default", detectors={"word": DetectorPolicy()}))
    settings = ServerSettings(db=str(tmp_path / "r.db"), redis_url=redis_url)
    with TestClient(create_app(settings, scanner=scanner)) as c:
        body = _wait_status(c, 200)
        assert body["checks"]["redis"]["ok"] is True


def test_postgres_down_is_not_ready_and_recovery_is_ready(postgres_url: str, fakes: Any) -> None:
    """A real PostgreSQL that stops accepting connections to the replica's database (``ALLOW_CONNECTIONS false``
    and every session terminated): ``/readyz`` is 503 naming the database, within the ping timeout; once it
    accepts connections again the same replica is ready again (the pool replaces its broken connections)."""
    import psycopg

    name = f"ready_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{postgres_url.rpartition('/')[0]}/{name}"
    scanner = _scanner(Profile(name="default", detectors={"word": DetectorPolicy()}))
    app = create_app(ServerSettings(database_url=url, db_pool_size=2), scanner=scanner)
    try:
        with TestClient(app) as c, psycopg.connect(postgres_url, autocommit=True) as admin:
            assert _wait_status(c, 200)["checks"]["database"]["ok"] is True
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            t0 = time.monotonic()
            body = _wait_status(c, 503, timeout=15)
            assert time.monotonic() - t0 < 10
            assert body["phase"] == "ready" and body["checks"]["database"]["ok"] is False
            assert body["checks"]["detectors"]["ok"] is True
            password = url.split("://", 1)[1].split("@", 1)[0].partition(":")[2]
            assert not password or password not in str(body)
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            assert _wait_status(c, 200, timeout=30)["checks"]["database"]["ok"] is True
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_sigterm_drains_before_shutting_down(tmp_path: Path) -> None:
    """A real ``interlock serve``: ready after warm-up; after SIGTERM, ``/readyz`` is 503 (draining) while the
    replica still serves for ``--drain-seconds``; then it shuts down and exits."""
    tls = Tls.make(tmp_path)
    server = Server(
        db=tmp_path / "drain.db",
        tls=tls,
        log=tmp_path / "drain.log",
        args=["--drain-seconds", "2", "--warm-profiles", "default"],
    ).start()
    try:
        with httpx.Client(base_url=server.url, verify=str(tls.ca), timeout=10) as c:
            deadline = time.monotonic() + 60
            while (r := c.get("/readyz")).status_code != 200:
                assert time.monotonic() < deadline, r.text
                time.sleep(0.1)
            assert r.json()["checks"]["detectors"]["detail"] == "1 profile(s) warmed"
            assert server.proc is not None
            t0 = time.monotonic()
            server.proc.terminate()
            deadline = time.monotonic() + 5
            while (r := c.get("/readyz")).status_code != 503:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert r.json()["phase"] == "draining"
            assert c.get("/livez").status_code == 200  # still serving while draining
        # (the client's idle TLS keep-alive connection is closed first: see "Shutdown" in docs/server.md)
        assert server.proc.wait(30) is not None
        assert time.monotonic() - t0 >= 1.5  # the drain delay came before the shutdown
    finally:
        server.kill()
    assert "not ready; shutting down in 2.0 s" in (tmp_path / "drain.log").read_text()
