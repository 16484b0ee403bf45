"""Signature-tier matching cost, before/after: one ``RE2::Set`` of every signature vs. ``re2.Filter``.

``SignatureTier._matches`` finds which signatures match a normalised view of one detector window (at most 4096
characters; the detector cuts longer texts into overlapping windows) and their first three spans. It used to run
one ``RE2::Set`` of all signatures over the view, then ``finditer`` per hit signature (:class:`SetMatcher`, kept
here as the "before" algorithm and as the reference of ``tests/unit/test_injection_signature_speed.py``). On text
dense with trigger words the Set's DFA states blow up and the cache thrashes. It now uses ``re2.Filter``
(``FilteredRE2``: a literal-atom prefilter, then each candidate signature as its own RE2).

Texts (seeded): 1 KB of benign prose, 1 KB of attack prompts (the positives fixture), and "word salad" drawn
from trigger words (:data:`TRIGGER_WORDS`) at 64 KB and 2 MB, 64 KB drawn from every word of every signature
with markup punctuation (:func:`signature_vocabulary`, a harsher variant), and the server load benchmark's 2 MB
worst-case prompt (``load_server.py --big``). Views are computed beforehand (not
timed); reported is process CPU time per KB of text for ``_matches`` over every view of every window, and for
the signature-only detector (``detect``), before and after, plus whether both algorithms found the same matches.
``--alternatives`` also times the Set split into 4 and 16 smaller Sets (one of the ideas evaluated);
``--per-signature`` adds a worst-case search: a salad of each signature's own words; ``--data`` adds real prompts
from the labelled data. Every timed text is distinct (a DFA cache warmed by the very same text would flatter the
Set), except in the row that says "repeated".

Usage: ``.venv/bin/python benchmarks/bench_signatures.py [--quick] [--alternatives] [--per-signature]
[--data ../shared/data] [--out FILE]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import re2

from interlock.detectors.prompt_injection.detector import PromptInjectionDetector, PromptInjectionOptions
from interlock.detectors.prompt_injection.signatures import Signature
from interlock.detectors.prompt_injection.tiers import SignatureTier
from interlock.engine.base import ScanItem
from interlock.text.normalize import Limits, View, views

ROOT = Path(__file__).resolve().parents[1]
SEED = 1234
WINDOW, STEP = 4096, 4096 - 256  # the detector's windows (detector.py: _WINDOW, _WINDOW - _OVERLAP)

#: Words that many signatures start from or need: a text made of them keeps most signatures "almost matching".
TRIGGER_WORDS = (
    "ignore previous prior instructions rules system prompt you are now DAN developer mode reveal all your "
    "disregard forget above act as pretend jailbreak unrestricted no restrictions override bypass safety print "
    "show initial the from on stay in character do anything must always answer without filter guidelines "
    "respond assistant AI model policy free enabled"
).split()

#: Markup and punctuation some signatures key on (fake system tags, HTML comments, markdown images, separators).
PUNCTUATION = ("<!--", "-->", "![x](https://e.co/a?q=", ")", "[system]", "###", "===", ":", "'", ",", "...", "\n")


def signature_vocabulary(signatures: Iterable[Signature]) -> list[str]:
    """Every word (2+ ASCII letters) in the signatures' patterns, sorted: the densest trigger vocabulary."""
    words = {w.lower() for s in signatures for w in re.findall(r"[A-Za-z]{2,}", s.pattern.removeprefix("(?i)"))}
    return sorted(words)


def word_salad(size: int, seed: int, words: Sequence[str]) -> str:
    """``size`` characters of seeded random ``words`` joined by spaces."""
    rng = random.Random(seed)
    out: list[str] = []
    n = 0
    while n < size:
        w = rng.choice(words)
        out.append(w)
        n += len(w) + 1
    return " ".join(out)[:size]


def windows(text: str) -> list[str]:
    """The windows the detector scores for ``text``."""
    return [text[s : s + WINDOW] for s in range(0, max(len(text) - (WINDOW - STEP), 1), STEP)]


