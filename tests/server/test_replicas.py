"""Two ``interlock serve`` replicas on one PostgreSQL database: an async batch submitted to A is read from B, and
after ``kill -9`` of A in the middle of a batch B completes every item exactly once (A's claims are taken over
when their lease expires)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from server_harness import Server, Tls
from test_server_faults import SLOW_PROFILE, _batch, _results

from interlock.server.auth import create_key
from interlock.server.settings import ServerSettings
from interlock.server.store import open_store

LEASE = 2.0


@pytest.fixture
def replicas(postgres_db: str, tls: Tls, tmp_path: Path) -> Iterator[tuple[Server, Server, str, str]]:
    store = open_store(ServerSettings(database_url=postgres_db))
    try:
        key = create_key(store, "replicas")[0]
    finally:
        store.close()
    prof = tmp_path / "slow.yaml"
    prof.write_text(SLOW_PROFILE.format(seconds=0.3))
    args = ["--profiles", str(prof), "--async-workers", "2", "--lease-seconds", str(LEASE)]
    env = {"INTERLOCK_DATABASE_URL": postgres_db}
    servers = [
        Server(db=tmp_path / f"unused-{n}.db", tls=tls, log=tmp_path / f"{n}.log", args=args, env=env) for n in "ab"
    ]
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
        yield servers[0], servers[1], key, postgres_db
    finally:
        for s in servers:
            s.kill()
    assert not any(Path(tmp_path / f"unused-{n}.db").exists() for n in "ab")  # nothing went to SQLite


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


def test_replicas_share_async_work_and_take_over_a_killed_one(replicas: tuple[Server, Server, str, str]) -> None:
    a, b, key, url = replicas
    host = socket.gethostname()
    assert a.proc is not None and b.proc is not None
    a_runner, b_runner = f"{host}:{a.proc.pid}:", f"{host}:{b.proc.pid}:"

    # 1. Submitted to A, read from B; both replicas' workers take pending work.
    with a.client(key) as ca, b.client(key) as cb:
        scan_id = ca.post("/v1/scan/async/request", json=_batch(6)).json()["scan_id"]
        res, lag = _wait_complete(cb, scan_id, 30)
    assert [x["req_id"] for x in res] == list(range(6))
    assert [x["result"]["action"] for x in res] == ["allow", "block"] * 3
    rows = _rows(url, scan_id)
    assert {r[2].rpartition(":")[0] + ":" for r in rows} <= {a_runner, b_runner}
    assert lag < 1.0, f"a result completed on one replica took {lag:.2f}s to be readable from B"

    # 2. A batch in flight on A when A is killed: B finishes it, each item stored once.
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
    print(
        f"replicas: A->B read lag {lag:.3f}s; after kill -9, B completed {len(orphaned)} orphaned items in {took:.2f}s"
    )
