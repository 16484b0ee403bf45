"""Load benchmark of ``interlock serve`` on loopback (not a unit test).

Starts the server as a subprocess on 127.0.0.1 (plain HTTP: TLS is the same for every request and measured
separately with ``--tls``), creates a key, then runs three phases with a minimal keep-alive HTTP/1.1 client
written on raw asyncio streams (so the load generator costs little CPU on the same machine):

1. closed loop: ``--concurrency`` connections send 1 KB prompts back to back for ``--duration`` seconds
   (sustained throughput, p50/p99 latency, server CPU per request);
2. open loop: a fixed ``--rate`` req/s for ``--rate-duration`` seconds; latency is measured from each request's
   scheduled send time (no coordinated omission);
3. the closed loop again on a profile with no detectors (the server's own overhead);
4. worst case: ``--big`` sequential sync scans of a ~2 MB prompt (the body limit).

Prompts are generated from a seeded vocabulary (``--seed``), so runs are repeatable. Requests go to 127.0.0.1
only and every loop is bounded.

    .venv/bin/python benchmarks/load_server.py --duration 15 --concurrency 16 --rate 100 --rate-duration 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from interlock.server.auth import create_key
from interlock.server.store import Store

VOCAB = (
    "the a customer order invoice please summarize explain report model data account shipping refund policy "
    "travel booking weather python function error log meeting notes quarterly revenue product feature team "
    "ignore previous instructions system prompt reveal password email address phone number card"
).split()
_CL = re.compile(rb"(?i)\r\ncontent-length:\s*(\d+)")


def prompt_of(rng: random.Random, size: int) -> str:
    words: list[str] = []
    n = 0
    while n < size:
        w = rng.choice(VOCAB)
        words.append(w)
        n += len(w) + 1
    return " ".join(words)[:size]


def raw_request(key: str, body: bytes) -> bytes:
    head = (
        "POST /v1/scan/sync/request HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Accept: application/json\r\nx-pan-token: {key}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def scan_body(prompt: str, profile: str) -> bytes:
    return json.dumps({"ai_profile": {"profile_name": profile}, "contents": [{"prompt": prompt}]}).encode()


class Conn:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, host: str, port: int, tls: ssl.SSLContext | None) -> None:
        self.host, self.port, self.tls = host, port, tls
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        reused = self.writer is not None
        try:
            return await self._send(raw)
        except (asyncio.IncompleteReadError, ConnectionError):
            if not reused:
                raise
            await self.close()  # the server closed an idle keep-alive connection: reconnect once
            self.writer = None
            return await self._send(raw)

    async def _send(self, raw: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port, ssl=self.tls)
        assert self.reader is not None and self.writer is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        m = _CL.search(head)
        body = await self.reader.readexactly(int(m.group(1))) if m else b""
        return int(head[9:12]), body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (ConnectionError, ssl.SSLError):
                pass


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q / 100 * (len(s) - 1))))]


def summary(lat: list[float], errors: int, seconds: float) -> dict[str, Any]:
    return {
        "requests": len(lat),
        "errors": errors,
        "seconds": round(seconds, 2),
        "throughput_rps": round(len(lat) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(pct(lat, 50) * 1000, 2),
        "p90_ms": round(pct(lat, 90) * 1000, 2),
        "p99_ms": round(pct(lat, 99) * 1000, 2),
        "max_ms": round(max(lat) * 1000, 2) if lat else None,
        "mean_ms": round(statistics.fmean(lat) * 1000, 2) if lat else None,
    }


async def closed_loop(
    host: str, port: int | list[int], tls: Any, reqs: list[bytes], concurrency: int, duration: float
) -> dict[str, Any]:
    """``concurrency`` connections sending back to back; with several ports, connection ``i`` goes to
    ``port[i % len(port)]`` (replicas, spread as a proxy would)."""
    ports = port if isinstance(port, list) else [port]
    lat: list[float] = []
    errors = 0
    stop = time.perf_counter() + duration

    async def worker(i: int) -> None:
        nonlocal errors
        conn = Conn(host, ports[i % len(ports)], tls)
        j = i
        try:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                status, _ = await conn.send(reqs[j % len(reqs)])
                lat.append(time.perf_counter() - t0)
                errors += status != 200
                j += concurrency
        finally:
            await conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return summary(lat, errors, time.perf_counter() - t0)


async def open_loop(host: str, port: int, tls: Any, reqs: list[bytes], rate: float, duration: float) -> dict[str, Any]:
    lat: list[float] = []
    errors = 0
    idle: list[Conn] = []
    n = int(rate * duration)
    start = time.perf_counter() + 0.2

    async def one(i: int) -> None:
        nonlocal errors
        scheduled = start + i / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        conn = idle.pop() if idle else Conn(host, port, tls)
        status, _ = await conn.send(reqs[i % len(reqs)])
        lat.append(time.perf_counter() - scheduled)
        errors += status != 200
        idle.append(conn)

    await asyncio.gather(*(one(i) for i in range(n)))
    for c in idle:
        await c.close()
    return {**summary(lat, errors, duration), "target_rps": rate, "connections": len(idle)}


async def big(host: str, port: int, tls: Any, key: str, profile: str, count: int, size: int) -> dict[str, Any]:
    rng = random.Random(7)
    body = scan_body(prompt_of(rng, size), profile)
    raw = raw_request(key, body)
    conn = Conn(host, port, tls)
    lat: list[float] = []
    errors = 0
    for _ in range(count):
        t0 = time.perf_counter()
        status, resp = await conn.send(raw)
        lat.append(time.perf_counter() - t0)
        errors += status != 200
    await conn.close()
    return {**summary(lat, errors, sum(lat)), "body_bytes": len(body), "action": json.loads(resp).get("action")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(port: int, proc: subprocess.Popen[bytes], tls: ssl.SSLContext | None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as raw:
                s = tls.wrap_socket(raw, server_hostname="127.0.0.1") if tls is not None else raw
                s.sendall(b"GET /v1/internal/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("server not ready")


def cpu_seconds(pid: int) -> float:
    """User+system CPU time of a process and its direct children (uvicorn workers), from Linux /proc."""

    def one(p: str) -> tuple[int, float]:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    total = one(str(pid))[1]
    for entry in os.listdir("/proc"):
        if entry.isdigit() and entry != str(pid):
            try:
                ppid, cpu = one(entry)
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                total += cpu
    return total


async def run(args: argparse.Namespace, port: int, key: str, tls: ssl.SSLContext | None, pid: int) -> dict[str, Any]:
    rng = random.Random(args.seed)
    reqs = [raw_request(key, scan_body(prompt_of(rng, 1024), args.profile)) for _ in range(256)]
    host = "127.0.0.1"
    await closed_loop(host, port, tls, reqs, args.concurrency, 2.0)  # warm-up
    out: dict[str, Any] = {}
    cpu0 = cpu_seconds(pid)
    closed = await closed_loop(host, port, tls, reqs, args.concurrency, args.duration)
    cpu_ms = (cpu_seconds(pid) - cpu0) * 1000 / max(1, closed["requests"])
    out["closed_loop_1kb"] = {
        **closed,
        "concurrency": args.concurrency,
        "server_cpu_ms_per_request": round(cpu_ms, 3),
        "cpu_bound_capacity_rps_per_core": round(1000 / cpu_ms, 1) if cpu_ms else None,
    }
    out["open_loop_1kb"] = await open_loop(host, port, tls, reqs, args.rate, args.rate_duration)
    empty = [raw_request(key, scan_body(prompt_of(rng, 1024), "bench-empty")) for _ in range(64)]
    cpu0 = cpu_seconds(pid)
    bare = await closed_loop(host, port, tls, empty, args.concurrency, args.overhead_duration)
    cpu_ms = (cpu_seconds(pid) - cpu0) * 1000 / max(1, bare["requests"])
    out["closed_loop_no_detectors"] = {**bare, "server_cpu_ms_per_request": round(cpu_ms, 3)}
    # last: a 2 MB scan can leave a timed-out detector thread running for a while
    if args.big:
        out["worst_case_2mb"] = await big(host, port, tls, key, args.profile, args.big, 2 * 1024 * 1024 - 200)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=15.0)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--rate-duration", type=float, default=20.0)
    ap.add_argument("--big", type=int, default=3)
    ap.add_argument("--overhead-duration", type=float, default=5.0, help="closed loop on a profile with no detectors")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--profile", default="default")
    ap.add_argument("--tls", action="store_true", help="serve and measure over TLS (throwaway trustme CA)")
    ap.add_argument("--server-arg", action="append", default=[], help="extra `interlock serve` flag (repeatable)")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="interlock-bench-"))
    db = tmp / "bench.db"
    store = Store(db)
    key = create_key(store, "bench")[0]
    store.close()
    port = free_port()
    cmd = [sys.executable, "-m", "interlock.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)]
    (tmp / "empty.yaml").write_text("name: bench-empty\ndetectors: {}\n")
    cmd += ["--db", str(db), "--profiles", str(tmp / "empty.yaml"), *args.server_arg]
    client_tls = None
    if args.tls:
        import trustme

        ca = trustme.CA()
        leaf = ca.issue_cert("127.0.0.1")
        leaf.private_key_and_cert_chain_pem.write_to_path(str(tmp / "server.pem"))
        cmd += ["--tls-cert", str(tmp / "server.pem"), "--tls-key", str(tmp / "server.pem")]
        client_tls = ssl.create_default_context()
        ca.configure_trust(client_tls)
    log = (tmp / "server.log").open("wb")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)
    try:
        wait_ready(port, proc, client_tls)
        results = asyncio.run(run(args, port, key, client_tls, proc.pid))
    finally:
        proc.terminate()
        proc.wait(30)
    meta = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "server": " ".join(cmd[2:]).replace(str(tmp), "$TMP"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "load_average_at_end": os.getloadavg(),
    }
    print(json.dumps({"meta": meta, **results}, indent=2))


if __name__ == "__main__":
    main()
