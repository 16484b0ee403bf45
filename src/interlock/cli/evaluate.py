"""``interlock eval``: measure a scanner (local or remote) on a labelled JSONL file.

Writes ``results.json`` and ``results.md`` (and ``roc.png``/``pr.png`` with ``--plots``) to ``--out``, and prints the
Markdown summary. Warns (on stderr, in ``results.json`` and at the top of ``results.md``) when the file's content is
the training data of a shipped model (see ``interlock.datasets.training_matches``). Exit 0 on success, 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from interlock.cli._common import add_scanner_arguments, make_scanner
from interlock.errors import InterlockError

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", help="JSONL or JSONL.gz file with text and label (0/1) per row")
    parser.add_argument("--detector", help="judge by this detector's flag and score (e.g. injection); default: any")
    parser.add_argument("--side", choices=("prompt", "response"), default="prompt", help="send texts as this field")
    parser.add_argument("--limit", type=int, help="only the first N rows")
    parser.add_argument("--sample", type=int, help="a seeded random sample of N rows")
    parser.add_argument("--seed", type=int, default=0, help="seed for --sample")
    parser.add_argument("--source", action="append", default=[], help="only rows from this source (repeatable)")
    parser.add_argument("--workers", type=int, default=1, help="concurrent scans (for remote scanners)")
    parser.add_argument("--out", default="eval-results", help="output folder (default: eval-results)")
    parser.add_argument("--plots", action="store_true", help="also write ROC/PR plots (needs matplotlib)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_scanner_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import Progress

    from interlock.evaluation import evaluate, load_examples, training_data_warnings

    try:
        examples = load_examples(args.dataset, limit=args.limit, sample=args.sample, seed=args.seed)
    except (OSError, ValueError) as exc:
        print(f"interlock eval: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    if args.source:
        examples = [e for e in examples if e.source in set(args.source)]
    if not examples:
        print("interlock eval: no rows to evaluate", file=sys.stderr)  # noqa: T201
        return 2
    console = Console(stderr=True)
    try:
        with make_scanner(args) as scanner, Progress(console=console, disable=args.quiet) as bar:
            task = bar.add_task("scanning", total=len(examples))
            report = evaluate(
                scanner,
                examples,
                detector=args.detector,
                side=args.side,
                profile=args.profile,
                workers=args.workers,
                dataset=Path(args.dataset).name,
                progress=lambda n: bar.update(task, completed=n),
            )
    except InterlockError as exc:
        print(f"interlock eval: {type(exc).__name__}: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    report.warnings = training_data_warnings(args.dataset, args.detector)
    for warning in report.warnings:
        print(f"interlock eval: warning: {warning}", file=sys.stderr)  # noqa: T201
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(report.to_json(), encoding="utf-8")
    md = report.to_markdown()
    (out / "results.md").write_text(md, encoding="utf-8")
    if args.plots:
        try:
            report.plot(out)
        except ImportError as exc:
            print(f"interlock eval: {exc}", file=sys.stderr)  # noqa: T201
            return 2
    print(md)  # noqa: T201
    return 0
