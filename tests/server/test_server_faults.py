"""Fault tolerance: kill -9 with pending async work, graceful SIGTERM, restart on the same database."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from server_harness import Server, Tls

SLOW_PROFILE = """
name: slow
detectors:
  slow:
    options:
      seconds: {seconds}
"""


def _slow_server(db: Path, tls: Tls, tmp_path: Path, seconds: float, *extra: str) -> Server:
    prof = tmp_path / "slow.yaml"
    prof.write_text(SLOW_PROFILE.format(seconds=seconds))
    args = ["--profiles", str(prof), "--async-workers", "2", *extra]
    return Server(db=db, tls=tls, log=tmp_path / "server.log", args=args)


def _batch(n: int, offset: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "req_id": offset + i,
            "scan_req": {
                "tr_id": f"t{offset + i}",
                "ai_profile": {"profile_name": "slow"},
                "contents": [{"prompt": "an evil plan" if i % 2 else "a kind plan"}],
            },
        }
        for i in range(n)
    ]


def _results(c: httpx.Client, scan_ids: list[str]) -> list[dict[str, Any]]:
    r = c.get("/v1/scan/results", params={"scan_ids": ",".join(scan_ids)})
    assert r.status_code == 200, r.text
    out: list[dict[str, Any]] = r.json()
    return out


def test_kill_9_loses_and_duplicates_nothing(db: Path, tls: Tls, tmp_path: Path, api_key: str) -> None:
    srv = _slow_server(db, tls, tmp_path, 0.3).start()
    accepted: dict[str, list[int]] = {}
    try:
        with srv.client(api_key) as c:
            for offset in (0, 100):
                r = c.post("/v1/scan/async/request", json=_batch(8, offset))
                assert r.status_code == 200, r.text
                accepted[r.json()["scan_id"]] = [offset + i for i in range(8)]
            for _ in range(100):  # wait until some, but not all, items are done
                done = [x for x in _results(c, list(accepted)) if x["status"] == "complete"]
                if done:
                    break
                time.sleep(0.05)
            before = {(x["scan_id"], x["req_id"]): x for x in done}
    finally:
        srv.kill()  # SIGKILL: no shutdown handler runs
    assert 0 < len(before) < 16

    srv2 = _slow_server(db, tls, tmp_path, 0.05).start()
    try:
        with srv2.client(api_key) as c:
            for _ in range(300):
                final = _results(c, list(accepted))
                if all(x["status"] == "complete" for x in final):
                    break
                time.sleep(0.05)
    finally:
        srv2.stop()
    keys = [(x["scan_id"], x["req_id"]) for x in final]
    assert sorted(keys) == sorted((sid, rid) for sid, rids in accepted.items() for rid in rids)  # each exactly once
    assert all(x["status"] == "complete" for x in final)
    for x in final:
        assert x["result"]["action"] == ("block" if x["req_id"] % 2 else "allow")
        assert x["result"]["tr_id"] == f"t{x['req_id']}"
    for key, old in before.items():  # finished before the crash: stored once, never redone
        assert next(x for x in final if (x["scan_id"], x["req_id"]) == key) == old
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT count(*), count(request) FROM scan_items").fetchone()
    assert rows == (16, 0)  # no extra rows; request text erased once complete


def _wait_for_inflight_scan(srv: Server, api_key: str, timeout: float = 30.0) -> None:
    """Until the server reports a sync scan running (a fixed sleep loses the race on a busy machine)."""
    deadline = time.monotonic() + timeout
    with srv.client(api_key) as c:
        while time.monotonic() < deadline:
            if "interlock_scans_inflight 1" in c.get("/metrics").text:
                return
            time.sleep(0.02)
    raise AssertionError("the sync scan never started")


def test_sigterm_finishes_inflight_sync_and_keeps_queue(db: Path, tls: Tls, tmp_path: Path, api_key: str) -> None:
    srv = _slow_server(db, tls, tmp_path, 1.0, "--async-workers", "1").start()
    outcome: dict[str, Any] = {}

    def slow_sync() -> None:
        with srv.client(api_key) as c:
            body = {"ai_profile": {"profile_name": "slow"}, "contents": [{"prompt": "evil"}]}
            outcome["resp"] = c.post("/v1/scan/sync/request", json=body)

    with srv.client(api_key) as c:
        acc = c.post("/v1/scan/async/request", json=_batch(6)).json()
    t = threading.Thread(target=slow_sync)
    t.start()
    _wait_for_inflight_scan(srv, api_key)
    assert srv.stop() in (0, -15)  # uvicorn re-raises SIGTERM after its graceful shutdown
    t.join(10)
    assert outcome["resp"].status_code == 200 and outcome["resp"].json()["action"] == "block"
    with sqlite3.connect(db) as conn:
        pending = conn.execute("SELECT count(*) FROM scan_items WHERE status = 'pending'").fetchone()[0]
    assert pending >= 3  # one worker at 1 s per item: most of the batch is still queued, and persisted

    srv2 = _slow_server(db, tls, tmp_path, 0.01).start()
    try:
        with srv2.client(api_key) as c:
            for _ in range(200):
                res = _results(c, [acc["scan_id"]])
                if all(x["status"] == "complete" for x in res):
                    break
                time.sleep(0.05)
    finally:
        srv2.stop()
    assert [x["req_id"] for x in res] == list(range(6)) and all(x["status"] == "complete" for x in res)
