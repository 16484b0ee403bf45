"""Parse SQL with sqlglot (several dialects, bounded input) and classify each statement.

Classes (the AIRS ``sub_type`` suffixes): ``create`` (INSERT), ``read`` (SELECT and other queries, SHOW/USE/SET),
``update`` (UPDATE, MERGE), ``delete`` (DELETE), ``ddl`` (CREATE/DROP/ALTER/TRUNCATE), ``privilege``
(GRANT/REVOKE, CREATE/ALTER/DROP USER or ROLE). Each statement also gets danger flags: ``drop``, ``truncate``,
``alter``, ``delete_without_where``, ``update_without_where``, ``privilege``, ``os_command`` (``EXEC xp_cmdshell``,
``SHUTDOWN``). When no dialect parses the text (or it is longer than the parse bound), statements are split on
``;`` and classified by their leading keyword: never silently skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import re2
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError

__all__ = ["DIALECTS", "SQL_LINE", "SQL_START", "SQL_WORD", "Statement", "classify_sql", "statements_in_prose"]

#: Dialects tried in order (the non-default ones only when their markers appear); the first that parses wins.
DIALECTS: tuple[str | None, ...] = (None, "mysql", "postgres", "tsql", "oracle", "sqlite")

_OPTS = re2.Options()
_OPTS.case_sensitive = False

_SQL_BODY = (
    r"(?:select\s+[\w@(*'\"`\[.-][^\n]*?\bfrom\b|select\s+(?:@@|\d|'|\"|\*|count\(|now\(|version\()"
    r"|insert\s+into\b|update\s+[\w.\[\]\"`]+\s+set\b|delete\s+from\b"
    r"|drop\s+(?:table|database|schema|view|index|user|role|function|procedure|trigger)\b"
    r"|create\s+(?:or\s+replace\s+)?(?:table|database|schema|view|index|unique\s+index|user|role|function|procedure|trigger)\b"
    r"|alter\s+(?:table|database|user|role|schema|view)\b|truncate\s+(?:table\s+)?[\w.\[\]\"`]+"
    r"|grant\s+[\w, ]+\s+(?:on|to)\b|revoke\s+[\w, ]+\s+(?:on|from)\b|merge\s+into\b"
    r"|with\s+(?:recursive\s+)?\w+\s+as\s*\(|exec(?:ute)?\s+(?:xp_|sp_|master\.)\w"
    r"|replace\s+into\b|shutdown\b)"
)
#: Text that starts like a SQL statement (used to find SQL in code units and tool arguments).
SQL_START = re2.compile(r"^\s*" + _SQL_BODY, _OPTS)
#: A line of prose that starts like a SQL statement.
SQL_LINE = re2.compile(r"(?m)^[ \t]*" + _SQL_BODY, _OPTS)
#: A SQL statement start anywhere in a line ("Sure, run this: DROP TABLE users;").
SQL_WORD = re2.compile(r"\b" + _SQL_BODY, _OPTS)
_KEYWORD = re2.compile(r"^\s*(?:\(\s*)*([a-z_]+)(?:\s+([a-z_]+))?", _OPTS)
_WHERE = re2.compile(r"\bwhere\b", _OPTS)


@dataclass(frozen=True)
class Statement:
    """One classified statement.

    Attributes:
        sql: the statement text (as sqlglot regenerates it, or the raw split text when unparsed).
        kind: ``create``/``read``/``update``/``delete``/``ddl``/``privilege``.
        flags: danger flags (see module doc).
        parsed: sqlglot parsed it (``False`` = keyword fallback).
    """

    sql: str
    kind: str
    flags: frozenset[str] = field(default_factory=frozenset)
    parsed: bool = True


class _QuietCommandFallback(logging.Filter):
    """Drop sqlglot's per-statement "falling back to parsing as a Command" warning (expected here, not news)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Falling back to parsing as a 'Command'" not in record.getMessage()


logging.getLogger("sqlglot").addFilter(_QuietCommandFallback())

_PARSE_ERRORS = (SqlglotError, ValueError, RecursionError, KeyError, TypeError, AttributeError)


