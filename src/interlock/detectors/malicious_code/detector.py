"""The ``malicious_code`` detector: find code, identify its language, flag malicious behaviour.

Pipeline for one text: :func:`~.extract.code_units` finds the code (fences, ``<script>``, inline spans, command
lines, JSON string values, or the whole text for ``code_prompt``/``code_response``/tool events); each unit is
normalised per language and checked against the behaviour :data:`~.rules.RULES`; Python units are analysed on
their syntax tree (:mod:`.python_ast`); payloads hidden in ``-EncodedCommand``, ``echo ... | base64 -d``,
``python -c '...'`` and Python decoder constants are decoded and re-scanned (bounded depth). Short single-line
values (tool arguments, inline spans) are also checked for command-injection shapes.

The AIRS ``mc_report`` lists every code block found (truncated for the report), its file type and SHA-256, the
overall verdict, the malware-script verdict and the command-injection verdict per checked value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any, ClassVar

import re2
from pydantic import Field

from interlock.detectors.malicious_code.extract import FILE_TYPES, CodeUnit, code_units, guess_language, re2_safe
from interlock.detectors.malicious_code.python_ast import analyse_python
from interlock.detectors.malicious_code.rules import INJECTION_RULES, RULES, TRUSTED_INSTALLERS, Rule, normalize
from interlock.engine.base import DetectorOptions, DetectorResult, Finding, ScanItem

__all__ = ["MaliciousCodeDetector", "MaliciousCodeOptions"]

_OPTS = re2.Options()
_OPTS.case_sensitive = False
_URL_HOST = re2.compile(r"(?:https?|ftp)://([^/\s'\"|;)<>:]+)", _OPTS)
_PS_ENC = re2.compile(r"\s-(?:e|ec|en|enc|enco|encod|encode|encoded|encodedc\w*)\s+['\"]?([A-Za-z0-9+/=]{16,})", _OPTS)
_ECHO_B64 = re2.compile(r"([A-Za-z0-9+/]{16,}={0,2})['\"]?\s*\|\s*base64\s+(?:-\w+\s+)*(?:-d|--decode|-D)\b")
_PY_C_SQ = re2.compile(r"\bpython[23]?(?:\.exe)?\s+-c\s+'([^']{8,})'")
_PY_C_DQ = re2.compile(r"\bpython[23]?(?:\.exe)?\s+-c\s+\"([^\"]{8,})\"")
_INJECTION_ORIGINS = frozenset({"json", "inline", "line", "whole"})
#: Units that may be Python even when the language guess says plain text (tried on the syntax tree too).
_WHOLE_ORIGINS = frozenset({"whole", "fence"})

_THREAT_NAMES = {
    "reverse_shell": "reverse shell",
    "bind_shell": "bind shell",
    "download_execute": "download and execute",
    "destructive": "destructive command",
    "credential_theft": "credential theft",
    "persistence": "persistence",
    "obfuscation": "obfuscated payload",
    "exploit": "exploit",
    "cryptominer": "cryptominer",
    "command_injection": "command injection",
}


class MaliciousCodeOptions(DetectorOptions):
    """Profile options of :class:`MaliciousCodeDetector`.

    Attributes:
        min_severity: a finding at or above this severity makes the verdict malicious (0.8 = high only;
            0.5 also blocks medium findings such as a bare ``cat /etc/shadow`` or a Run-key write).
        trusted_installers: hosts whose ``curl | sh`` / ``iex (irm ...)`` one-liners are not flagged.
        max_scan_chars: text beyond this many characters is not analysed (reported in ``truncation_info``).
        max_ast_chars: Python units longer than this are checked by the regex rules only.
        report_block_chars: each code block in ``mc_report.all_code_blocks`` is cut to this length.
        decode_depth: how many nested encoded payloads are decoded and re-scanned.
        command_injection: check short values (tool arguments, inline spans) for command-injection shapes.
    """

    min_severity: float = Field(default=0.8, ge=0.0, le=1.0)
    trusted_installers: tuple[str, ...] = TRUSTED_INSTALLERS
    max_scan_chars: int = Field(default=1_000_000, gt=0)
    max_ast_chars: int = Field(default=100_000, gt=0)
    report_block_chars: int = Field(default=2000, gt=0)
    decode_depth: int = Field(default=2, ge=0, le=5)
    command_injection: bool = True


@dataclass(frozen=True)
class _Hit:
    rule: str
    category: str
    severity: float
    unit: int  # index into the report's unit list
    language: str
    decoded: bool


class MaliciousCodeDetector:
    """Flags reverse shells, download-and-execute, destructive commands, credential theft, persistence,
    obfuscated payloads, known exploit strings and command injection in prompts, responses and tool events."""

    name: ClassVar[str] = "malicious_code"
    data_types: ClassVar[frozenset[str]] = frozenset({"prompt", "response", "tool_event"})
    Options = MaliciousCodeOptions

    def __init__(self, options: MaliciousCodeOptions | None = None) -> None:
        self.options = options or MaliciousCodeOptions()
        self._trusted = tuple(h.lower().strip(".") for h in self.options.trusted_installers)

    # -- public ------------------------------------------------------------------------------------------------
    def detect(self, item: ScanItem) -> DetectorResult:
        """Scan one text (thread-safe: no shared mutable state)."""
        o = self.options
        text = re2_safe(item.text)
        truncation: dict[str, Any] | None = None
        if len(text) > o.max_scan_chars:
            truncation = {
                "payload_truncated": True,
                "original_payload_length": len(text),
                "truncated_payload_length": o.max_scan_chars,
                "truncation_mode": "tail",
            }
            text = text[: o.max_scan_chars]
        whole = item.is_code or item.field in ("code_prompt", "code_response")
        units = code_units(text, is_code=whole)
        if item.data_type == "tool_event" and not any(u.origin in ("json", "whole") for u in units):
            units.insert(0, CodeUnit(text, 0, guess_language(text), "whole"))
        hits: list[_Hit] = []
        injection: list[dict[str, str]] = []
        for idx, unit in enumerate(units):
            self._analyse(unit, idx, 0, hits)
            if o.command_injection and self._injection_candidate(unit, item):
                found = self._injection(unit, idx, hits)
                injection.append(
                    {"code_block": unit.code[: o.report_block_chars], "verdict": "malicious" if found else "benign"}
                )
        return self._result(units, hits, injection, truncation)

    # -- analysis ----------------------------------------------------------------------------------------------
    def _analyse(self, unit: CodeUnit, idx: int, depth: int, hits: list[_Hit]) -> None:
        lang = unit.language
        norm = normalize(unit.code, lang)
        views = (unit.code, norm) if norm != unit.code else (unit.code,)
        decoded = depth > 0
        for rule in RULES:
            if any(self._matches(rule, v) for v in views):
                hits.append(_Hit(rule.id, rule.category, rule.severity, idx, lang, decoded))
        if lang == "python" or (lang == "text" and unit.origin in _WHOLE_ORIGINS) or unit.origin == "decoded":
            analysis = analyse_python(unit.code, max_chars=self.options.max_ast_chars)
            if analysis is not None:
                for f in analysis.findings:
                    hits.append(_Hit(f.rule, f.category, f.severity, idx, "python", decoded))
                if depth < self.options.decode_depth:
                    if analysis.strings:
                        joined = "\n".join(s for s in analysis.strings if len(s) >= 6)[: self.options.max_ast_chars]
                        self._rescan(joined, "shell", idx, depth, hits, try_python=False)
                    for payload in analysis.decoded:
                        self._rescan(payload, guess_language(payload), idx, depth, hits)
        if depth >= self.options.decode_depth:
            return
        for m in _PS_ENC.finditer(unit.code):
            ps = _b64(m.group(1), utf16=True)
            if ps:
                self._rescan(ps, "powershell", idx, depth, hits)
        for m in _ECHO_B64.finditer(unit.code):
            sh = _b64(m.group(1), utf16=False)
            if sh:
                self._rescan(sh, guess_language(sh), idx, depth, hits)
        for pattern in (_PY_C_SQ, _PY_C_DQ):
            for m in pattern.finditer(unit.code):
                self._rescan(m.group(1), "python", idx, depth, hits)

    def _rescan(self, code: str, lang: str, idx: int, depth: int, hits: list[_Hit], *, try_python: bool = True) -> None:
        """Analyse a derived payload (decoded or extracted) one level deeper; ``try_python`` parses it as Python."""
        if code.strip():
            origin = "decoded" if try_python else "strings"
            self._analyse(CodeUnit(code, -1, lang, origin), idx, depth + 1, hits)

    def _matches(self, rule: Rule, text: str) -> bool:
        first = rule.all_of[0].search(text)
        if first is None or any(p.search(text) is None for p in rule.all_of[1:]):
            return False
        if any(p.search(text) is not None for p in rule.none_of):
            return False
        if rule.trusted_exempt:
            line_start = text.rfind("\n", 0, first.start()) + 1
            line_end = text.find("\n", first.end())
            line = text[line_start : line_end if line_end >= 0 else len(text)]
            hosts = [m.group(1).lower() for m in _URL_HOST.finditer(line)]
            if hosts and all(self._is_trusted(h) for h in hosts):
                return False
        return True

    def _is_trusted(self, host: str) -> bool:
        return any(host == t or host.endswith("." + t) for t in self._trusted)

    @staticmethod
    def _injection_candidate(unit: CodeUnit, item: ScanItem) -> bool:
        if unit.origin not in _INJECTION_ORIGINS or len(unit.code) > 300 or "\n" in unit.code.strip():
            return False
        return unit.origin != "whole" or item.data_type == "tool_event"

    def _injection(self, unit: CodeUnit, idx: int, hits: list[_Hit]) -> bool:
        found = False
        for rule in INJECTION_RULES:
            if self._matches(rule, unit.code):
                hits.append(_Hit(rule.id, rule.category, rule.severity, idx, unit.language, False))
                found = True
        return found

    # -- result ------------------------------------------------------------------------------------------------
    def _result(
        self,
        units: list[CodeUnit],
        hits: list[_Hit],
        injection: list[dict[str, str]],
        truncation: dict[str, Any] | None,
    ) -> DetectorResult:
        o = self.options
        seen: set[tuple[str, int]] = set()
        findings: list[Finding] = []
        for h in sorted(hits, key=lambda h: -h.severity):
            if (h.rule, h.unit) in seen:
                continue
            seen.add((h.rule, h.unit))
            u = units[h.unit]
            findings.append(
                Finding(
                    detector=self.name,
                    entity=h.category,
                    start=max(u.start, 0),
                    end=u.end if u.start >= 0 else 0,
                    score=h.severity,
                    confidence="high" if h.severity >= 0.8 else "medium" if h.severity >= 0.5 else "low",
                    explanation=f"{_THREAT_NAMES.get(h.category, h.category)} ({h.rule}) in {h.language} code"
                    + (" (decoded payload)" if h.decoded else ""),
                    data={"rule": h.rule, "category": h.category, "language": h.language, "decoded": h.decoded},
                )
            )
        blocking = [f for f in findings if f.score >= o.min_severity]
        malware = any(f.entity != "command_injection" for f in blocking)
        detected = bool(blocking)
        report: dict[str, Any] = {
            "all_code_blocks": [u.code[: o.report_block_chars] for u in units],
            "code_analysis_by_type": [
                {
                    "file_type": FILE_TYPES.get(u.language, "Text"),
                    "code_sha256": hashlib.sha256(u.code.encode("utf-8", "surrogatepass")).hexdigest(),
                }
                for u in units
            ],
            "verdict": "malicious" if detected else "benign",
            "malware_script_report": {"verdict": "malicious" if malware else "benign"},
            "command_injection_report": injection,
        }
        if truncation is not None:
            report["truncation_info"] = truncation
        threats = sorted({_THREAT_NAMES.get(f.entity, f.entity) for f in blocking})
        return DetectorResult(
            detected=detected,
            findings=findings,
            score=max((f.score for f in findings), default=0.0),
            detail={"mc_report": report},
            categories={"threats": threats} if threats else {},
        )


def _b64(data: str, *, utf16: bool) -> str | None:
    """Decode a base64 payload (bounded) as UTF-16LE (PowerShell) or UTF-8; None when it is not text."""
    if len(data) > 200_000:
        return None
    try:
        raw = base64.b64decode(data + "=" * (-len(data) % 4), validate=False)
    except (ValueError, binascii.Error):
        return None
    text = raw.decode("utf-16-le" if utf16 else "utf-8", errors="replace")
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
    return text if text and printable / len(text) > 0.9 else None
