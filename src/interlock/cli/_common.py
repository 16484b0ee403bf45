"""Helpers shared by subcommands: building the scanner from flags, reading inputs, rendering results."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from interlock.engine.base import Finding
from interlock.profiles.loader import ProfileStore
from interlock.scanner import LocalScanner, Scanner, ScanResult, scanner

__all__ = ["add_scanner_arguments", "evidence", "make_scanner", "read_text", "render_result", "result_json"]


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


#: content field of a finding -> the side its AIRS detection flag is reported on
_SIDE_OF_FIELD = {
    "prompt": "prompt",
    "code_prompt": "prompt",
    "response": "response",
    "code_response": "response",
    "tool_input": "tool_event",
    "tool_output": "tool_event",
}


def evidence(result: ScanResult, explain: bool = False) -> list[Finding]:
    """The findings worth showing: those of detectors that flagged their side, or every finding with ``explain``.

    Detectors also report below-threshold evidence (the injection model scores every prompt); shown next to a
    benign verdict it reads like a detection, so it is only shown on request.
    """
    if explain:
        return list(result.findings)
    flagged = result.detected()
    return [f for f in result.findings if f.detector in flagged.get(_SIDE_OF_FIELD.get(f.field, f.field), [])]


def result_json(result: ScanResult, *, report: bool = False) -> dict[str, Any]:
    """The bare AIRS ``ScanResponse`` wire JSON, or with ``report`` ``{response, report, findings}``."""
    response = result.response.to_wire()
    if not report:
        return response
    findings = [
        {
            "detector": f.detector,
            "field": f.field,
            "entity": f.entity,
            "start": f.start,
            "end": f.end,
            "score": round(f.score, 4),
            "confidence": f.confidence,
            "masked": f.mask,
            "explanation": f.explanation,
        }
        for f in result.findings
    ]
    return {
        "response": response,
        "report": result.report.to_wire() if result.report is not None else None,
        "findings": findings,
    }


def render_result(result: ScanResult, console: object | None = None, *, explain: bool = False) -> None:
    """Print a readable verdict with rich; the evidence only for detections (every finding with ``explain``)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    con = console if console is not None else Console()
    r = result.response
    colour = "red" if result.blocked else ("yellow" if r.category != "benign" else "green")
    con.print(  # type: ignore[attr-defined]
        f"[bold {colour}]{r.action.upper()}[/] category=[bold]{r.category}[/] profile={r.profile_name}"
    )
    con.print(f"scan_id={r.scan_id}", style="dim")  # type: ignore[attr-defined]
    detected = result.detected()
    if detected:
        con.print("detected: " + "; ".join(f"{side}: {', '.join(v)}" for side, v in detected.items()))  # type: ignore[attr-defined]
    for err in r.errors:
        con.print(f"[yellow]detector {err.feature} on {err.content_type}: {err.status}[/]")  # type: ignore[attr-defined]
    shown = evidence(result, explain)
    if shown:
        table = Table(title="evidence" if not explain else "evidence (all findings, also below threshold)")
        wide = getattr(con, "width", 80) >= 100  # field and span columns only where they fit without wrapping
        cols = (
            ("detector", "field", "finding", "span", "score", "text")
            if wide
            else ("detector", "finding", "score", "text")
        )
        for col in cols:
            table.add_column(col, no_wrap=col in ("detector", "finding", "score"))
        texts = {
            "prompt": result.content.prompt,
            "response": result.content.response,
            "code_prompt": result.content.code_prompt,
            "code_response": result.content.code_response,
            "tool_input": result.content.tool_event.input if result.content.tool_event else None,
            "tool_output": result.content.tool_event.output if result.content.tool_event else None,
        }
        for f in shown:
            text = texts.get(f.field) or ""
            cells = {
                "detector": f.detector,
                "field": f.field,
                "finding": f.entity,
                "span": f"{f.start}-{f.end}",
                "score": f"{f.score:.2f}",
                "text": _preview(text, f.start, f.end, f.mask),
            }
            table.add_row(*(cells[c] for c in cols))
        con.print(table)  # type: ignore[attr-defined]
    for side in ("prompt", "response"):
        masked = result.masked(side)
        if masked is not None:
            text = masked if len(masked) <= 500 else masked[:500] + "…"
            con.print(f"[bold]{side} (masked):[/] {escape(text)}", markup=True, highlight=False)  # type: ignore[attr-defined]
