"""Find the code in a text and guess its language with cheap heuristics.

A *code unit* is a piece of text analysed as code: a fenced Markdown block (```` ``` ```` or ``~~~``), the body of
an inline ``<script>`` element, an inline backtick span, a run of command-like lines (``$ curl ...``), every string
value of a JSON document (tool inputs), or the whole text when the caller says it is code
(``code_prompt``/``code_response``). Extraction is one linear pass over lines plus linear re2 scans.

This module is shared with ``interlock.detectors.db_security`` (SQL candidates come from the same units).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import re2

__all__ = ["CodeUnit", "FILE_TYPES", "Spans", "code_units", "guess_language", "json_strings", "re2_safe"]

#: Fence tag -> canonical language id.
_TAGS: dict[str, str] = {
    **dict.fromkeys(["sh", "bash", "shell", "zsh", "ksh", "console", "shellsession", "terminal", "fish"], "shell"),
    **dict.fromkeys(["powershell", "ps", "ps1", "pwsh", "posh"], "powershell"),
    **dict.fromkeys(["python", "py", "python3", "py3", "ipython", "pycon"], "python"),
    **dict.fromkeys(["javascript", "js", "node", "nodejs", "jsx", "typescript", "ts", "tsx", "mjs"], "javascript"),
    **dict.fromkeys(["sql", "mysql", "postgres", "postgresql", "psql", "plsql", "tsql", "sqlite", "mssql"], "sql"),
    **dict.fromkeys(["bat", "batch", "cmd", "dos"], "batch"),
    **dict.fromkeys(["vb", "vbs", "vbscript", "vba"], "vbscript"),
    **dict.fromkeys(["php"], "php"),
    **dict.fromkeys(["perl", "pl"], "perl"),
    **dict.fromkeys(["ruby", "rb"], "ruby"),
    **dict.fromkeys(["html", "htm", "xml", "svg"], "html"),
    **dict.fromkeys(["c", "cpp", "c++", "h", "cs", "csharp", "java", "go", "golang", "rust", "rs"], "compiled"),
}

#: Canonical language id -> the ``file_type`` string reported in ``mc_report.code_analysis_by_type``.
FILE_TYPES: dict[str, str] = {
    "shell": "Shell",
    "powershell": "PowerShell",
    "python": "Python Script",
    "javascript": "JavaScript",
    "sql": "SQL",
    "batch": "Batch",
    "vbscript": "VBScript",
    "php": "PHP",
    "perl": "Perl",
    "ruby": "Ruby",
    "html": "HTML",
    "compiled": "Source Code",
    "text": "Text",
}

_FLAGS = re2.Options()
_FLAGS.case_sensitive = False
_FLAGS.max_mem = 64 << 20

_SCRIPT = re2.compile(r"(?s)<script\b[^>]*>(.*?)</script\s*>", _FLAGS)
_INLINE = re2.compile(r"`([^`\n]{3,500})`")
_FENCE = re2.compile(r"(?m)^[ \t]{0,3}(`{3,}|~{3,})[ \t]*([A-Za-z0-9_+#.\-]*)[^\n]*")
#: A line that looks like a command: optional prompt, then a command word seen in scripts and attacks. Command words
#: are matched case-sensitively (prose starts sentences with capitals); PowerShell cmdlets case-insensitively.
_CMD_LINE_PATTERN = (
    r"^[ \t]*[({]?[ \t]*(?:[$#>%][ \t]+|PS[^>\n]{0,40}>[ \t]*|C:\\[^>\n]{0,60}>[ \t]*)?(?:sudo[ \t]+)?"
    r"(?:(?:curl|wget|bash|sh|zsh|nc|ncat|netcat|socat|rm|dd|mkfs(?:\.\w+)?|chmod|chown|crontab|echo|cat|python[23]?"
    r"|perl|php|ruby|node|powershell(?:\.exe)?|pwsh|iex|certutil|bitsadmin|mshta|regsvr32|rundll32|vssadmin|wmic"
    r"|bcdedit|schtasks|reg|net|format|del|rd|cmd(?:\.exe)?|base64|eval|exec|nohup|setsid|mkfifo|telnet|ssh|scp"
    r"|tar|find|xargs|kill|shred|systemctl|launchctl|osascript|security|mimikatz|awk|sed|openssl|export|source"
    r"|ls|cp|mv|mkdir|grep|docker|kubectl|git|pip|npm|apt-get|apt|make)\b"
    r"|(?i:invoke-expression|start-process|new-object|set-mppreference|add-mppreference|invoke-webrequest)\b)"
    r"[^\n]*[-/|;&$>\\=]"
)
_CMD_LINE = re2.compile(_CMD_LINE_PATTERN)
#: A run of consecutive command-like lines (one match per run keeps long runs cheap).
_CMD_RUN = re2.compile("(?m)(?:" + _CMD_LINE_PATTERN + r"[^\n]*(?:\n|$))+")
#: Fence lines examined per text; the text after the last one examined is analysed as one final block.
MAX_FENCE_LINES = 1000

_LANG_HINTS: list[tuple[str, Any]] = [
    (
        "powershell",
        re2.compile(
            r"(?m)^\s*(?:powershell|pwsh)(?:\.exe)?\s|\$\w+\s*=|\b(?:get|set|new|invoke|start|add|out)-[a-z]+\b"
            r"|\[system\.|-encodedcommand\b",
            _FLAGS,
        ),
    ),
    ("python", re2.compile(r"(?m)^\s*(?:import \w|from [\w.]+ import |def \w+\(|class \w+[(:]|print\()", _FLAGS)),
    ("javascript", re2.compile(r"\b(?:function\s*\w*\(|const |let |var |require\(|=>|document\.|window\.)", _FLAGS)),
    (
        "sql",
        re2.compile(
            r"(?m)^\s*(?:select\b.+\bfrom\b|insert\s+into\b|update\s+\w+\s+set\b|delete\s+from\b|create\s+table\b|drop\s+table\b)",
            _FLAGS,
        ),
    ),
    ("batch", re2.compile(r"(?m)^\s*@echo off|%~dp0|\bset /[pa]\b|^\s*goto \w|%\w+%", _FLAGS)),
    ("php", re2.compile(r"<\?php|\$_(?:get|post|request|server)\b", _FLAGS)),
    ("vbscript", re2.compile(r"\bcreateobject\(|\bwscript\.|\bdim \w", _FLAGS)),
    (
        "shell",
        re2.compile(
            r"(?m)^#!\s*/(?:usr/)?bin/(?:env\s+)?(?:ba|z|k|da)?sh|\$\(|\|\s*(?:ba)?sh\b|&&|\bsudo\b|^\s*(?:export|echo|fi|done)\b",
            _FLAGS,
        ),
    ),
]


@dataclass(frozen=True)
class CodeUnit:
    """One piece of code found in a text.

    Attributes:
        code: the code text.
        start: offset of ``code`` in the scanned text (``-1`` when the code was decoded or derived).
        language: canonical language id (``shell``, ``python`` ...; ``text`` when unknown).
        origin: how it was found: ``fence``, ``script``, ``inline``, ``line``, ``json``, ``whole``, ``decoded``.
    """

    code: str
    start: int
    language: str
    origin: str

    @property
    def end(self) -> int:
        """End offset (exclusive) in the scanned text, or -1."""
        return self.start + len(self.code) if self.start >= 0 else -1


def re2_safe(text: str) -> str:
    """``text`` with lone surrogates (possible from JSON ``"\\ud800"``) replaced by ``?``: re2 needs valid UTF-8.

    The length is unchanged, so offsets into the result are offsets into the original.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def guess_language(code: str, tag: str = "") -> str:
    """Return a canonical language id from a fence tag, else from content hints (first match wins)."""
    t = tag.strip().lower()
    if t in _TAGS:
        return _TAGS[t]
    head = code[:4000]
    scores: dict[str, int] = {}
    for lang, pattern in _LANG_HINTS:
        n = sum(1 for _ in islice(pattern.finditer(head), 8))
        if n:
            scores[lang] = n
    if not scores:
        return "shell" if _CMD_LINE.search(head) else "text"
    return max(scores, key=lambda k: scores[k])


