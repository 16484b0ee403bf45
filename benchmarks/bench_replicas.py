"""Replicas on PostgreSQL, loopback (not a unit test): 1 vs 2 ``interlock serve`` processes on one database.

Starts a throwaway PostgreSQL cluster (``tests/pgcluster.py``: the machine's PostgreSQL binaries, a temp dir, a
free 127.0.0.1 port; or ``--database-url`` for an existing server), creates a key, then for 1 and for 2 replicas
(each one process, ``--workers 1``, its own port; the load generator spreads connections over the replicas
round-robin, as a proxy would):

1. closed loop: ``--concurrency`` keep-alive connections send 1 KB prompts (default profile) back to back for
   ``--duration`` s → scans/s, p50/p99, server CPU per scan;
2. open loop at a fixed ``--rate`` req/s for ``--rate-duration`` s (latency from each request's scheduled send
   time) → p50/p99;
3. with 2 replicas only: ``--async-batches`` async batches of 5 items submitted to replica A while replica B polls
   ``/v1/scan/results`` every 20 ms → for every item, the delay between its ``completed_at`` and B first
   answering it complete.

Every loop is bounded in count and time; requests go to 127.0.0.1 only; prompts are seeded.

    .venv/bin/python benchmarks/bench_replicas.py --duration 15 --rate-duration 15
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))

from load_server import (  # noqa: E402
    closed_loop,
    cpu_seconds,
    free_port,
    open_loop,
    prompt_of,
    raw_request,
    scan_body,
    wait_ready,
)

from interlock.server.auth import create_key  # noqa: E402
from interlock.server.settings import ServerSettings  # noqa: E402
from interlock.server.store import open_store  # noqa: E402


async def open_loop_spread(ports: list[int], reqs: list[bytes], rate: float, duration: float) -> dict[str, Any]:
    """Fixed-rate load split evenly over the replicas (each gets ``rate / n``), merged."""
    parts = await asyncio.gather(*(open_loop("127.0.0.1", p, None, reqs, rate / len(ports), duration) for p in ports))
    out: dict[str, Any] = {"per_replica": parts, "target_rps": rate}
    p99s = [p["p99_ms"] for p in parts]
    out["p50_ms_max"] = max(p["p50_ms"] for p in parts)
    out["p99_ms_max"] = max(p99s)
    out["errors"] = sum(p["errors"] for p in parts)
    return out


def async_visibility(a: int, b: int, key: str, batches: int, rng: random.Random) -> dict[str, Any]:
    """Submit batches to A, poll B; the lag of each item between ``completed_at`` and B answering it complete."""
    lags: list[float] = []
    headers = {"x-pan-token": key}
    with (
        httpx.Client(base_url=f"http://127.0.0.1:{a}", headers=headers, timeout=30) as ca,
        httpx.Client(base_url=f"http://127.0.0.1:{b}", headers=headers, timeout=30) as cb,
    ):
        for _ in range(batches):
            body = [
                {
                    "req_id": i,
                    "scan_req": {
                        "ai_profile": {"profile_name": "default"},
                        "contents": [{"prompt": prompt_of(rng, 1024)}],
                    },
                }
                for i in range(5)
            ]
            scan_id = ca.post("/v1/scan/async/request", json=body).json()["scan_id"]
            seen: set[int] = set()
            deadline = time.monotonic() + 30
            while len(seen) < 5 and time.monotonic() < deadline:
                now = time.time()
                for x in cb.get("/v1/scan/results", params={"scan_ids": scan_id}).json():
                    if x["status"] == "complete" and x["req_id"] not in seen:
                        seen.add(x["req_id"])
                        done = datetime.fromisoformat(x["result"]["completed_at"].replace("Z", "+00:00")).timestamp()
                        lags.append(now - done)
                time.sleep(0.02)
            if len(seen) < 5:
                raise SystemExit(f"batch {scan_id} not complete on B within 30 s")
    return {
        "items": len(lags),
        "lag_max_ms": round(max(lags) * 1000, 1),
        "lag_p50_ms": round(sorted(lags)[len(lags) // 2] * 1000, 1),
        "poll_interval_ms": 20,
    }


def start_replicas(n: int, url: str, tmp: Path, extra: list[str]) -> list[tuple[int, subprocess.Popen[bytes]]]:
    out = []
    for i in range(n):
        port = free_port()
        cmd = [sys.executable, "-m", "interlock.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)]
        cmd += ["--database-url", url, "--warm-profiles", "default", *extra]
        log = (tmp / f"replica-{n}-{i}.log").open("wb")
        out.append((port, subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)))
    for port, proc in out:
        wait_ready(port, proc, None)
        deadline = time.monotonic() + 60
        while httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code != 200:
            if time.monotonic() > deadline:
                raise SystemExit("replica not ready")
            time.sleep(0.2)
    return out


def stop_replicas(replicas: list[tuple[int, subprocess.Popen[bytes]]]) -> None:
    for _, proc in replicas:
        proc.terminate()
    for _, proc in replicas:
        proc.wait(60)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=15.0)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--rate-duration", type=float, default=15.0)
    ap.add_argument("--async-batches", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--database-url", help="an existing PostgreSQL (default: a throwaway cluster)")
    ap.add_argument("--server-arg", action="append", default=[], help="extra `interlock serve` flag (repeatable)")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="interlock-replicas-"))
    load_at_start = os.getloadavg()
    cluster = None
    if args.database_url:
        base = args.database_url
    else:
        from tests.pgcluster import PgCluster, find_bin

        bin_dir = find_bin()
        if bin_dir is None:
            raise SystemExit("no PostgreSQL binaries: pass --database-url")
        cluster = PgCluster(bin_dir).start()
        base = cluster.url
    results: dict[str, Any] = {}
    try:
        import psycopg

        rng = random.Random(args.seed)
        for n in (1, 2):
            name = f"bench_{n}_{uuid.uuid4().hex[:6]}"  # a fresh database per run: same table sizes for both
            with psycopg.connect(base, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            url = f"{base.rpartition('/')[0]}/{name}"
            store = open_store(ServerSettings(database_url=url))
            key = create_key(store, "bench")[0]
            store.close()
            reqs = [raw_request(key, scan_body(prompt_of(rng, 1024), "default")) for _ in range(256)]
            replicas = start_replicas(n, url, tmp, args.server_arg)
            ports = [p for p, _ in replicas]
            try:
                asyncio.run(closed_loop("127.0.0.1", ports, None, reqs, args.concurrency, 2.0))  # warm-up
                cpu0 = sum(cpu_seconds(p.pid) for _, p in replicas)
                closed = asyncio.run(closed_loop("127.0.0.1", ports, None, reqs, args.concurrency, args.duration))
                cpu_ms = (sum(cpu_seconds(p.pid) for _, p in replicas) - cpu0) * 1000 / max(1, closed["requests"])
                res: dict[str, Any] = {
                    "closed_loop_1kb": {**closed, "server_cpu_ms_per_request": round(cpu_ms, 3)},
                    "open_loop_1kb": asyncio.run(open_loop_spread(ports, reqs, args.rate, args.rate_duration)),
                    "load_average_after": os.getloadavg(),
                }
                if n == 2:
                    res["async_visibility"] = async_visibility(ports[0], ports[1], key, args.async_batches, rng)
                results[f"replicas_{n}"] = res
            finally:
                stop_replicas(replicas)
    finally:
        if cluster is not None:
            cluster.stop()
    one = results["replicas_1"]["closed_loop_1kb"]["throughput_rps"]
    two = results["replicas_2"]["closed_loop_1kb"]["throughput_rps"]
    meta = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "load_average_at_start": load_at_start,
        "load_average_at_end": os.getloadavg(),
        "speedup_2_vs_1": round(two / one, 2) if one else None,
    }
    print(json.dumps({"meta": meta, **results}, indent=2))


if __name__ == "__main__":
    main()