#: Dialect markers: a dialect other than sqlglot's default is only tried when its syntax shows up, which keeps
#: unparseable text (payload fragments) at one or two parse attempts instead of six.
_MARKERS: dict[str, Any] = {
    "mysql": re2.compile(
        r"`|#|\blimit\s+\d+\s*,|auto_increment|\bengine\s*=|\breplace\s+into\b|on\s+duplicate\s+key", _OPTS
    ),
    "postgres": re2.compile(r"::|\bilike\b|\breturning\b|\$\d|\bserial\b|on\s+conflict|\bjsonb?\b", _OPTS),
    "tsql": re2.compile(r"\[\w|\btop\s*\(?\d|@@|\bexec(?:ute)?\b|\bnvarchar\b|\bidentity\s*\(|\bgetdate\s*\(", _OPTS),
    "oracle": re2.compile(r"\bdual\b|\brownum\b|connect\s+by|\bvarchar2\b|\bnvl\s*\(|\bsysdate\b", _OPTS),
    "sqlite": re2.compile(r"\bautoincrement\b|\bpragma\b|without\s+rowid", _OPTS),
}


def _parse(sql: str) -> list[Any] | None:
    """Parse with the first dialect that yields real statements; a dialect's opaque ``Command`` is the fallback."""
    fallback: list[Any] | None = None
    for dialect in DIALECTS:
        if dialect is not None and not _MARKERS[dialect].search(sql):
            continue
        try:
            trees = [t for t in sqlglot.parse(sql, read=dialect) if t is not None]
        except _PARSE_ERRORS:
            continue
        if not trees:
            continue
        if not any(isinstance(t, exp.Command) for t in trees):
            return trees
        if fallback is None:
            fallback = trees
    return fallback


def _by_keyword(text: str) -> tuple[str, frozenset[str]]:
    m = _KEYWORD.search(text)
    first = (m.group(1) or "").lower() if m else ""
    second = (m.group(2) or "").lower() if m else ""
    has_where = _WHERE.search(text) is not None
    if first in ("grant", "revoke") or (first in ("create", "alter", "drop") and second in ("user", "role", "login")):
        return "privilege", frozenset({"privilege"})
    if first in ("drop", "truncate", "alter"):
        return "ddl", frozenset({first})
    if first in ("create", "rename", "comment"):
        return "ddl", frozenset()
    if first in ("insert", "replace", "copy", "load"):
        return "create", frozenset()
    if first in ("update", "merge", "upsert"):
        return "update", frozenset() if has_where or first == "merge" else frozenset({"update_without_where"})
    if first == "delete":
        return "delete", frozenset() if has_where else frozenset({"delete_without_where"})
    if first in ("exec", "execute", "call", "shutdown"):
        low = text.lower()
        os_cmd = "xp_cmdshell" in low or "sp_oacreate" in low or first == "shutdown"
        return "update", frozenset({"os_command"}) if os_cmd else frozenset()
    return "read", frozenset()


_EXECUTE = getattr(exp, "Execute", exp.Command)


def _sql(tree: exp.Expression) -> str:
    try:
        return tree.sql(unsupported_level=ErrorLevel.IGNORE)[:2000]
    except _PARSE_ERRORS:
        return ""


def _classify(tree: exp.Expression) -> tuple[str, frozenset[str]]:
    if isinstance(tree, exp.Command):
        return _by_keyword(_sql(tree))
    if isinstance(tree, _EXECUTE):
        return _by_keyword("exec " + str(tree.args.get("this") or ""))
    if isinstance(tree, (exp.Grant, exp.Revoke)):
        return "privilege", frozenset({"privilege"})
    if isinstance(tree, exp.Drop):
        kind = str(tree.args.get("kind") or "").upper()
        if kind in ("USER", "ROLE"):
            return "privilege", frozenset({"privilege"})
        return "ddl", frozenset({"drop"})
    if isinstance(tree, exp.TruncateTable):
        return "ddl", frozenset({"truncate"})
    if isinstance(tree, exp.Alter):
        return "ddl", frozenset({"alter"})
    if isinstance(tree, exp.Create):
        kind = str(tree.args.get("kind") or "").upper()
        if kind in ("USER", "ROLE"):
            return "privilege", frozenset({"privilege"})
        return "ddl", frozenset()
    if isinstance(tree, (exp.Column, exp.Identifier)):  # a bare keyword sqlglot does not know (SHUTDOWN)
        return _by_keyword(_sql(tree))
    if isinstance(tree, exp.Insert):
        return "create", frozenset()
    if isinstance(tree, exp.Update):
        return "update", frozenset() if tree.args.get("where") is not None else frozenset({"update_without_where"})
    if isinstance(tree, exp.Merge):
        return "update", frozenset()
    if isinstance(tree, exp.Delete):
        return "delete", frozenset() if tree.args.get("where") is not None else frozenset({"delete_without_where"})
    return "read", frozenset()