def json_strings(value: object, limit: int = 500) -> Iterator[str]:
    """Yield the string values (and keys) of a decoded JSON document, depth-first, at most ``limit`` of them."""
    stack: list[object] = [value]
    count = 0
    while stack and count < limit:
        v = stack.pop()
        if isinstance(v, str):
            count += 1
            yield v
        elif isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
        elif isinstance(v, list):
            stack.extend(reversed(v))


def _fenced(text: str) -> tuple[list[CodeUnit], list[tuple[int, int]]]:
    """Fenced blocks, and the spans they cover (so line-based extraction can skip them)."""
    units: list[CodeUnit] = []
    covered: list[tuple[int, int]] = []
    open_fence: tuple[str, str, int, int] | None = None  # (fence, tag, block start offset, fence line start)
    for n, m in enumerate(_FENCE.finditer(text)):
        fence, tag = m.group(1), m.group(2)
        if n >= MAX_FENCE_LINES:  # padding with empty fences must not hide what follows: the rest is one block
            if open_fence is None:
                open_fence = ("`", "", m.start(), m.start())
            break
        line_end = m.end() + 1 if m.end() < len(text) else m.end()
        if open_fence is None:
            open_fence = (fence, tag, line_end, m.start())
        elif fence[0] == open_fence[0][0] and len(fence) >= len(open_fence[0]) and not tag:
            body = text[open_fence[2] : m.start()]
            if body.strip():
                units.append(CodeUnit(body, open_fence[2], guess_language(body, open_fence[1]), "fence"))
            covered.append((open_fence[3], line_end))
            open_fence = None
    if open_fence is not None:  # an unterminated fence runs to the end of the text
        body = text[open_fence[2] :]
        if body.strip():
            units.append(CodeUnit(body, open_fence[2], guess_language(body, open_fence[1]), "fence"))
        covered.append((open_fence[3], len(text)))
    return units, covered


