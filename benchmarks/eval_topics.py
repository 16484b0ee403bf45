"""Evaluate topic guardrails on the self-made cases in ``benchmarks/topic_cases.py`` (no shared topic data exists).

Usage: ``.venv/bin/python benchmarks/eval_topics.py [--embeddings auto|off]``

Reports topic-match precision/recall per topic, violation accuracy (blocked match or off the allowed list), a
threshold sweep, and latency per KB. Deterministic.
"""

from __future__ import annotations

import argparse
import statistics
import time

from topic_cases import CASES, HELDOUT_CASES, HELDOUT_TOPICS, TOPICS

from interlock.detectors.topic_guardrails import TopicGuardrailsDetector, TopicGuardrailsOptions
from interlock.engine.base import ScanItem


def evaluate(
    det: TopicGuardrailsDetector, cases: list[tuple[str, str | None]] = CASES
) -> tuple[dict[str, tuple[int, int, int]], float]:
    allowed = {t.name for t in det.options.allowed_topics}
    per: dict[str, list[int]] = {}
    correct = 0
    for text, want in cases:
        r = det.detect(ScanItem(text=text, field="prompt", data_type="prompt"))
        got = set(r.categories.get("allowed_topics", [])) | set(r.categories.get("blocked_topics", []))
        for topic in {want, *got} - {None}:
            tp, fp, fn = per.setdefault(str(topic), [0, 0, 0])
            per[str(topic)] = [
                tp + (topic == want and topic in got),
                fp + (topic != want and topic in got),
                fn + (topic == want and topic not in got),
            ]
        should_violate = want not in allowed
        correct += r.detected == should_violate
    return {k: (v[0], v[1], v[2]) for k, v in per.items()}, correct / len(cases)


def table(per: dict[str, tuple[int, int, int]], acc: float) -> None:
    print("| topic | TP | FP | FN | precision | recall |")
    print("|---|---|---|---|---|---|")
    for topic, (tp, fp, fn) in sorted(per.items()):
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        print(f"| {topic} | {tp} | {fp} | {fn} | {p:.2f} | {r:.2f} |")
    print(f"\nviolation decision accuracy: {acc:.3f}\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embeddings", choices=["auto", "off"], default="auto")
    args = ap.parse_args()
    base = TopicGuardrailsOptions.model_validate({**TOPICS, "embeddings": args.embeddings})
    det = TopicGuardrailsDetector(base)
    print(f"{len(CASES)} cases; semantic={'on' if det.semantic else 'off'}; threshold {base.threshold}\n")
    table(*evaluate(det))
    held = TopicGuardrailsDetector(
        TopicGuardrailsOptions.model_validate({**HELDOUT_TOPICS, "embeddings": args.embeddings})
    )
    print(f"### held-out configuration ({len(HELDOUT_CASES)} cases, threshold fixed beforehand)\n")
    table(*evaluate(held, HELDOUT_CASES))
    print("| threshold | violation accuracy |")
    print("|---|---|")
    for th in (0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3):
        opts = base.model_copy(update={"threshold": th})
        print(f"| {th} | {evaluate(TopicGuardrailsDetector(opts))[1]:.3f} |")
    text = " ".join(t for t, _ in CASES)[:1024]
    item = ScanItem(text=text, field="prompt", data_type="prompt")
    runs = []
    for _ in range(100):
        t0 = time.perf_counter()
        det.detect(item)
        runs.append((time.perf_counter() - t0) * 1000)
    n_topics = len(TOPICS["allowed_topics"]) + len(TOPICS["blocked_topics"])
    print(f"\nlatency, 1 KB: median {statistics.median(runs):.3f} ms ({n_topics} topics)")


if __name__ == "__main__":
    main()