def classify_sql(sql: str, *, max_chars: int = 20_000, max_statements: int = 200) -> tuple[list[Statement], bool]:
    """Classify every statement of ``sql``.

    Returns:
        ``(statements, truncated)``; ``truncated`` is true when the text exceeded ``max_chars`` and was
        classified by keyword only (statement split on ``;``), not parsed.
    """
    truncated = len(sql) > max_chars
    trees = None
    if not truncated:
        trees = _parse(sql)
    if trees is None:
        parts = [p for p in sql[: max_chars * 10].split(";") if p.strip()][:max_statements]
        out = []
        for p in parts:
            kind, flags = _by_keyword(p)
            out.append(Statement(p.strip()[:2000], kind, flags, parsed=False))
        return out, truncated
    statements = []
    for t in trees[:max_statements]:
        kind, flags = _classify(t)
        statements.append(Statement(_sql(t), kind, flags))
    return statements, False


_UPPER_KEYWORD = re2.compile(r"^\s*[A-Z]{4,}\b")
#: an intro that hands over a command: "... run", "... execute" (the colon case is checked apart)
_RUN_VERB = re2.compile(r"\b(?:run|execute|exec|type|enter|paste|issue|try)\s*$", _OPTS)
_WORD_END = re2.compile(r"\S(?:\s|$)")
#: statement classes that change something (a lower-case read in prose is "select a date from the list")
_WRITES = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Drop, exp.Create, exp.Alter, exp.TruncateTable)


def statements_in_prose(rest: str, intro: str, *, max_chars: int = 1000, max_prefixes: int = 8) -> int:
    """Length of the SQL statements that start ``rest`` — the part of a prose line from a statement-like word on
    (``DROP TABLE users; DELETE FROM orders;`` after ``Execute: ``) — or 0 when it is not SQL.

    Prose says "drop table tennis" or "select a date from the list" too, so a statement that starts inside a line
    must be real and meant as SQL. Each ``;``-separated piece must start like a statement, parse with sqlglot as
    one statement, and show intent: its keyword in upper case (``DROP TABLE``), or an intro that hands it over
    (ending in a colon, or in *run* / *execute* / *type* ...). A lower-case piece must parse whole and change
    something (a lower-case read is prose); an upper-case one of at most 300 characters may be followed by prose
    (``DROP TABLE users to start over``: the longest word prefix that parses, of the ``max_prefixes`` longest). The
    statements end at the first piece that fails (``DROP TABLE users; then check the logs``).
    """
    rest = rest[:max_chars]
    cue = intro.rstrip().endswith(":") or _RUN_VERB.search(intro) is not None
    end = pos = 0
    while pos < len(rest):
        semi = rest.find(";", pos)
        piece = rest[pos : semi if semi >= 0 else len(rest)]
        if not piece.strip() or SQL_START.search(piece) is None:
            break
        upper = _UPPER_KEYWORD.search(piece) is not None
        n = _statement_length(piece, upper, max_prefixes) if upper or cue else 0
        if n == 0:
            break
        if n < len(piece.rstrip().rstrip(".!?")):  # the statement ended inside the piece, prose follows
            return pos + n
        end = pos = semi + 1 if semi >= 0 else len(rest)
    return end


def _statement_length(piece: str, upper: bool, max_prefixes: int) -> int:
    whole = piece.rstrip().rstrip(".!?").rstrip()
    cuts = [len(whole)]
    if upper and len(whole) <= 300:  # word prefixes, longest first
        ends = [m.start() + 1 for m in _WORD_END.finditer(whole)][:-1]
        cuts += sorted(ends, reverse=True)[:max_prefixes]
    for cut in cuts:
        trees = _parse(whole[:cut])
        if trees is None or len(trees) != 1:
            continue
        tree = trees[0]
        if not upper and not isinstance(tree, _WRITES):
            return 0
        return cut
    return 0