class Spans:
    """Sorted, merged ``[start, end)`` spans with an O(log n) containment test."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[tuple[int, int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        self._starts = [s for s, _ in merged]
        self._spans = merged

    def covers(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` lies inside one span."""
        i = bisect_right(self._starts, start) - 1
        return i >= 0 and end <= self._spans[i][1]


def code_units(text: str, *, is_code: bool = False, max_units: int = 200) -> list[CodeUnit]:
    """Every code unit in ``text`` (at most ``max_units``), in text order within each kind.

    Args:
        text: the scanned text.
        is_code: the whole text is code (``code_prompt``/``code_response``): it is one unit of its own.
        max_units: bound on the number of units returned.
    """
    units: list[CodeUnit] = []
    if is_code:
        units.append(CodeUnit(text, 0, guess_language(text), "whole"))
    fenced, covered = _fenced(text)
    units.extend(fenced)
    for m in _SCRIPT.finditer(text):
        body = m.group(1)
        if body.strip():
            units.append(CodeUnit(body, m.start(1), "javascript", "script"))
            covered.append((m.start(), m.end()))
    stripped = text.lstrip()
    if stripped[:1] in "{[" and not is_code:
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError):
            doc = None
        if doc is not None:
            for s in json_strings(doc):
                if len(s) >= 4:
                    i = text.find(json.dumps(s)[1:-1])
                    units.append(CodeUnit(s, i, guess_language(s), "json"))
    inside = Spans(covered)
    for m in _INLINE.finditer(text):
        if len(units) >= max_units:
            break
        if not inside.covers(m.start(), m.end()):
            units.append(CodeUnit(m.group(1), m.start(1), guess_language(m.group(1)), "inline"))
    if not is_code:
        units.extend(_command_lines(text, inside))
    return units[:max_units]


def _command_lines(text: str, inside: Spans, limit: int = 200) -> list[CodeUnit]:
    """Runs of consecutive command-like lines outside fences (shell one-liners pasted into prose)."""
    out: list[CodeUnit] = []
    for m in _CMD_RUN.finditer(text):
        if inside.covers(m.start(), m.start() + 1):
            continue
        out.append(_line_unit(text, m.start(), m.end()))
        if len(out) >= limit:
            break
    return out


def _line_unit(text: str, start: int, end: int) -> CodeUnit:
    code = text[start:end].rstrip("\r\n")
    return CodeUnit(code, start, guess_language(code), "line")
