"""Two ``interlock serve`` replicas on one PostgreSQL database (and one Redis): an async batch submitted to A is
read from B; a key's rate limit holds across both; a revoked key is refused by both; after ``kill -9`` of A in the
middle of a batch B completes every item exactly once (A's claims are taken over when their lease expires)."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from server_harness import Server, Tls
from test_server_faults import SLOW_PROFILE, _batch, _results

from interlock.server.auth import create_key
from interlock.server.settings import ServerSettings
from interlock.server.store import open_store

LEASE = 2.0
RATE, BURST = 20.0, 5


@dataclass
class Replicas:
    a: Server
    b: Server
    key: str
    doomed: str  # a second key, revoked by a test
    url: str
    redis: bool


def _optional_redis(request: pytest.FixtureRequest) -> str | None:
    try:
        url: str = request.getfixturevalue("redis_url")
    except pytest.skip.Exception:
        return None
    return url


@pytest.fixture(scope="module")
def replicas(
    request: pytest.FixtureRequest, postgres_url: str, tls: Tls, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Replicas]:
    """Two servers booted together on one fresh database (and one Redis when there is one) for this module."""
    import psycopg

    tmp = tmp_path_factory.mktemp("replicas")
    name = f"replicas_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{postgres_url.rpartition('/')[0]}/{name}"
    store = open_store(ServerSettings(database_url=url))
    try:
        key, doomed = create_key(store, "replicas")[0], create_key(store, "doomed")[0]
    finally:
        store.close()
    prof = tmp / "slow.yaml"
    prof.write_text(SLOW_PROFILE.format(seconds=0.3))
    args = ["--profiles", str(prof), "--async-workers", "2", "--lease-seconds", str(LEASE)]
    args += ["--rate-limit", str(RATE), "--rate-burst", str(BURST)]
    env = {"INTERLOCK_DATABASE_URL": url}
    redis = _optional_redis(request)
    if redis is not None:
        env["INTERLOCK_REDIS_URL"] = redis
    servers = [Server(db=tmp / f"unused-{n}.db", tls=tls, log=tmp / f"{n}.log", args=args, env=env) for n in "ab"]
    errors: list[BaseException] = []

    def start(s: Server) -> None:
        try:
            s.start()
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(s,)) for s in servers]  # both boot at once: half the wait
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    try:
        if errors:
            raise errors[0]
        yield Replicas(servers[0], servers[1], key, doomed, url, redis is not None)
    finally:
        for s in servers:
            s.kill()
    assert not any((tmp / f"unused-{n}.db").exists() for n in "ab")  # nothing went to SQLite


def _rows(url: str, scan_id: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT req_id, status, lease_owner, lease_until, attempts, request IS NULL, response"
            " FROM scan_items WHERE scan_id = %s ORDER BY req_id",
            (scan_id,),
        ).fetchall()


def _wait_complete(c: Any, scan_id: str, timeout: float) -> tuple[list[dict[str, Any]], float]:
    """The results once all are complete, and the longest wait between an item's completion (its
    ``completed_at``) and this client first seeing it complete."""
    deadline = time.monotonic() + timeout
    lag = 0.0
    seen: set[int] = set()
    while time.monotonic() < deadline:
        res = _results(c, [scan_id])
        now = time.time()
        for x in res:
            if x["status"] == "complete" and x["req_id"] not in seen:
                seen.add(x["req_id"])
                lag = max(
                    lag, now - datetime.fromisoformat(x["result"]["completed_at"].replace("Z", "+00:00")).timestamp()
                )
        if len(seen) == len(res):
            return res, lag
        time.sleep(0.05)
    raise AssertionError(f"not complete after {timeout}s: {res}")


def _runner(s: Server) -> str:
    assert s.proc is not None
    return f"{socket.gethostname()}:{s.proc.pid}:"


def test_a_batch_submitted_to_a_is_read_from_b(replicas: Replicas) -> None:
    a, b, key, url = replicas.a, replicas.b, replicas.key, replicas.url
    with a.client(key) as ca, b.client(key) as cb:
        scan_id = ca.post("/v1/scan/async/request", json=_batch(6)).json()["scan_id"]
        res, lag = _wait_complete(cb, scan_id, 30)
    assert [x["req_id"] for x in res] == list(range(6))
    assert [x["result"]["action"] for x in res] == ["allow", "block"] * 3
    assert {r[2].rpartition(":")[0] + ":" for r in _rows(url, scan_id)} <= {_runner(a), _runner(b)}
    assert lag < 1.0, f"a result completed on one replica took {lag:.2f}s to be readable from B"
    print(f"replicas: completion -> readable from B within {lag:.3f}s")


def test_a_key_rate_limit_holds_across_both_replicas(replicas: Replicas) -> None:
    if not replicas.redis:
        pytest.skip("no Redis server: rate limits are per replica without one")
    bad = {"contents": []}  # refused after the rate limit (400), so nothing is scanned
    allowed, t0 = 0, time.monotonic()
    with replicas.a.client(replicas.key) as ca, replicas.b.client(replicas.key) as cb:
        while time.monotonic() - t0 < 2.0:
            for c in (ca, cb):
                status = c.post("/v1/scan/sync/request", json=bad).status_code
                assert status in (400, 429)
                allowed += status == 400
        elapsed = time.monotonic() - t0
    expected = BURST + RATE * elapsed  # one bucket for the key, whichever replica answers
    assert abs(allowed - expected) <= 0.1 * expected, (allowed, expected)
    print(
        f"replicas: {allowed} calls allowed across A and B in {elapsed:.2f}s; one shared bucket grants {expected:.0f}"
    )
    time.sleep(BURST / RATE + 0.1)  # refill for the next tests


def test_a_revoked_key_is_refused_by_both(replicas: Replicas) -> None:
    ok = {"ai_profile": {"profile_name": "slow"}, "contents": [{"prompt": "kind"}]}
    with replicas.a.client(replicas.doomed) as ca, replicas.b.client(replicas.doomed) as cb:
        assert ca.post("/v1/scan/sync/request", json=ok).status_code == 200
        assert cb.post("/v1/scan/sync/request", json=ok).status_code == 200
        store = open_store(ServerSettings(database_url=replicas.url))
        try:
            assert store.revoke_key("doomed") == 1
        finally:
            store.close()
        revoked = time.monotonic()
        time.sleep(1.05)  # the key cache holds a verification for 1 s
        assert ca.post("/v1/scan/sync/request", json=ok).status_code == 403
        assert cb.post("/v1/scan/sync/request", json=ok).status_code == 403
    assert time.monotonic() - revoked < 2.0


def test_kill_9_of_a_mid_batch_b_completes_every_item_once(replicas: Replicas) -> None:
    """Runs last: it kills A."""
    a, b, key, url = replicas.a, replicas.b, replicas.key, replicas.url
    a_runner, b_runner = _runner(a), _runner(b)

    n = 12
    with a.client(key) as ca:
        scan_id = ca.post("/v1/scan/async/request", json=_batch(n, 100)).json()["scan_id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # until A has stored one item and still holds others
        rows = _rows(url, scan_id)
        done_by_a = [r for r in rows if r[1] == "complete" and r[2].startswith(a_runner)]
        held_by_a = [r for r in rows if r[1] == "pending" and (r[2] or "").startswith(a_runner)]
        if done_by_a and held_by_a:
            break
        time.sleep(0.02)
    a.kill()  # SIGKILL: A's claims are only released by their lease expiring
    before = {r[0]: r[6] for r in _rows(url, scan_id) if r[1] == "complete"}
    orphaned = {r[0] for r in _rows(url, scan_id) if r[1] == "pending" and (r[2] or "").startswith(a_runner)}
    assert done_by_a and orphaned, "A was not mid-batch when killed"
    killed_at = time.monotonic()
    with b.client(key) as cb:
        res, _ = _wait_complete(cb, scan_id, 20 + LEASE)
    took = time.monotonic() - killed_at
    assert sorted(x["req_id"] for x in res) == list(range(100, 100 + n))  # every item, once
    for x in res:
        assert x["result"]["action"] == ("block" if x["req_id"] % 2 else "allow")
        assert x["result"]["tr_id"] == f"t{x['req_id']}" and x["result"]["scan_id"] == scan_id
    rows = {r[0]: r for r in _rows(url, scan_id)}
    assert len(rows) == n and all(r[1] == "complete" and r[5] for r in rows.values())  # request text erased
    for req_id, response in before.items():  # finished before the kill: never redone, never overwritten
        assert rows[req_id][6] == response
    for req_id in orphaned:  # A's claims were taken over by B once their lease expired
        assert rows[req_id][2].startswith(b_runner) and rows[req_id][4] >= 2
    assert took < 20, f"takeover took {took:.1f}s"
    print(f"replicas: after kill -9 of A, B finished A's {len(orphaned)} orphaned items in {took:.2f}s")
