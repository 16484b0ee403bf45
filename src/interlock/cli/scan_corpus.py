"""``interlock scan-corpus``: scan every row of a JSONL, CSV or Parquet file into a directory of Parquet results.

Runs on Ray Data (extra ``interlock[ray]``) with ``-j`` workers on this machine or on a cluster (``--address``);
in this process with ``--no-ray`` or when Ray is not installed. A rerun with the same input and output resumes.
Exit status: 0 done, 2 usage or input error, 130 interrupted (the rows scanned so far are kept).
"""

from __future__ import annotations

import argparse
import sys

from interlock.cli._common import add_scanner_arguments
from interlock.corpus import FORMATS, Columns, CorpusReport, MissingExtraError, ScannerSpec, scan_corpus
from interlock.engine.engine import TEXT_LIMIT
from interlock.errors import InterlockError

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="JSONL (.jsonl/.ndjson, also .gz), CSV (also .gz) or Parquet file")
    parser.add_argument("--output", "-o", required=True, help="output directory of Parquet part files (resumable)")
    parser.add_argument("--format", choices=FORMATS, help="input format (default: from the file name)")
    g = parser.add_argument_group("columns")
    g.add_argument("--prompt-column", help="column scanned as the prompt (default: 'prompt', else 'text')")
    g.add_argument("--response-column", help="column scanned as the response (default: 'response' if present)")
    g.add_argument("--context-column", help="grounding context column (default: 'context' if present)")
    g.add_argument("--id-column", help="row id column (default: 'id' if present, else the row number)")
    r = parser.add_argument_group("execution")
    r.add_argument("-j", "--workers", type=int, help="workers, each loading the scanner once (default: one per CPU)")
    r.add_argument("--address", help="run on an existing Ray cluster (e.g. 'auto' or ray://host:10001)")
    r.add_argument("--no-ray", action="store_true", help="scan in this process (one worker, no Ray)")
    r.add_argument("--batch-size", type=int, default=32, help="rows per batch sent to a worker (default: 32)")
    r.add_argument("--max-chars", type=int, default=TEXT_LIMIT, help="longer texts become error rows")
    r.add_argument("--overwrite", action="store_true", help="replace an output directory written for other input")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_scanner_arguments(parser)


def _err(msg: str) -> None:
    print(f"interlock scan-corpus: {msg}", file=sys.stderr)  # noqa: T201


def run(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        _err("-j must be at least 1")
        return 2
    if args.no_ray and ((args.workers or 1) != 1 or args.address):
        _err("--no-ray scans in this process with one worker: drop -j N / --address")
        return 2
    columns = Columns(
        prompt=args.prompt_column, response=args.response_column, context=args.context_column, id=args.id_column
    )
    spec = ScannerSpec(
        profiles_files=tuple(args.profiles_file), local=args.local, endpoint=args.endpoint, api_key=args.api_key
    )
    if not (args.endpoint or args.api_key):  # the local engine: refuse an unknown profile before any work
        from interlock.profiles.loader import ProfileStore

        try:
            ProfileStore.default(args.profiles_file).get(args.profile)
        except InterlockError as exc:
            _err(f"{type(exc).__name__}: {exc}")
            return 2
    try:
        report = scan_corpus(
            args.input,
            args.output,
            columns=columns,
            profile=args.profile,
            spec=spec,
            fmt=args.format,
            workers=args.workers,
            use_ray=False if args.no_ray else None,
            address=args.address,
            batch_size=args.batch_size,
            max_chars=args.max_chars,
            overwrite=args.overwrite,
            progress=not args.no_progress,
            notice=lambda msg: _err(msg),
        )
    except MissingExtraError as exc:
        _err(str(exc))
        return 2
    except (ValueError, OSError) as exc:
        _err(str(exc))
        return 2
    render_report(report)
    if report.interrupted:
        _err(f"interrupted: {report.total_rows} rows are saved in {report.output}; rerun the same command to resume")
        return 130
    return 0


def render_report(report: CorpusReport) -> None:
    """The summary table printed at the end of a run."""
    from rich.console import Console
    from rich.table import Table

    s = report.summary
    table = Table(title="scan-corpus", caption=str(report.output), show_header=True)
    table.add_column("", style="bold")
    table.add_column("rows", justify="right")
    table.add_row("in the output", f"{sum(s['category'].values()):,}")
    table.add_row("scanned now", f"{report.scanned:,}")
    if report.skipped:
        table.add_row("already done (resumed)", f"{report.skipped:,}")
    for action in ("allow", "block"):
        table.add_row(f"action {action}", f"{s['action'].get(action, 0):,}")
    for category, n in sorted(s["category"].items()):
        table.add_row(f"category {category}", f"{n:,}")
    table.add_row("error rows", f"{s['errors'].get('rows', 0):,}")
    for name, n in s["detectors"].most_common():
        table.add_row(f"detector {name}", f"{n:,}")
    con = Console()
    con.print(table)
    con.print(
        f"{report.backend}, {report.workers} worker{'s' if report.workers != 1 else ''}, run {report.run}: "
        f"{report.scanned:,} rows in {report.elapsed_s:.1f} s ({report.rows_per_s:,.1f} rows/s)"
        + ("" if report.complete else " — not complete"),
        highlight=False,
    )