class SetMatcher:
    """The former ``SignatureTier._matches``: one ``RE2::Set`` per signature group, then ``finditer`` per hit.

    ``groups`` > 1 splits each Set round-robin into that many smaller Sets (an alternative that was measured).
    Returns the same tuples as the tier, in the Set's hit order (an RE2 internal).
    """

    def __init__(self, tier: SignatureTier, groups: int = 1) -> None:
        self._tier = tier
        sigs = tier._sigs
        self._all = self._build(range(len(sigs)), groups)
        self._latin = self._build([i for i, s in enumerate(sigs) if s.latin], groups)

    @staticmethod
    def _build_one(patterns: list[str]) -> Any:
        opts = re2.Options()
        opts.max_mem = 64 << 20
        rs = re2.Set.SearchSet(opts)
        for p in patterns:
            rs.Add(p)
        rs.Compile()
        return rs

    def _build(self, indices: Sequence[int], groups: int) -> list[tuple[Any, list[int]]]:
        parts = [list(indices[g::groups]) for g in range(groups)]
        return [(self._build_one([self._tier._sigs[i].pattern for i in p]), p) for p in parts if p]

    def __call__(self, view: View) -> list[tuple[int, int, int]]:
        sets = self._all if (view.name == "base" or view.hidden) else self._latin
        out: list[tuple[int, int, int]] = []
        for rs, order in sets:
            for h in rs.Match(view.text) or ():
                idx = order[h]
                for n, m in enumerate(self._tier._compiled[idx].finditer(view.text)):
                    if n >= 3:
                        break
                    out.append((idx, *m.span()))
        return out


