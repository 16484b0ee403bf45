"""Agent and tool threats (AIRS ``agent`` / service ``agent_security``).

What is checked depends on the item:

* MCP ``tools/list`` output: every tool's description and ``inputSchema`` text (descriptions, titles, defaults,
  enum values) for *tool poisoning* — hidden instruction tags, secrecy towards the user, instructions to read
  sensitive files, to call other tools first or redirect actions, to smuggle data out through parameters, and
  invisible Unicode. Reported per tool (finding ``data["tool"]``).
* Tool-call input (``tools/call`` and any other input): every string argument, by key path, for *dangerous
  arguments* (sensitive paths, path traversal, destructive or remote-code shell commands; shell metacharacters only
  in command-like arguments), *data exfiltration* (URLs to raw IPs or request-capture services) and *credential
  leakage* (private keys, cloud/API tokens, password assignments).
* Tool output (anything but ``tools/list``): text addressed to the agent — "ignore previous instructions", fake
  system tags, imperatives to the assistant, instructions to call tools or send data — plus the
  ``injection`` detector's verdict when :mod:`interlock.detectors.prompt_injection` is importable; and memory/goal
  manipulation.
* Prompts and responses: memory and goal manipulation ("remember that from now on", "update your memory",
  "your new goal is").

Rules (:mod:`.rules`) carry weights; a category is detected when its rules' weights reach 1.0. The report is
``agent_report = {model_verdict, agent_framework (the tool event's ecosystem), agent_patterns: [{category_type,
verdict}]}``; ``categories["threats"]`` holds threat names ("tool poisoning", "credential leakage", "context
poisoning", ...) for ``tool_detected``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any, ClassVar

import re2
from pydantic import Field

from interlock.detectors.agent_security.rules import (
    ARGUMENT_RULES,
    CATEGORY_THREAT,
    INJECTION_RULES,
    MEMORY_RULES,
    POISONING_RULES,
    Hit,
    Rule,
    categories,
    scan,
)
from interlock.engine.base import Detector, DetectorOptions, DetectorResult, Finding, ScanItem

__all__ = ["AgentSecurityDetector", "AgentSecurityOptions"]

log = logging.getLogger("interlock.detectors.agent_security")

#: Argument keys whose values are run as commands: shell metacharacters there are evidence.
_COMMAND_KEYS = frozenset({"command", "cmd", "shell", "script", "exec", "execute", "args", "argv", "cmdline", "run"})
# Zero-width, bidi-control and Unicode tag characters: invisible to a human reviewing a tool description.
_INVISIBLE = re2.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]")
_MAX_STRINGS = 10_000


class AgentSecurityOptions(DetectorOptions):
    """Profile options of the agent-security detector.

    Attributes:
        use_injection_detector: also run the ``injection`` detector on tool outputs (when it is installed).
        blocked_hosts: extra hosts (exact names) treated as exfiltration targets in arguments and tool text.
    """

    use_injection_detector: bool = True
    blocked_hosts: list[str] = Field(default_factory=list)


def _strings(value: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    """Every string in a JSON value with its key path, depth-first, keys included as ``path.key``."""
    stack = [(path, value)]
    while stack:
        p, v = stack.pop()
        if isinstance(v, str):
            yield p, v
        elif isinstance(v, dict):
            stack.extend((f"{p}.{k}", x) for k, x in reversed(list(v.items())))
        elif isinstance(v, list):
            stack.extend((f"{p}[{i}]", x) for i, x in reversed(list(enumerate(v))))


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _find_tools(doc: Any) -> list[dict[str, Any]]:
    """The tool definitions of a ``tools/list`` result (JSON-RPC envelope or bare)."""
    for _ in range(4):
        if isinstance(doc, dict) and isinstance(doc.get("result"), (dict, list)):
            doc = doc["result"]
        elif isinstance(doc, dict) and isinstance(doc.get("tools"), list):
            doc = doc["tools"]
        else:
            break
    if isinstance(doc, list):
        return [t for t in doc if isinstance(t, dict)]
    return [doc] if isinstance(doc, dict) and "name" in doc else []


def _arguments(doc: Any) -> Any:
    """The arguments of a ``tools/call`` request (``params.arguments``), or the whole document."""
    if isinstance(doc, dict):
        params = doc.get("params", doc)
        if isinstance(params, dict) and "arguments" in params:
            return params["arguments"]
        return params
    return doc


def _locate(raw: str, value: str) -> int:
    """Offset of ``value`` inside the raw JSON text, or -1."""
    for encoded in (json.dumps(value, ensure_ascii=False)[1:-1], json.dumps(value)[1:-1]):
        at = raw.find(encoded)
        if at >= 0 and encoded == value:
            return at
    return -1


class AgentSecurityDetector:
    """Detects tool poisoning, dangerous tool arguments, exfiltration and agent hijacking."""

    name: ClassVar[str] = "agent"
    data_types: ClassVar[frozenset[str]] = frozenset({"prompt", "response", "tool_event"})
    Options = AgentSecurityOptions

    def __init__(self, options: AgentSecurityOptions | None = None) -> None:
        self.options = options or AgentSecurityOptions()
        self._injection = self._load_injection() if self.options.use_injection_detector else None
        self._hosts = (
            re2.compile("(?i)(?:^|[/@.])(?:" + "|".join(re2.escape(h) for h in self.options.blocked_hosts) + ")\\b")
            if self.options.blocked_hosts
            else None
        )

    @staticmethod
    def _load_injection() -> Detector | None:
        try:
            from interlock.detectors.prompt_injection import PromptInjectionDetector
        except ImportError:
            return None
        try:
            return PromptInjectionDetector()
        except Exception as exc:  # its model failed to load: our own rules still run
            log.warning("injection detector unavailable for tool outputs (%s)", type(exc).__name__)
            return None

    # -- per-string checks ---------------------------------------------------------------------------------------

    def _extra(self, text: str, category: str) -> list[Hit]:
        if self._hosts is None:
            return []
        m = self._hosts.search(text)
        return [] if m is None else [Hit(Rule("blocked_host", category, ""), m.start(), m.end())]

    def _tool_definition(self, tool: dict[str, Any]) -> list[Hit]:
        texts = [v for _, v in _strings({k: v for k, v in tool.items() if k != "name"})][:_MAX_STRINGS]
        text = "\n".join(texts)
        hits = scan(text, POISONING_RULES) + self._extra(text, "data-exfiltration")
        m = _INVISIBLE.search(text)
        if m is not None:
            hits.append(Hit(Rule("invisible_characters", "tool-poisoning", ""), m.start(), m.end()))
        return hits

    def _argument(self, key_path: str, value: str) -> list[Hit]:
        key = key_path.rsplit(".", 1)[-1].split("[", 1)[0].lower()
        hits = [h for h in scan(value, ARGUMENT_RULES) if h.rule.id != "shell_metachar" or key in _COMMAND_KEYS]
        return hits + self._extra(value, "data-exfiltration")

    # -- per-item analysis -----------------------------------------------------------------------------------------

    def _tools_list(self, item: ScanItem, doc: Any) -> list[Finding]:
        findings: list[Finding] = []
        for tool in _find_tools(doc):
            hits = self._tool_definition(tool)
            name = str(tool.get("name", "?"))
            at = item.text.find(json.dumps(name))
            for cat, weight in categories(hits).items():
                if weight >= 1.0:
                    findings.append(self._finding(item, cat, hits, at, at + len(json.dumps(name)), tool=name))
        return findings

    def _call_input(self, item: ScanItem, doc: Any) -> list[Finding]:
        args = _arguments(doc) if doc is not None else item.text
        found: dict[str, tuple[list[Hit], int, int]] = {}
        for path, value in list(_strings(args))[:_MAX_STRINGS]:
            hits = self._argument(path, value)
            if not hits:
                continue
            base = _locate(item.text, value) if doc is not None else 0
            for cat, weight in categories(hits).items():
                if weight >= 1.0 and cat not in found:
                    mine = [h for h in hits if h.rule.category == cat]
                    span = (base + mine[0].start, base + mine[0].end) if base >= 0 else (0, len(item.text))
                    found[cat] = (mine, *span)
        return [self._finding(item, cat, hits, s, e) for cat, (hits, s, e) in found.items()]

    def _output_text(self, item: ScanItem, doc: Any) -> list[Finding]:
        text = "\n".join(v for _, v in list(_strings(doc))[:_MAX_STRINGS]) if doc is not None else item.text
        hits = scan(text, INJECTION_RULES) + scan(text, MEMORY_RULES) + self._extra(text, "data-exfiltration")
        if self._injection is not None and text.strip():
            verdict = self._injection.detect(
                ScanItem(text=text, field=item.field, data_type=item.data_type, tool=item.tool)
            )
            if verdict.detected:
                hits.append(Hit(Rule("injection_detector", "indirect-prompt-injection", ""), 0, 0))
        whole = (0, len(item.text))
        return [
            self._finding(item, cat, hits, *(self._span(item, text, hits, cat, doc) or whole))
            for cat, weight in categories(hits).items()
            if weight >= 1.0
        ]

    @staticmethod
    def _span(item: ScanItem, text: str, hits: list[Hit], cat: str, doc: Any) -> tuple[int, int] | None:
        first = next((h for h in hits if h.rule.category == cat and h.end > h.start), None)
        if first is None:
            return None
        if doc is None:
            return first.start, first.end
        at = item.text.find(text[first.start : first.end])
        return (at, at + first.end - first.start) if at >= 0 else None

    def _finding(
        self, item: ScanItem, cat: str, hits: list[Hit], start: int, end: int, tool: str | None = None
    ) -> Finding:
        rules = sorted({h.rule.id for h in hits if h.rule.category == cat})
        data: dict[str, Any] = {"category": cat, "threat": CATEGORY_THREAT[cat], "rules": rules}
        if tool is not None:
            data["tool"] = tool
        if start < 0 or end > len(item.text) or end < start:
            start, end = 0, len(item.text)
        where = f" in tool {tool!r}" if tool else ""
        return Finding(
            detector=self.name,
            entity=cat,
            start=start,
            end=end,
            score=min(1.0, sum(h.rule.weight for h in hits if h.rule.category == cat)),
            confidence="high" if any(h.rule.weight >= 1.0 for h in hits if h.rule.category == cat) else "medium",
            explanation=f"{CATEGORY_THREAT[cat]}{where} ({', '.join(rules)})",
            data=data,
        )

    def detect(self, item: ScanItem) -> DetectorResult:
        if item.data_type == "tool_event" and item.tool is not None:
            doc = _parse(item.text)
            method = item.tool.method.lower()
            if item.tool.direction == "output" and method == "tools/list":
                findings = self._tools_list(item, doc)
                if doc is None:  # not JSON: judge the raw text as one tool description
                    findings = self._tools_list(item, {"name": "?", "description": item.text})
            elif item.tool.direction == "input":
                findings = self._call_input(item, doc)
            else:
                findings = self._output_text(item, doc)
        else:
            hits = scan(item.text, MEMORY_RULES)
            findings = [
                self._finding(item, cat, hits, *next((h.start, h.end) for h in hits if h.rule.category == cat))
                for cat, weight in categories(hits).items()
                if weight >= 1.0
            ]
        cats = list(dict.fromkeys(f.entity for f in findings))
        detected = bool(cats)
        report: dict[str, Any] = {
            "model_verdict": "malicious" if detected else "benign",
            "agent_patterns": [{"category_type": c, "verdict": "malicious"} for c in cats],
        }
        if item.tool is not None:
            report["agent_framework"] = item.tool.ecosystem
        return DetectorResult(
            detected=detected,
            findings=findings,
            score=max((f.score for f in findings), default=0.0),
            detail={"agent_report": report},
            categories={"threats": [CATEGORY_THREAT[c] for c in cats]} if cats else {},
        )
