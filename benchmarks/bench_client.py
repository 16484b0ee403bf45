"""Cost of the remote client (``RemoteScanner``): request building, and round trips to a loopback AIRS stub.

* **build** — the I/O-free part of a sync scan (limits, URL count, ``json.dumps``, ``x-payload-hash``) for
  seeded prompts of 200 characters, 10 KB and 1 MiB.
* **loopback** — sync scans one after another (one pooled connection), async ones likewise, and the same scans
  through ``ascan_batch`` (concurrent), against the tests' stdlib AIRS stub on 127.0.0.1 (plain http) in its own
  process. The stub (a Python ``ThreadingHTTPServer``) is much of the cost: an upper bound of the client's share.
* **vs SDK** — the same sequential sync scans over https (trustme CA) with ``RemoteScanner`` and with the official
  SDK ``pan-aisecurity`` (run in a subprocess: it keeps global state), when installed.

Usage: ``.venv/bin/python benchmarks/bench_client.py [--scans 300] [--seed 0]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trustme  # noqa: E402

from interlock.client import RemoteScanner  # noqa: E402
from interlock.scanner import build_request  # noqa: E402
from tests.unit.client.airs_stub import KEY  # noqa: E402

WORDS = "invoice customer refund policy shipping order account support billing contract payment report".split()


def text(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    n = 0
    while n < chars:
        w = f"https://h{rng.randrange(50)}.example/p" if rng.random() < 0.0002 else rng.choice(WORDS)
        out.append(w)
        n += len(w) + 1
    return " ".join(out)[:chars]


STUB_SCRIPT = textwrap.dedent(
    """
    import ssl, sys
    sys.path.insert(0, sys.argv[1])
    from tests.unit.client.airs_stub import airs_stub

    ctx = None
    if len(sys.argv) > 2:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    with airs_stub(tls=ctx) as (url, _):
        print(url, flush=True)
        sys.stdin.read()
    """
)


@contextlib.contextmanager
def stub_process(cert: Path | None = None, key: Path | None = None) -> Iterator[str]:
    """The tests' AIRS stub in its own process (so it does not share the GIL with the client being measured)."""
    args = [sys.executable, "-c", STUB_SCRIPT, str(ROOT)] + ([str(cert), str(key)] if cert and key else [])
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(30)


def bench_build(rng: random.Random) -> None:
    s = RemoteScanner(api_key=KEY, endpoint="https://airs.test")
    print("build (I/O-free part of one sync scan):")
    for size in (200, 10_000, 1024 * 1024):
        req = build_request({"prompt": text(rng, size), "response": text(rng, size // 2)}, profile="p")
        reps = 2000 if size < 100_000 else 20
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            call = s.scan_call(req)
            s.request_kwargs(call)
            times.append(time.perf_counter() - t0)
        print(f"  prompt {size:>8} chars + response {size // 2:>7}: median {statistics.median(times) * 1e6:9.1f} us")


def percentiles(times: list[float]) -> str:
    q = statistics.quantiles(times, n=20)
    return f"p50 {statistics.median(times) * 1e3:6.2f} ms  p95 {q[18] * 1e3:6.2f} ms"


def bench_loopback(rng: random.Random, scans: int) -> None:
    prompts = [text(rng, 300) for _ in range(scans)]
    print(f"loopback stub over http, {scans} scans:")
    with stub_process() as url, RemoteScanner(api_key=KEY, endpoint=url, profile="p") as s:
        s.scan("warm-up")
        times = []
        t_all = time.perf_counter()
        for p in prompts:
            t0 = time.perf_counter()
            s.scan(p)
            times.append(time.perf_counter() - t0)
        total = time.perf_counter() - t_all
        print(f"  sequential sync scan : {scans / total:7.0f} scans/s  {percentiles(times)}")

        async def run() -> tuple[float, float]:
            await s.ascan("warm-up")
            t0 = time.perf_counter()
            for p in prompts:
                await s.ascan(p)
            t1 = time.perf_counter()
            await s.ascan_batch(prompts)
            t2 = time.perf_counter()
            await s.aclose()
            return t1 - t0, t2 - t1

        seq, batch = asyncio.run(run())
        print(f"  sequential ascan     : {scans / seq:7.0f} scans/s")
        print(f"  ascan_batch (gather) : {scans / batch:7.0f} scans/s  (all {scans} at once)")


SDK_SCRIPT = textwrap.dedent(
    """
    import sys, time
    import aisecurity
    from aisecurity.generated_openapi_client.models.ai_profile import AiProfile
    from aisecurity.scan.inline.scanner import Scanner
    from aisecurity.scan.models.content import Content

    aisecurity.init(api_key=sys.argv[1], api_endpoint=sys.argv[2])
    prompts = sys.stdin.read().split("\\n")
    s, profile = Scanner(), AiProfile(profile_name="p")
    s.sync_scan(ai_profile=profile, content=Content(prompt="warm-up"))
    t0 = time.perf_counter()
    for p in prompts:
        s.sync_scan(ai_profile=profile, content=Content(prompt=p))
    print(time.perf_counter() - t0)
    """
)


def bench_vs_sdk(rng: random.Random, scans: int) -> None:
    prompts = [text(rng, 300) for _ in range(scans)]
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1")
    with tempfile.TemporaryDirectory() as tmp:
        pem, cert, key = Path(tmp) / "ca.pem", Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
        ca.cert_pem.write_to_path(str(pem))
        leaf.cert_chain_pems[0].write_to_path(str(cert))
        leaf.private_key_pem.write_to_path(str(key))
        with stub_process(cert, key) as url:
            _vs_sdk(prompts, url, pem)


def _vs_sdk(prompts: list[str], url: str, pem: Path) -> None:
    scans = len(prompts)
    print(f"https loopback stub, {scans} sequential sync scans:")
    with RemoteScanner(api_key=KEY, endpoint=url, profile="p", verify=str(pem)) as s:
        s.scan("warm-up")
        t0 = time.perf_counter()
        for p in prompts:
            s.scan(p)
        print(f"  RemoteScanner        : {scans / (time.perf_counter() - t0):7.0f} scans/s")
    try:
        import aisecurity  # noqa: F401
    except ImportError:
        print("  official SDK         : not installed")
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANW_AI_SEC_")}
    env["SSL_CERT_FILE"] = str(pem)
    done = subprocess.run(
        [sys.executable, "-c", SDK_SCRIPT, KEY, url],
        input="\n".join(prompts),
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        print("  official SDK         : failed:", done.stderr[-500:])
        return
    print(f"  official SDK 0.11.0  : {scans / float(done.stdout.strip()):7.0f} scans/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scans", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    bench_build(random.Random(args.seed))
    bench_loopback(random.Random(args.seed), args.scans)
    bench_vs_sdk(random.Random(args.seed), args.scans)


if __name__ == "__main__":
    main()