def attack_prompt(size: int, rng: random.Random) -> str:
    """About ``size`` characters of randomly chosen attacks from the positives fixture (real attack phrasings)."""
    lines = (ROOT / "tests" / "fixtures" / "injection_positives.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [str(json.loads(line)["text"]) for line in lines if line.strip()]
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < size:
        parts.append(rng.choice(rows))
    return " ".join(parts)[:size]


@dataclass
class Workload:
    """Texts of one kind: ``warm`` ones are scanned first, untimed (a server's DFA caches are warm from similar
    traffic), then each ``timed`` one once."""

    kind: str
    warm: list[str]
    timed: list[str]


def workloads(quick: bool, data: Path | None) -> list[Workload]:
    """The benchmark's texts, seeded; every timed text is distinct unless the kind says otherwise."""
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_engine import make_text  # the engine benchmark's realistic prose
    from load_server import prompt_of  # the server load benchmark's --big prompt

    rng = random.Random(SEED)
    n = 100 if quick else 400
    vocab = signature_vocabulary(SignatureTier()._sigs) + list(PUNCTUATION) * 10
    prose = [make_text(1_000, rng) for _ in range(50 + n)]
    attacks = [attack_prompt(1_000, rng) for _ in range(51 + n)]
    trigger = [word_salad(65_536, seed, TRIGGER_WORDS) for seed in (1, 2, 3)]
    dense = [word_salad(65_536, seed, vocab) for seed in (1, 2, 3)]
    out = [
        Workload("benign prose 1 KB", prose[:50], prose[50:]),
        Workload("attack prompts 1 KB", attacks[:50], attacks[50:-1]),
        Workload("one 1 KB attack prompt, repeated", attacks[-1:], attacks[-1:] * n),
        Workload("trigger salad 64 KB", trigger[:1], trigger[1:]),
        Workload("signature-vocabulary salad 64 KB", dense[:1], dense[1:]),
        Workload("trigger salad 2 MB", [], [word_salad(2_000_000, SEED, TRIGGER_WORDS)]),
        Workload("load benchmark's worst case, 2 MB", [], [prompt_of(random.Random(7), 2 * 1024 * 1024 - 200)]),
    ]
    if data is not None:
        with gzip.open(data / "prompt_attack.jsonl.gz", "rt", encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh]
        random.Random(SEED).shuffle(rows)
        m = 300 if quick else 1_000
        for label, name in ((0, "labelled benign prompts"), (1, "labelled attack prompts")):
            sel = [str(r["text"]) for r in rows if r["label"] == label]
            out.append(Workload(f"{name} (prompt_attack, {m} rows)", sel[:200], sel[200 : 200 + m]))
    return out


def _cpu_ms_per_kb(fn: Callable[[Any], object], warm: list[Any], timed: list[Any], size: int) -> float:
    for x in warm:
        fn(x)
    t0 = time.process_time()
    for x in timed:
        fn(x)
    return (time.process_time() - t0) * 1000 / (size / 1000)


def _on_views(match: Callable[[View], list[tuple[int, int, int]]]) -> Callable[[list[list[View]]], None]:
    def run(vss: list[list[View]]) -> None:
        for vs in vss:
            for v in vs:
                match(v)

    return run


def per_signature(tier: SignatureTier, before: SetMatcher, size: int) -> list[str]:
    """Worst-case search: for each signature, ``size`` characters of salad from that signature's own words (and
    :data:`PUNCTUATION`); ``_matches`` CPU ms/KB before and after, summarised, with the five worst texts."""
    rows: list[tuple[float, float, str]] = []
    for i, sig in enumerate(tier._sigs):
        words = sorted(set(re.findall(r"[^\W\d_]{2,}", sig.pattern.removeprefix("(?i)")))) or ["x"]
        vss = _views_of(word_salad(size, i, [*words, *PUNCTUATION, '"', "=", "+", "a", "b"]))
        b = _cpu_ms_per_kb(_on_views(before), [], [vss], size)
        a = _cpu_ms_per_kb(_on_views(tier._matches), [], [vss], size)
        rows.append((a, b, sig.id))
    rows.sort(reverse=True)
    med = len(rows) // 2
    out = [
        "",
        f"Per-signature salads ({len(rows)} texts of {size // 1024} KB, each from one signature's own words; "
        "`_matches` CPU ms/KB, cold):",
        "",
        "| | before | after |",
        "|---|---|---|",
        f"| median | {sorted(r[1] for r in rows)[med]:.3f} | {sorted(r[0] for r in rows)[med]:.3f} |",
        f"| worst | {max(r[1] for r in rows):.3f} | {rows[0][0]:.3f} |",
    ]
    out += [f"| `{sid}` salad | {b:.3f} | {a:.3f} |" for a, b, sid in rows[:5]]
    return out


def _views_of(text: str) -> list[list[View]]:
    return [views(w, Limits()) for w in windows(text)]


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, load {load:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer texts; the 2 MB detector runs skipped")
    parser.add_argument("--alternatives", action="store_true", help="also time the Set split into 4 and 16 Sets")
    parser.add_argument("--data", type=Path, help="labelled data folder (prompt_attack.jsonl.gz): adds real prompts")
    parser.add_argument("--per-signature", action="store_true", help="also the per-signature worst-case salads")
    parser.add_argument("--out", type=Path, help="write the Markdown table here")
    args = parser.parse_args()
    tier = SignatureTier()
    before = SetMatcher(tier)
    det_after = PromptInjectionDetector(PromptInjectionOptions(tiers=["signature"]))
    det_before = PromptInjectionDetector(PromptInjectionOptions(tiers=["signature"]))
    det_before.tiers[0]._matches = SetMatcher(tier)  # type: ignore[attr-defined]  # the old algorithm, in place
    alts = {f"{k} Sets": SetMatcher(tier, k) for k in (4, 16)} if args.alternatives else {}
    head = ["text", "`_matches` before ms/KB", "after ms/KB", "speed-up"]
    head += [f"{name} ms/KB" for name in alts]
    head += ["detector before ms/KB", "detector after ms/KB", "same matches"]
    lines = [f"Machine: {machine()}. Seed {SEED}. Process CPU time per KB.", "", "| " + " | ".join(head) + " |"]
    lines.append("|---" * len(head) + "|")
    print("\n".join(lines), flush=True)
    for w in workloads(args.quick, args.data):
        size = sum(map(len, w.timed))
        warm = [_views_of(t) for t in w.warm]
        cache = {t: _views_of(t) for t in dict.fromkeys(w.timed)}  # a repeated text shares its views
        timed = [cache[t] for t in w.timed]
        b = _cpu_ms_per_kb(_on_views(before), warm, timed, size)
        a = _cpu_ms_per_kb(_on_views(tier._matches), warm, timed, size)
        cells = [w.kind, f"{b:.3f}", f"{a:.3f}", f"{b / a:.1f}x"]
        cells += [f"{_cpu_ms_per_kb(_on_views(m), warm, timed, size):.3f}" for m in alts.values()]
        if args.quick and size > 1_000_000:
            cells += ["-", "-"]
        else:
            for det in (det_before, det_after):
                run = _detect(det)
                cells.append(f"{_cpu_ms_per_kb(run, w.warm, w.timed, size):.3f}")
        same = all(sorted(before(v)) == tier._matches(v) for vss in timed for vs in vss for v in vs)  # after timing
        cells.append("yes" if same else "**NO**")
        lines.append("| " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    if args.per_signature:
        lines += per_signature(tier, before, 16_384)
        print("\n".join(lines[-12:]), flush=True)
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _detect(det: PromptInjectionDetector) -> Callable[[str], object]:
    return lambda text: det.detect(ScanItem(text=text, field="prompt", data_type="prompt"))


if __name__ == "__main__":
    main()
