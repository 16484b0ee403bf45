"""Helpers shared by subcommands: building the scanner from flags, reading inputs, rendering results."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from interlock.profiles.loader import ProfileStore
from interlock.scanner import LocalScanner, Scanner, ScanResult, scanner

__all__ = ["add_scanner_arguments", "make_scanner", "read_text", "render_result"]


def add_scanner_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags that choose the backend and profiles."""
    g = parser.add_argument_group("scanner")
    g.add_argument("--profile", help="profile name (default: $INTERLOCK_PROFILE or 'default')")
    g.add_argument(
        "--profiles-file", action="append", default=[], metavar="PATH", help="extra YAML/TOML profile file (repeatable)"
    )
    g.add_argument("--local", action="store_true", help="force the embedded engine even if an endpoint is configured")
    g.add_argument("--endpoint", help="AIRS-compatible endpoint (default: $PANW_AI_SEC_API_ENDPOINT)")
    g.add_argument("--api-key", help="API key (default: $PANW_AI_SEC_API_KEY)")


def make_scanner(args: argparse.Namespace) -> Scanner:
    """The scanner the flags ask for (local unless an endpoint and credentials are configured)."""
    store = ProfileStore.default(args.profiles_file) if (args.local or args.profiles_file) else None
    if args.local:
        return LocalScanner(profiles=store)
    return scanner(api_key=args.api_key, endpoint=args.endpoint, profiles=store)


def read_text(value: str | None, path: str | None, name: str) -> str | None:
    """The text of an option given inline, as ``-`` (stdin) or as a file."""
    if path is not None:
        try:
            return Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"cannot read {name} file {path}: {exc}") from None
    if value == "-":
        return sys.stdin.read()
    return value


def _preview(text: str, start: int, end: int, sensitive: bool) -> str:
    value = text[start:end]
    if sensitive:  # never print a detected secret back
        return (value[:2] + "…" + "*" * 4) if len(value) > 4 else "*" * len(value)
    value = " ".join(value.split())
    return value if len(value) <= 60 else value[:57] + "…"


def render_result(result: ScanResult, console: object | None = None) -> None:
    """Print a readable verdict and findings table with rich."""
    from rich.console import Console
    from rich.table import Table

    con = console if console is not None else Console()
    r = result.response
    colour = "red" if result.blocked else ("yellow" if r.category != "benign" else "green")
    con.print(  # type: ignore[attr-defined]
        f"[bold {colour}]{r.action.upper()}[/] category=[bold]{r.category}[/] profile={r.profile_name} "
        f"scan_id={r.scan_id}"
    )
    detected = result.detected()
    if detected:
        con.print("detected: " + "; ".join(f"{side}: {', '.join(v)}" for side, v in detected.items()))  # type: ignore[attr-defined]
    for err in r.errors:
        con.print(f"[yellow]detector {err.feature} on {err.content_type}: {err.status}[/]")  # type: ignore[attr-defined]
    if result.findings:
        table = Table(title="findings")
        for col in ("detector", "field", "finding", "span", "score", "text"):
            table.add_column(col)
        texts = {
            "prompt": result.content.prompt,
            "response": result.content.response,
            "code_prompt": result.content.code_prompt,
            "code_response": result.content.code_response,
            "tool_input": result.content.tool_event.input if result.content.tool_event else None,
            "tool_output": result.content.tool_event.output if result.content.tool_event else None,
        }
        for f in result.findings:
            text = texts.get(f.field) or ""
            table.add_row(
                f.detector,
                f.field,
                f.entity,
                f"{f.start}-{f.end}",
                f"{f.score:.2f}",
                _preview(text, f.start, f.end, f.mask),
            )
        con.print(table)  # type: ignore[attr-defined]
    for side in ("prompt", "response"):
        masked = result.masked(side)
        if masked is not None:
            shown = masked if len(masked) <= 500 else masked[:500] + "…"
            con.print(f"[bold]{side} (masked):[/] {shown}", markup=True, highlight=False)  # type: ignore[attr-defined]
