"""The ``db_security`` detector: find SQL in responses and tool events, classify it, flag dangerous statements.

Where SQL is looked for: fenced blocks tagged or recognised as SQL, inline code spans, prose lines that start
like a statement (``SELECT ... FROM``, ``DROP TABLE``, ...), statements that start inside a prose line
(``Sure, run this: DROP TABLE users;`` — accepted only when sqlglot parses them and they show SQL intent, see
:func:`.classify.statements_in_prose`), the whole text for ``code_response``, and every
string value of a tool event's JSON (the whole text when it is not JSON). Each candidate is parsed with sqlglot
(:mod:`.classify`) and checked for injection payload shapes (:mod:`.injection`); in tool events every value is
checked for injection shapes even when it does not start like SQL (an argument like ``1' OR '1'='1`` is the
attack).

Policy (profile options): ``dangerous`` lists the danger rules that flag a statement (default: all of
``drop``, ``truncate``, ``alter``, ``delete_without_where``, ``update_without_where``, ``privilege``,
``os_command``, ``stacked_queries``, ``injection``); ``block_sub_types`` flags *every* statement of the given
classes (``["create", "update", "delete", "ddl", "privilege"]`` makes an agent read-only).

Report: ``dbs_report`` has one entry per AIRS sub-type seen (``database-security-read``, ``-create``,
``-update``, ``-delete``, ``-ddl``, ``-privilege``, and ``-injection`` for payload shapes), with ``verdict``
malicious when a statement of that class was flagged; ``dbs_snippets`` holds up to 10 flagged statements
(long string literals redacted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal, get_args

import re2
from pydantic import Field

from interlock.detectors.db_security.classify import SQL_LINE, SQL_START, SQL_WORD, classify_sql, statements_in_prose
from interlock.detectors.db_security.injection import injection_hits
from interlock.detectors.malicious_code.extract import Spans, code_units, re2_safe
from interlock.engine.base import DetectorOptions, DetectorResult, Finding, ScanItem

__all__ = ["DbSecurityDetector", "DbSecurityOptions", "DANGER_RULES", "SUB_TYPES"]

DangerRule = Literal[
    "drop",
    "truncate",
    "alter",
    "delete_without_where",
    "update_without_where",
    "privilege",
    "os_command",
    "stacked_queries",
    "injection",
]
SubType = Literal["create", "read", "update", "delete", "ddl", "privilege"]
DANGER_RULES: tuple[DangerRule, ...] = get_args(DangerRule)
SUB_TYPES: tuple[SubType, ...] = get_args(SubType)
_PREFIX = "database-security-"
_SECRETISH = re2.compile(r"'[^'\n]{8,}'|\"[^\"\n]{8,}\"")


class DbSecurityOptions(DetectorOptions):
    """Profile options of :class:`DbSecurityDetector`.

    Attributes:
        dangerous: danger rules that flag a statement.
        block_sub_types: statement classes flagged whatever they do.
        max_parse_chars: SQL candidates longer than this are classified by keyword only (not parsed).
        max_total_parse_chars: parse budget per text; candidates beyond it are classified by keyword only
            (sqlglot is pure Python: about 5 ms per KB of dense SQL on the reference machine).
        max_statements: statements classified per candidate.
        snippets: include ``dbs_snippets`` (flagged statements, long literals redacted).
    """

    dangerous: tuple[DangerRule, ...] = DANGER_RULES
    block_sub_types: tuple[SubType, ...] = ()
    max_parse_chars: int = Field(default=20_000, gt=0)
    max_total_parse_chars: int = Field(default=100_000, gt=0)
    max_statements: int = Field(default=200, gt=0)
    snippets: bool = True


@dataclass(frozen=True)
class _Candidate:
    text: str
    start: int
    origin: str
    sqlish: bool


class DbSecurityDetector:
    """Flags dangerous SQL statements and SQL-injection payloads in responses and tool events."""

    name: ClassVar[str] = "db_security"
    data_types: ClassVar[frozenset[str]] = frozenset({"response", "tool_event"})
    Options = DbSecurityOptions

    def __init__(self, options: DbSecurityOptions | None = None) -> None:
        self.options = options or DbSecurityOptions()
        self._dangerous = frozenset(self.options.dangerous)
        self._block = frozenset(self.options.block_sub_types)

    def detect(self, item: ScanItem) -> DetectorResult:
        """Scan one text (thread-safe)."""
        o = self.options
        tool = item.data_type == "tool_event"
        seen_types: dict[str, bool] = {}
        findings: list[Finding] = []
        snippets: list[str] = []
        budget = o.max_total_parse_chars
        for cand in self._candidates(item):
            end = cand.start + len(cand.text) if cand.start >= 0 else 0
            start = max(cand.start, 0)
            if cand.sqlish:
                limit = min(o.max_parse_chars, budget)
                statements, truncated = classify_sql(cand.text, max_chars=limit, max_statements=o.max_statements)
                if not truncated:
                    budget -= len(cand.text)
                single_line = "\n" not in cand.text.strip()
                stacked = (
                    "stacked_queries" in self._dangerous
                    and single_line
                    and len(statements) > 1
                    and any(s.kind != "read" for s in statements[1:])
                )
                for s in statements:
                    sub = _PREFIX + s.kind
                    rules = sorted(s.flags & self._dangerous)
                    if stacked and s.kind != "read":
                        rules.append("stacked_queries")
                    if s.kind in self._block:
                        rules.append(f"blocked_sub_type:{s.kind}")
                    flagged = bool(rules)
                    seen_types[sub] = seen_types.get(sub, False) or flagged
                    if flagged:
                        findings.append(
                            Finding(
                                detector=self.name,
                                entity=sub,
                                start=start,
                                end=end,
                                score=0.9,
                                confidence="high" if s.parsed else "medium",
                                explanation=f"{s.kind} statement flagged: {', '.join(rules)}",
                                data={"sub_type": sub, "rules": rules, "parsed": s.parsed, "truncated": truncated},
                            )
                        )
                        snippets.append(s.sql or cand.text)
            if "injection" in self._dangerous and (tool or cand.sqlish or cand.origin in ("inline", "json")):
                hits = injection_hits(cand.text[: o.max_parse_chars * 5])
                if hits:
                    sub = _PREFIX + "injection"
                    seen_types[sub] = True
                    findings.append(
                        Finding(
                            detector=self.name,
                            entity=sub,
                            start=start,
                            end=end,
                            score=max(h.severity for h in hits),
                            confidence="high",
                            explanation="SQL injection payload shape: " + ", ".join(h.id for h in hits),
                            data={"sub_type": sub, "rules": [h.id for h in hits]},
                        )
                    )
                    snippets.append(cand.text)
        report = [
            {"sub_type": sub, "verdict": "malicious" if bad else "benign", "action": "block" if bad else "allow"}
            for sub, bad in seen_types.items()
        ]
        detail: dict[str, Any] = {"dbs_report": report}
        if o.snippets and snippets:
            detail["dbs_snippets"] = [_SECRETISH.sub("'***'", s)[:1000] for s in dict.fromkeys(snippets)][:10]
        return DetectorResult(
            detected=bool(findings),
            findings=findings,
            score=max((f.score for f in findings), default=0.0),
            detail=detail,
            categories={"threats": ["dangerous database query"]} if findings else {},
        )

    def _candidates(self, item: ScanItem) -> list[_Candidate]:
        text = re2_safe(item.text)
        units = code_units(text, is_code=item.is_code)
        out: dict[tuple[int, str], _Candidate] = {}

        def add(code: str, start: int, origin: str, force: bool = False) -> None:
            if code.strip():
                sqlish = force or SQL_START.search(code) is not None
                if sqlish or origin in ("inline", "json", "whole", "tool"):
                    out.setdefault((start, code), _Candidate(code, start, origin, sqlish))

        fence_spans: list[tuple[int, int]] = []
        for u in units:
            if u.origin == "fence":
                fence_spans.append((u.start, u.end))
            add(u.code, u.start, u.origin, force=u.language == "sql" and u.origin in ("fence", "whole"))
        fences = Spans(fence_spans)
        if item.data_type == "tool_event" and not any(u.origin in ("json", "whole") for u in units):
            add(text, 0, "tool")
        runs = _sql_line_runs(text, fences)
        for start, end in runs:
            add(text[start:end], start, "line")
        taken = Spans([*fence_spans, *runs, *((u.start, u.start + len(u.code)) for u in units if u.start >= 0)])
        for start, end in _sql_in_prose(text, taken):
            add(text[start:end], start, "prose", force=True)
        return list(out.values())


def _sql_in_prose(text: str, taken: Spans, max_candidates: int = 16) -> list[tuple[int, int]]:
    """Spans of SQL statements that start inside a prose line (after an intro such as ``Sure, run this:``).

    Statements at a line start, in fences and in code spans are found elsewhere (``taken``); each remaining
    statement-like word is checked with sqlglot by :func:`statements_in_prose`, at most ``max_candidates`` per
    text (sqlglot is pure Python: the bound keeps a text full of "select ... from" cheap).
    """
    out: list[tuple[int, int]] = []
    last_end = -1
    tried = 0
    for m in SQL_WORD.finditer(text):
        start = m.start()
        if start < last_end or taken.covers(start, start + 1):
            continue
        line_start = text.rfind("\n", max(0, start - 200), start) + 1
        intro = text[max(line_start, start - 200) : start]
        if not intro.strip():
            continue  # a line that starts like SQL: a line run
        tried += 1
        if tried > max_candidates:
            break
        nl = text.find("\n", start, start + 1000)
        length = statements_in_prose(text[start : start + 1000 if nl < 0 else nl], intro)
        if length:
            out.append((start, start + length))
            last_end = start + length
    return out


def _sql_line_runs(text: str, fences: Spans, max_lines: int = 200) -> list[tuple[int, int]]:
    """Spans of prose lines that start like SQL, extended over continuation lines until a ``;`` or blank line."""
    runs: list[tuple[int, int]] = []
    last_end = -1
    for m in SQL_LINE.finditer(text):
        start = m.start()
        if start < last_end or fences.covers(start, start + 1):
            continue
        end = pos = start
        for _ in range(max_lines):
            nl = text.find("\n", pos)
            line_end = len(text) if nl < 0 else nl
            line = text[pos:line_end].strip()
            if not line or fences.covers(pos, pos + 1):
                break
            end = line_end
            if line.endswith(";") or nl < 0:
                break
            pos = nl + 1
        if end > start:
            runs.append((start, end))
        last_end = end
    return runs
