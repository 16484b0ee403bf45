"""Entry point of the ``interlock`` command: one module per subcommand, imported only when used.

A subcommand module defines ``add_arguments(parser)`` and ``run(args) -> int``. Exit status: 0 allowed / success,
1 blocked, 2 usage or input error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from interlock._version import __version__

__all__ = ["main", "SUBCOMMANDS"]

#: name -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("interlock.cli.scan", "scan a prompt/response; exit 0 allowed, 1 blocked, 2 error"),
    "profiles": ("interlock.cli.profiles", "list the security profiles"),
    "demo": ("interlock.cli.demo", "scan a curated set of attacks and benign texts offline"),
    "scan-corpus": (
        "interlock.cli.scan_corpus",
        "scan every row of a JSONL/CSV/Parquet file into Parquet results (Ray: interlock[ray])",
    ),
    "eval": ("interlock.cli.evaluate", "evaluate a scanner on a labelled JSONL file"),
    "serve": ("interlock.cli.serve", "run the AIRS-compatible scan server (needs interlock[server])"),
    "keys": ("interlock.cli.keys", "manage the server's API keys"),
}

EXIT_OK, EXIT_BLOCKED, EXIT_USAGE = 0, 1, 2


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(prog="interlock", description="Runtime security scanning for LLM applications.")
    parser.add_argument("--version", action="version", version=f"interlock {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    subs = {name: sub.add_parser(name, help=help_, description=help_) for name, (_, help_) in SUBCOMMANDS.items()}
    return parser, subs


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser, subs = _parser()
    # Only the chosen subcommand's module is imported (keeps `interlock scan` fast and extras optional).
    command = next((a for a in args_list if not a.startswith("-")), None)
    if command in SUBCOMMANDS:
        try:
            module = importlib.import_module(SUBCOMMANDS[command][0])
        except ImportError as exc:
            print(f"interlock {command}: {exc}", file=sys.stderr)  # noqa: T201
            return EXIT_USAGE
        module.add_arguments(subs[command])
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    status: int = module.run(args)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
