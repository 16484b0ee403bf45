"""``interlock demo``: scan a curated set of attacks and benign exchanges (or your own file) and print the verdicts.

Runs on the embedded engine by default (no key, no network). Each case takes two lines (three when masking
applies: the masked text is shown) and fits an 80-column terminal. The curated cases illustrate what each
detector does; they were picked by hand and are not a measure of quality (``docs/benchmarks.md`` is).

``--file FILE`` runs the same display on your own texts: JSONL (each row a ``text`` or ``prompt``/``response``
object, optionally with ``label`` 0/1 or ``expect`` allow/block) or plain text, one prompt per line.

Exit 0 when every case with an expectation got it, 1 otherwise, 2 on a configuration or input error.
"""

from __future__ import annotations

import argparse
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from interlock.cli._common import add_scanner_arguments, make_scanner
from interlock.errors import InterlockError
from interlock.profiles.loader import ProfileStore
from interlock.scanner import ScanResult

__all__ = ["add_arguments", "load_cases", "load_file_cases", "run"]

_CONTENT_KEYS = ("prompt", "response", "code_prompt", "code_response", "context", "tool_event")


def load_cases() -> list[dict[str, Any]]:
    """The curated demo cases shipped with the package."""
    text = (resources.files("interlock.cli") / "demo_cases.yaml").read_text(encoding="utf-8")
    cases: list[dict[str, Any]] = yaml.safe_load(text)
    return cases


def load_file_cases(path: str | Path) -> list[dict[str, Any]]:
    """Demo cases from a user's file: JSONL(.gz) rows, or plain text with one prompt per line.

    A JSONL row is ``{"text": ...}`` (sent as the prompt) or has AIRS content keys (``prompt``, ``response``,
    ``context``, ...); ``expect`` (``allow``/``block``) or ``label`` (1 = should be blocked) sets the expectation,
    ``title`` (or ``id``/``source``) the label of the case. A file whose first non-empty line is not a JSON object
    is read as plain text.

    Raises:
        ValueError: the file cannot be read, or a JSONL row has nothing to scan.
    """
    from interlock.datasets import read_jsonl

    p = Path(path)
    try:
        if p.suffix == ".gz" or p.suffix == ".jsonl":
            rows: list[Any] = list(read_jsonl(p))
        else:
            lines = [line for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
            if lines and lines[0].lstrip().startswith("{"):
                rows = list(read_jsonl(p))
            else:
                return [{"title": f"line {n}", "content": {"prompt": line}} for n, line in enumerate(lines, 1)]
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    cases = []
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise ValueError(f"{path}: row {n} is not a JSON object")
        content = {k: row[k] for k in _CONTENT_KEYS if row.get(k)}
        if not content and row.get("text"):
            content = {"prompt": row["text"]}
        if not content.keys() - {"context"}:
            raise ValueError(f"{path}: row {n} has no text to scan (give 'text', 'prompt' or 'response')")
        case: dict[str, Any] = {"title": str(row.get("title") or row.get("id") or row.get("source") or f"row {n}")}
        case["content"] = content
        if row.get("expect") in ("allow", "block"):
            case["expect"] = row["expect"]
        elif row.get("label") in (0, 1):
            case["expect"] = "block" if row["label"] == 1 else "allow"
        cases.append(case)
    return cases


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--file", metavar="FILE", help="run on your own texts: JSONL (text/prompt/response[, label]) or text lines"
    )
    add_scanner_arguments(parser)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _summary(content: dict[str, Any]) -> str:
    if "tool_event" in content:
        te = content["tool_event"]
        return _one_line(f"[tool {te.get('metadata', {}).get('tool_invoked', '?')}] {te.get('output', '')}")
    text = content.get("prompt", "") or content.get("code_prompt", "")
    answer = content.get("response", "") or content.get("code_response", "")
    if answer:
        text = f"{text} ⇒ {answer}" if text else f"⇒ {answer}"
    return _one_line(text)


