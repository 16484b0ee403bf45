"""Engine latency: every registered detector alone and the default profile, over text sizes, plus adversarial inputs.

* **Sizes**: 100 B, 1 KB, 10 KB, 100 KB and 2 MB of seeded, realistic text (English prose with a few e-mails,
  card numbers, URLs, code and key=value lines sprinkled in), scanned through :class:`LocalScanner`.
  Each registered detector (``interlock.engine.registry.available()``, so detectors added later are picked up)
  runs alone in a one-detector profile, then the ``default`` profile runs as shipped. Reported: whole-scan wall
  time p50/p95/p99, process CPU time p50 (robust on a shared machine) and the detectors' own time
  (``Outcome.elapsed_ms``, summed) p50.
* **Adversarial**: pathological strings (long runs of digits, ``@``, ``=``, ``a``, repeated e-mail/card/key
  shapes, dotted numbers, nested brackets) at 10 KB, 100 KB and 1 MB through each detector alone, timed in process
  CPU (the machine is shared); the CPU time per 100 KB should stay flat (linear scaling). A detector that would
  exceed the time limit is reported, not hidden.

The text a detector sees is the prompt, or, for response-only detectors, the response (with the same text as
grounding context). The profile's per-detector budget is raised so timings are measured, not cut off.

Usage: ``.venv/bin/python benchmarks/bench_engine.py [--quick] [--detectors a,b] [--out docs/bench/latency.md]``
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from interlock.engine import registry
from interlock.profiles import Profile, ProfileStore
from interlock.scanner import LocalScanner

SIZES = [("100 B", 100), ("1 KB", 1_000), ("10 KB", 10_000), ("100 KB", 100_000), ("2 MB", 2_000_000)]
REPEATS = {100: 200, 1_000: 100, 10_000: 30, 100_000: 8, 2_000_000: 3}
ADV_SIZES = [10_000, 100_000, 1_000_000]
SEED = 1234

_WORDS = (
    "the a of to and in is it you that he was for on are with as I his they be at one have this from or had by "
    "word but what some we can out other were all there when up use your how said an each she which do their "
    "time if will way about many then them write would like so these her long make thing see him two has look "
    "more day could go come did number sound no most people my over know water than call first who may down side "
    "been now find any new work part take get place made live where after back little only round man year came "
    "show every good me give our under name very through just form sentence great think say help low line differ "
    "turn cause much mean before move right boy old too same tell does set three want air well also play small"
).split()
_EXTRAS = (
    "contact jane.roe@example.org for details",
    "card 4111 1111 1111 1111 expires 09/29",
    "see https://docs.example.com/guide?id=42",
    "def handler(event):\n    return event['body']",
    "retry_count = 3",
    "SELECT name FROM users WHERE id = 7;",
    "call (415) 555-2671 after 5pm",
    "version 2.4.1 released on 2024-03-01",
)


def make_text(size: int, rng: random.Random) -> str:
    """Seeded prose of about ``size`` characters with an occasional sensitive or technical fragment."""
    parts: list[str] = []
    n = 0
    while n < size:
        if rng.random() < 0.04:
            piece = rng.choice(_EXTRAS)
        else:
            piece = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 16))).capitalize() + "."
        parts.append(piece)
        n += len(piece) + 1
    return " ".join(parts)[:size]


ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "digits": lambda n: "7" * n,
    "digit groups": lambda n: ("4111 " * (n // 5 + 1))[:n],
    "at signs": lambda n: "@" * n,
    "equals": lambda n: "=" * n,
    "letter a": lambda n: "a" * n,
    "e-mail shapes": lambda n: ("a@b.co " * (n // 7 + 1))[:n],
    "key=value": lambda n: ("key=" * (n // 4 + 1))[:n],
    "dotted numbers": lambda n: ("1.2." * (n // 4 + 1))[:n],
    "brackets": lambda n: ("([{<" * (n // 8 + 1) + ">}])" * (n // 8 + 1))[:n],
}


@dataclass
class Target:
    """One configuration to benchmark: a profile and how to wrap the text."""

    name: str
    scanner: LocalScanner
    profile: str
    wrap: Callable[[str], dict[str, Any]]
    detectors: list[str]


def _wrap_for(data_types: frozenset[str]) -> Callable[[str], dict[str, Any]]:
    if "prompt" in data_types:
        return lambda t: {"prompt": t}
    return lambda t: {"prompt": "What does the document say?", "response": t, "context": t}


def targets(only: list[str] | None) -> tuple[list[Target], list[str]]:
    """One target per available detector (alone) plus the default profile; and the notes on skipped ones."""
    out: list[Target] = []
    notes: list[str] = []
    for name in registry.available():
        if only and name not in only:
            continue
        try:
            cls = registry.detector_class(name)
            profile = Profile(name=f"bench-{name}", detector_timeout_ms=600_000, detectors={name: {}})
            s = _capture(LocalScanner(ProfileStore([profile])))
            s.scan(_wrap_for(cls.data_types)("warm up"), profile=profile.name)  # builds the detector
        except Exception as exc:  # a detector that cannot run with default options is reported, not fatal
            notes.append(f"`{name}`: not benchmarked ({type(exc).__name__}: {str(exc)[:120]})")
            continue
        out.append(Target(name, s, profile.name, _wrap_for(cls.data_types), [name]))
    if not only or "default" in only:
        try:
            store = ProfileStore.default()
            base = store.get("default")
            profile = base.model_copy(update={"detector_timeout_ms": 600_000})
            store.add(profile)
            s = _capture(LocalScanner(store))
            s.scan({"prompt": "warm up"}, profile="default")
            out.append(Target("default profile", s, "default", lambda t: {"prompt": t}, list(profile.detectors)))
        except Exception as exc:
            notes.append(f"default profile: not benchmarked ({type(exc).__name__}: {str(exc)[:120]})")
    return out, notes


def _pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run_sizes(ts: list[Target], sizes: list[tuple[str, int]], quick: bool) -> list[str]:
    """Latency table rows: target, size, p50/p95/p99 wall, detector p50."""
    rng = random.Random(SEED)
    texts = {size: make_text(size, rng) for _, size in sizes}
    rows = []
    for t in ts:
        for label, size in sizes:
            reps = max(2, REPEATS[size] // (4 if quick else 1))
            wall: list[float] = []
            cpu: list[float] = []
            det: list[float] = []
            status: set[str] = set()
            for _ in range(reps):
                t0, c0 = time.perf_counter(), time.process_time()
                t.scanner.scan(t.wrap(texts[size]), profile=t.profile)
                wall.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                det.append(sum(o.elapsed_ms for o in _outcomes(t.scanner)))
                status.update(o.status for o in _outcomes(t.scanner))
            flag = "" if status <= {"ok"} else f" ({'/'.join(sorted(status - {'ok'}))})"
            rows.append(
                f"| {t.name} | {label} | {_pct(wall, 50):.2f} | {_pct(wall, 95):.2f} | {_pct(wall, 99):.2f} "
                f"| {statistics.median(cpu):.2f} | {statistics.median(det):.2f}{flag} | {reps} |"
            )
            print(rows[-1], file=sys.stderr, flush=True)
    return rows


_LAST: dict[int, Any] = {}


def _capture(scanner: LocalScanner) -> LocalScanner:
    """Record the engine result of each scan, to read each detector's own time and status."""
    engine = scanner.engine
    inner = engine.scan

    def scan(exchange: Any, profile: Any) -> Any:
        result = inner(exchange, profile)
        _LAST[id(scanner)] = result
        return result

    engine.scan = scan  # type: ignore[method-assign]
    return scanner


