"""``interlock profiles``: list the security profiles the local engine knows."""

from __future__ import annotations

import argparse
import json
import sys

from interlock.errors import ProfileError
from interlock.profiles.loader import ProfileStore

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profiles-file", action="append", default=[], metavar="PATH", help="extra profile file")
    parser.add_argument("--json", action="store_true", help="print the profiles as JSON")


def run(args: argparse.Namespace) -> int:
    try:
        store = ProfileStore.default(args.profiles_file)
    except ProfileError as exc:
        print(f"interlock profiles: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    if args.json:
        print(json.dumps([p.model_dump(mode="json") for p in store], indent=2))  # noqa: T201
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title="profiles")
    for col in ("name", "id", "fail mode", "detectors (action)", "description"):
        table.add_column(col)
    for p in store:
        dets = ", ".join(f"{name} ({pol.action})" for name, pol in p.detectors.items())
        table.add_row(p.name, p.id, p.fail_mode, dets, p.description)
    Console().print(table)
    return 0