def _fit(text: str, width: int, focus: int = 0) -> str:
    """``text`` cut to ``width`` characters, keeping position ``focus`` in view (``…`` marks the cuts)."""
    if len(text) <= width:
        return text
    start = max(0, min(focus - width // 3, len(text) - width + 1))
    head = "…" if start else ""
    room = width - len(head)
    body = text[start : start + room]
    if start + room < len(text):
        body = body[: room - 1] + "…"
    return head + body


def _masked(result: ScanResult) -> str | None:
    """The masked side (prompt or response), flattened to one line, or None when nothing was masked."""
    parts = []
    for side in ("prompt", "response"):
        masked = result.masked(side)
        if masked is not None:
            parts.append(("⇒ " if side == "response" else "") + _one_line(masked))
    return " ".join(parts) or None


def run(args: argparse.Namespace, console: Any = None) -> int:
    from rich.console import Console
    from rich.markup import escape

    con = console if console is not None else Console(highlight=False)
    try:
        cases = load_file_cases(args.file) if args.file else load_cases()
    except ValueError as exc:
        print(f"interlock demo: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    try:
        scanner = make_scanner(args)
        store = getattr(scanner, "profiles", None) or ProfileStore.default(args.profiles_file)
        enabled = set(store.get(args.profile).detectors) if isinstance(store, ProfileStore) else set()
    except InterlockError as exc:
        print(f"interlock demo: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    width = max(40, min(con.width, 100)) - 1  # a line of exactly the console width may wrap
    source = args.file or "curated cases"
    con.print(f"[bold]Interlock demo[/] — {type(scanner).__name__}, profile {args.profile or 'default'}, {source}")
    counts = {"allow": 0, "block": 0}
    expected = matched = 0
    with scanner:
        t0 = time.perf_counter()
        try:  # the first scan loads the models: time it apart so the per-case times mean something
            scanner.scan("warm-up", profile=args.profile)
        except InterlockError as exc:
            print(f"interlock demo: {exc}", file=sys.stderr)  # noqa: T201
            return 2
        con.print(f"[dim]engine ready in {time.perf_counter() - t0:.1f} s (first scan loads the models)[/]")
        for i, case in enumerate(cases, 1):
            need = case.get("needs")
            if need and enabled and need not in enabled:
                continue
            t0 = time.perf_counter()
            try:
                result = scanner.scan(case["content"], profile=args.profile)
            except InterlockError as exc:
                print(f"interlock demo: case {i}: {exc}", file=sys.stderr)  # noqa: T201
                return 2
            ms = (time.perf_counter() - t0) * 1000
            counts[result.action] = counts.get(result.action, 0) + 1
            expect = case.get("expect")
            mark = " "
            if expect is not None:
                expected += 1
                matched += result.action == expect
                mark = "✓" if result.action == expect else "✗"
            colour = "red" if result.blocked else "green"
            detected = " ".join(sorted({f for flags in result.detected().values() for f in flags}))
            head = f"{i:>2} {mark} {result.action:<5}"
            tail = f"{detected} {ms:>5.0f} ms" if detected else f"{ms:>5.0f} ms"
            title = _fit(case["title"], width - len(head) - len(tail) - 3)
            pad = " " * (width - len(head) - len(title) - len(tail) - 2)
            con.print(f"{head[:5]}[{colour}]{escape(head[5:])}[/] [bold]{escape(title)}[/]{pad} [dim]{escape(tail)}[/]")
            con.print("      " + escape(_fit(_summary(case["content"]), width - 6)), style="dim")
            masked = _masked(result)
            if masked is not None:
                focus = masked.find("X" * 4) if "X" * 4 in masked else 0
                con.print("      [yellow]masked:[/] " + escape(_fit(masked, width - 14, focus)))
    shown = counts["allow"] + counts["block"]
    con.print(f"{shown} cases: {counts['block']} blocked, {counts['allow']} allowed.")
    if expected and not args.file:
        con.print(f"Verdict as expected for {matched} of {expected} curated cases.")
        con.print("[dim]Hand-picked to show each detector, not a benchmark: see docs/benchmarks.md.[/]")
    elif expected:
        con.print(f"Verdict as expected for {matched} of {expected} (from your file's label/expect values).")
    return 0 if matched == expected else 1
