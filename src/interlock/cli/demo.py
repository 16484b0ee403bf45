"""``interlock demo``: scan a curated set of attacks and benign exchanges and print the verdicts.

Runs on the embedded engine by default (no key, no network). Exit 0 when every shown case got its expected
action, 1 otherwise, 2 on a configuration error.
"""

from __future__ import annotations

import argparse
import sys
import time
from importlib import resources
from typing import Any

import yaml

from interlock.cli._common import add_scanner_arguments, make_scanner
from interlock.errors import InterlockError
from interlock.profiles.loader import ProfileStore

__all__ = ["add_arguments", "run", "load_cases"]


def load_cases() -> list[dict[str, Any]]:
    """The curated demo cases shipped with the package."""
    text = (resources.files("interlock.cli") / "demo_cases.yaml").read_text(encoding="utf-8")
    cases: list[dict[str, Any]] = yaml.safe_load(text)
    return cases


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scanner_arguments(parser)


def _summary(content: dict[str, Any]) -> str:
    if "tool_event" in content:
        te = content["tool_event"]
        text = f"[tool {te['metadata']['tool_invoked']}] {te.get('output', '')}"
    else:
        text = content.get("prompt", "")
        if "response" in content:
            text += f"  ⇒  {content['response']}"
    text = " ".join(str(text).split())
    return text if len(text) <= 70 else text[:67] + "…"


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    try:
        scanner = make_scanner(args)
        store = getattr(scanner, "profiles", None) or ProfileStore.default(args.profiles_file)
        enabled = set(store.get(args.profile).detectors) if isinstance(store, ProfileStore) else set()
    except InterlockError as exc:
        print(f"interlock demo: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    backend = type(scanner).__name__
    table = Table(title=f"Interlock demo — {backend}, profile {args.profile or 'default'}")
    for col in ("#", "case", "text", "expected", "verdict", "detected", "ms"):
        table.add_column(col)
    ok = shown = 0
    with scanner:
        for i, case in enumerate(load_cases(), 1):
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
            shown += 1
            good = result.action == case["expect"]
            ok += good
            colour = "red" if result.blocked else "green"
            detected = "; ".join(f"{k}: {','.join(v)}" for k, v in result.detected().items()) or "-"
            masked = result.masked("prompt") or result.masked("response")
            if masked:
                detected += " (masked)"
            table.add_row(
                str(i),
                case["title"],
                _summary(case["content"]),
                case["expect"],
                f"[{colour}]{result.action}[/]" + ("" if good else " [bold red]✗[/]"),
                detected,
                f"{ms:.1f}",
            )
    console.print(table)
    console.print(f"{ok}/{shown} cases got the expected verdict.")
    return 0 if ok == shown else 1