def _outcomes(scanner: LocalScanner) -> list[Any]:
    result = _LAST.get(id(scanner))
    return list(result.outcomes) if result is not None else []


def run_adversarial(ts: list[Target], sizes: list[int], limit_s: float) -> list[str]:
    """Per target and pathological string: ms at each size and ms per 100 KB (flat = linear)."""
    rows = []
    for t in ts:
        for name, make in ADVERSARIAL.items():
            cells: list[str] = []
            per: list[float] = []
            for size in sizes:
                text = make(size)
                t0 = time.process_time()
                t.scanner.scan(t.wrap(text), profile=t.profile)
                ms = (time.process_time() - t0) * 1000
                bad = {o.status for o in _outcomes(t.scanner)} - {"ok"}
                cells.append(f"{ms:.1f}" + (f" ({'/'.join(sorted(bad))})" if bad else ""))
                per.append(ms / (size / 100_000))
                if ms / 1000 > limit_s:
                    cells.extend(["skipped"] * (len(sizes) - len(cells)))
                    break
            ratio = per[-1] / per[0] if len(per) > 1 and per[0] > 0 else float("nan")
            rows.append(f"| {t.name} | {name} | {' | '.join(cells)} | {ratio:.2f} |")
            print(rows[-1], file=sys.stderr, flush=True)
    return rows


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average at start {load:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="quarter the repetitions")
    parser.add_argument("--detectors", help="comma-separated detector names (and/or 'default')")
    parser.add_argument("--no-adversarial", action="store_true")
    parser.add_argument("--max-size", type=int, default=2_000_000)
    parser.add_argument("--adv-limit", type=float, default=20.0, help="seconds; stop growing a string past this")
    parser.add_argument("--out", type=Path, help="write the Markdown tables here")
    args = parser.parse_args()
    only = args.detectors.split(",") if args.detectors else None
    ts, notes = targets(only)
    started = machine()
    sizes = [s for s in SIZES if s[1] <= args.max_size]
    lines = [
        f"Machine: {started}. Seed {SEED}.",
        "",
        "| target | size | p50 ms | p95 ms | p99 ms | CPU p50 ms | detectors p50 ms | runs |",
        "|---|---|---|---|---|---|---|---|",
        *run_sizes(ts, sizes, args.quick),
    ]
    if notes:
        lines += ["", *[f"- {n}" for n in notes]]
    if not args.no_adversarial:
        head = " | ".join(f"{s // 1000} KB CPU ms" for s in ADV_SIZES)
        lines += [
            "",
            f"Adversarial inputs (one scan each, process CPU ms; last column = CPU ms per 100 KB at "
            f"{ADV_SIZES[-1] // 1000} KB divided by CPU ms per 100 KB at {ADV_SIZES[0] // 1000} KB; about 1 or below "
            "means linear):",
            "",
            f"| target | input | {head} | scaling |",
            "|---|---|" + "---|" * len(ADV_SIZES) + "---|",
            *run_adversarial(ts, ADV_SIZES, args.adv_limit),
        ]
    text = "\n".join(lines)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
