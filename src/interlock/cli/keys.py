"""``interlock keys``: create, list and revoke the server's API keys.

The key is printed once by ``create``; the database keeps only a salted hash of it.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys

from interlock.server.settings import ServerSettings

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the subcommand's arguments."""
    parser.add_argument("--db", help="server database (default: $INTERLOCK_DB or the per-user data dir)")
    parser.add_argument("--database-url", help="PostgreSQL URL of replicated servers (default $INTERLOCK_DATABASE_URL)")
    sub = parser.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    create = sub.add_parser("create", help="create a key and print it once")
    create.add_argument("--name", required=True, help="a label for the key (1-100 characters)")
    create.add_argument(
        "--profile",
        action="append",
        default=[],
        metavar="P",
        help="profile name or id the key may use (repeatable; default: any profile)",
    )
    lst = sub.add_parser("list", help="list keys (never shows the keys themselves)")
    lst.add_argument("--json", action="store_true", help="JSON output")
    revoke = sub.add_parser("revoke", help="revoke keys by id or name")
    revoke.add_argument("key", help="key id (the 12 hex digits after 'ilk_') or name")


def _when(ts: float | None) -> str:
    return "" if ts is None else _dt.datetime.fromtimestamp(ts, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def run(args: argparse.Namespace) -> int:
    """Run the subcommand; 0 on success, 2 on bad input."""
    from interlock.errors import ConfigError
    from interlock.server.auth import create_key
    from interlock.server.store import open_store

    try:
        settings = ServerSettings.from_env(db=args.db, database_url=args.database_url)
        store = open_store(settings)
    except (ConfigError, OSError) as exc:
        print(f"interlock keys: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    try:
        if args.keys_command == "create":
            try:
                key, row = create_key(store, args.name, args.profile)
            except ValueError as exc:
                print(f"interlock keys: {exc}", file=sys.stderr)  # noqa: T201
                return 2
            print(key)  # noqa: T201
            profiles = ", ".join(row.profiles) or "any"
            note = f"created key {row.key_id} ({row.name}; profiles: {profiles}); it is not shown again"
            print(note, file=sys.stderr)  # noqa: T201
            return 0
        if args.keys_command == "list":
            rows = store.keys()
            if args.json:
                data = [
                    {
                        "key_id": r.key_id,
                        "name": r.name,
                        "profiles": list(r.profiles),
                        "created_at": _when(r.created_at),
                        "revoked_at": _when(r.revoked_at) or None,
                    }
                    for r in rows
                ]
                print(json.dumps(data, indent=2))  # noqa: T201
            else:
                for r in rows:
                    status = f"revoked {_when(r.revoked_at)}" if r.revoked_at else "active"
                    bound = ",".join(r.profiles) or "*"
                    print(f"{r.key_id}  {r.name}  profiles={bound}  created {_when(r.created_at)}  {status}")  # noqa: T201
            return 0
        n = store.revoke_key(args.key)
        if n == 0:
            print(f"interlock keys: no active key with id or name {args.key!r}", file=sys.stderr)  # noqa: T201
            return 2
        print(f"revoked {n} key(s)", file=sys.stderr)  # noqa: T201
        return 0
    finally:
        store.close()
