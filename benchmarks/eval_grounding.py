"""Evaluate contextual grounding on the self-made cases in ``benchmarks/grounding_cases.py``.

Usage: ``.venv/bin/python benchmarks/eval_grounding.py``

No shared grounding data exists (``/work/shared/data`` has none), so this is a small hand-written set: report it as
such. Prints accuracy / precision / recall for "ungrounded", per context, a support-threshold sweep, and latency
per KB of response with a 20 KB context. Deterministic.
"""

from __future__ import annotations

import statistics
import time

from grounding_cases import CASES, CONTEXTS

from interlock.detectors.grounding import GroundingDetector, GroundingOptions, _context
from interlock.engine.base import ScanItem


def item(response: str, context: str) -> ScanItem:
    return ScanItem(text=response, field="response", data_type="response", context=context)


def evaluate(det: GroundingDetector) -> tuple[float, float, float, dict[str, list[int]]]:
    tp = fp = fn = tn = 0
    per: dict[str, list[int]] = {}
    for ctx, response, label in CASES:
        got = det.detect(item(response, CONTEXTS[ctx])).detected
        tp += got and label == 1
        fp += got and label == 0
        fn += (not got) and label == 1
        tn += (not got) and label == 0
        per.setdefault(ctx, [0, 0])
        per[ctx][0] += got == bool(label)
        per[ctx][1] += 1
    acc = (tp + tn) / len(CASES)
    return acc, tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0, per


def main() -> None:
    det = GroundingDetector(GroundingOptions())
    acc, p, r, per = evaluate(det)
    n1 = sum(label for *_, label in CASES)
    print(f"{len(CASES)} cases ({n1} ungrounded, {len(CASES) - n1} grounded), {len(CONTEXTS)} contexts\n")
    print(f"accuracy {acc:.3f}; ungrounded precision {p:.3f} recall {r:.3f}\n")
    print("| context | correct |")
    print("|---|---|")
    for ctx, (ok, n) in per.items():
        print(f"| {ctx} | {ok}/{n} |")
    print("\n| support_threshold | accuracy | precision | recall |")
    print("|---|---|---|---|")
    for th in (0.4, 0.5, 0.6, 0.7, 0.8):
        a, pp, rr, _ = evaluate(GroundingDetector(GroundingOptions(support_threshold=th)))
        print(f"| {th} | {a:.3f} | {pp:.3f} | {rr:.3f} |")
    context = " ".join(CONTEXTS.values())
    context = (context * (20_000 // len(context) + 1))[:20_000]
    response = " ".join(resp for _, resp, _ in CASES)[:1024]
    for label, ctx_text in (("20 KB", context), ("100 KB (the AIRS maximum)", (context * 5)[:100_000])):
        cold, warm = [], []
        for _ in range(5):
            _context.cache_clear()
            t0 = time.perf_counter()
            det.detect(item(response, ctx_text))
            cold.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            det.detect(item(response, ctx_text))
            warm.append((time.perf_counter() - t0) * 1000)
        print(
            f"latency, 1 KB response + {label} context: cold (context analysed) median "
            f"{statistics.median(cold):.1f} ms; warm (context cached) median {statistics.median(warm):.1f} ms"
        )


if __name__ == "__main__":
    main()
