"""``interlock scan``: scan a prompt (and optionally a response) and gate on the verdict.

Exit status: 0 allowed, 1 blocked, 2 usage or input error (so it can gate a CI pipeline). ``--json`` prints the
bare AIRS ``ScanResponse`` (byte-for-byte what ``interlock serve`` answers and what the AIRS SDKs parse);
``--json --report`` wraps it with the threat report and the local findings.
"""

from __future__ import annotations

import argparse
import json
import sys

from interlock.cli._common import add_scanner_arguments, make_scanner, read_text, render_result, result_json
from interlock.errors import InterlockError

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", nargs="?", help="prompt text; '-' or omitted with piped input reads stdin")
    parser.add_argument("--file", "-f", help="read the prompt from a file")
    parser.add_argument("--response", help="model response to scan ('-' for stdin)")
    parser.add_argument("--response-file", help="read the response from a file")
    parser.add_argument("--context", help="grounding context sent with the response")
    parser.add_argument("--context-file", help="read the grounding context from a file")
    parser.add_argument("--tr-id", help="transaction id echoed in the result")
    parser.add_argument("--json", action="store_true", help="print the bare AIRS ScanResponse JSON")
    parser.add_argument(
        "--report",
        action="store_true",
        help="with --json: print {response, report, findings} instead (threat report and local evidence)",
    )
    parser.add_argument("--explain", action="store_true", help="show all evidence, also below-threshold scores")
    add_scanner_arguments(parser)


def run(args: argparse.Namespace) -> int:
    try:
        prompt = read_text(args.text, args.file, "prompt")
        if prompt is None and not sys.stdin.isatty() and args.response != "-":
            prompt = sys.stdin.read()
        response = read_text(args.response, args.response_file, "response")
        context = read_text(args.context, args.context_file, "context")
    except ValueError as exc:
        print(f"interlock scan: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    if not prompt and not response:
        print("interlock scan: nothing to scan (give TEXT, --file, --response or pipe text in)", file=sys.stderr)  # noqa: T201
        return 2
    content = {k: v for k, v in (("prompt", prompt), ("response", response), ("context", context)) if v}
    try:
        with make_scanner(args) as scanner:
            result = scanner.scan(content, profile=args.profile, tr_id=args.tr_id)
    except InterlockError as exc:
        print(f"interlock scan: {type(exc).__name__}: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    if args.json:
        print(json.dumps(result_json(result, report=args.report), indent=2, ensure_ascii=False))  # noqa: T201
    else:
        render_result(result, explain=args.explain or args.report)
    return 1 if result.blocked else 0
