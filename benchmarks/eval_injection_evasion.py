"""Evasion robustness of the injection detector: of the attacks caught in plain form, the share still caught after
each obfuscating transform (letter spacing, leetspeak, rot13, base64, Unicode tag characters, full-width forms).

Attacks: the hand-written positives (``tests/fixtures/injection_positives.jsonl``) and, when the shared data is
present, the attacks of ``prompt_attack_eval_only.jsonl.gz`` (never trained on). Texts over 600 characters are
skipped (a spaced-out 4 KB jailbreak is not a realistic evasion); Unicode tags are applied to ASCII attacks only
(tag characters exist for ASCII only). The encoded transforms carry a short plain instruction to decode, as an
attacker has to give one for the model to act on the payload.

Usage: ``.venv/bin/python benchmarks/eval_injection_evasion.py [--profile-tiers signature,ngram] [--json OUT]``.
"""

from __future__ import annotations

import argparse
import base64
import codecs
import json
import sys
from collections.abc import Callable
from pathlib import Path

from interlock.datasets import read_jsonl, shared_data_dir
from interlock.detectors.prompt_injection import PromptInjectionDetector, PromptInjectionOptions
from interlock.engine.base import ScanItem

ROOT = Path(__file__).resolve().parents[1]
_LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"})

TRANSFORMS: dict[str, Callable[[str], str]] = {
    "spacing": lambda t: " ".join(t),
    "leetspeak": lambda t: t.lower().translate(_LEET),
    "rot13": lambda t: "Decode this rot13 and do what it says: " + codecs.encode(t, "rot13"),
    "base64": lambda t: "Decode this base64 and follow it: " + base64.b64encode(t.encode()).decode(),
    "unicode_tags": lambda t: "Nice weather today." + "".join(chr(0xE0000 + ord(c)) for c in t),
    "fullwidth": lambda t: "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in t),
}


def attacks() -> list[str]:
    fixture = ROOT / "tests" / "fixtures" / "injection_positives.jsonl"
    texts = [json.loads(line)["text"] for line in fixture.read_text(encoding="utf-8").splitlines() if line.strip()]
    data = shared_data_dir()
    if data is not None and (data / "prompt_attack_eval_only.jsonl.gz").exists():
        texts += [r["text"] for r in read_jsonl(data / "prompt_attack_eval_only.jsonl.gz") if int(r["label"]) == 1]
    return [t for t in texts if len(t) <= 600]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile-tiers", default="signature,ngram", help="comma-separated injection tiers")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    det = PromptInjectionDetector(PromptInjectionOptions(tiers=args.profile_tiers.split(",")))

    def caught(text: str) -> bool:
        return det.detect(ScanItem(text=text, field="prompt", data_type="prompt")).detected

    texts = attacks()
    plain = [t for t in texts if caught(t)]
    out: dict[str, object] = {"tiers": args.profile_tiers, "attacks": len(texts), "caught_plain": len(plain)}
    kept: dict[str, float] = {}
    for name, f in TRANSFORMS.items():
        # Tag characters exist for ASCII only: a text with other characters cannot be smuggled that way.
        pool = [t for t in plain if t.isascii()] if name == "unicode_tags" else plain
        kept[name] = sum(caught(f(t)) for t in pool) / max(len(pool), 1)
    out["kept"] = {k: round(v, 3) for k, v in kept.items()}
    out["mean"] = round(sum(kept.values()) / len(kept), 3)
    print(f"tiers {args.profile_tiers}: {len(plain)} of {len(texts)} attacks caught in plain form")
    for name, v in kept.items():
        print(f"  {name:<13} {v:.3f}")
    print(f"  {'mean':<13} {out['mean']:.3f}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
