"""Rule sets for agent and tool threats. All patterns are RE2 (linear time), case-insensitive, on untrusted text.

Each rule has a category (the AIRS ``agent_patterns[].category_type``), the threat name reported in
``tool_detected.*.threats``, and a weight: a text reaches a category when its rules' weights sum to >= 1.0, so a
"strong" rule (1.0) fires alone and a "weak" one (0.5) needs a second piece of evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import re2

__all__ = [
    "ARGUMENT_RULES",
    "CATEGORY_THREAT",
    "INJECTION_RULES",
    "MEMORY_RULES",
    "POISONING_RULES",
    "Hit",
    "Rule",
    "categories",
    "scan",
]

#: AIRS-style category -> threat name reported for tool events.
CATEGORY_THREAT = {
    "tool-poisoning": "tool poisoning",
    "data-exfiltration": "data exfiltration",
    "credential-leakage": "credential leakage",
    "dangerous-tool-arguments": "dangerous tool arguments",
    "agent-hijacking": "agent hijacking",
    "tools-memory-manipulation": "memory manipulation",
    "indirect-prompt-injection": "context poisoning",
}


@dataclass(frozen=True)
class Rule:
    """One pattern: ``id`` is reported (never the matched text), ``weight`` counts towards its category."""

    id: str
    category: str
    pattern: str
    weight: float = 1.0


@dataclass(frozen=True)
class Hit:
    """A rule that matched, with the span of its first match."""

    rule: Rule
    start: int
    end: int


_SENSITIVE_PATH = (
    r"(?:~|\$home|/home/[\w.-]+|/users/[\w.-]+|/root|%userprofile%)?/?\.ssh(?:/[\w.-]*)?|id_(?:rsa|dsa|ecdsa|ed25519)"
    r"|/etc/(?:shadow|passwd|sudoers|gshadow)|\.aws/credentials|\.kube/config|\.docker/config\.json|\.git-credentials"
    r"|\.npmrc|\.pypirc|\.netrc|\.pgpass|/proc/self/environ|\.bash_history|\.zsh_history|wallet\.dat|\.gnupg"
    r"|(?:^|[/\\\s\"'])\.env(?:\.[\w]+)?(?:$|[\s\"'])|mcp\.json|claude_desktop_config\.json|\.cursor/"
    r"|login data|keychain|credentials\.json|service[-_]account.*\.json"
)
_CAPTURE_HOSTS = (
    r"webhook\.site|requestbin|pipedream\.net|ngrok(?:-free)?\.(?:io|app|dev)|burpcollaborator\.net|interact\.sh"
    r"|oast\.(?:fun|me|site|live|pro|online)|beeceptor\.com|hookbin\.com|requestcatcher\.com|canarytokens\.com"
    r"|pastebin\.com|transfer\.sh|discord(?:app)?\.com/api/webhooks|hooks\.slack\.com|trycloudflare\.com"
    r"|serveo\.net|localtunnel\.me|ipinfo\.io|requestrepo\.com"
)
_RAW_IP_URL = r"\b(?:https?|ftp|wss?)://(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?"
_AGENT = r"(?:assistant|ai|a\.i\.|model|agent|llm|chatbot|bot|claude|chatgpt|gpt|copilot|gemini)"

POISONING_RULES: tuple[Rule, ...] = (
    Rule("hidden_instruction_tag", "tool-poisoning",
         r"<\s*/?\s*(?:important|system|instructions?|secret|hidden|admin|critical|override|context)\s*>"),
    Rule("html_comment", "tool-poisoning", r"<!--[\s\S]{0,1000}?-->", 0.5),
    Rule("secrecy", "tool-poisoning",
         r"(?:do not|don't|never|must not|should not|shouldn't)\s+(?:\w+\s+){0,3}(?:mention|tell|reveal|inform|"
         r"notify|disclose|show|alert)\s+(?:\w+\s+){0,3}(?:user|human|anyone|them)"
         r"|without (?:telling|informing|notifying|alerting) (?:the )?(?:user|human)"
         r"|(?:user|human) (?:must|should) not (?:know|see|be told)|keep (?:this|it) (?:secret|hidden|confidential)"),
    Rule("read_sensitive_file", "tool-poisoning",
         r"(?:read|open|cat|load|access|fetch|get|include|pass|send|upload|attach)\s+(?:\S+\s+){0,6}?(?:"
         + _SENSITIVE_PATH + r")"),
    Rule("before_using_tool", "tool-poisoning",
         r"before (?:using|calling|invoking|running|you use|you call) (?:this|the|any) (?:tool|function)"
         r"|(?:must|always|first) (?:call|invoke|use|run) (?:the )?[`'\"]?\w+[`'\"]? (?:tool|function)", 0.5),
    Rule("cross_tool_override", "tool-poisoning",
         r"(?:when|whenever|if) (?:the user|you|asked)\b.{0,80}\b(?:instead|also|always) (?:send|call|use|forward|"
         r"email|bcc|cc)|(?:all|every) (?:emails?|messages?|payments?|transfers?) (?:must|should) (?:be sent|go) to"
         r"|(?:change|replace|override) (?:the )?(?:recipient|destination|account|address|instructions)", 1.0),
    Rule("param_exfil", "data-exfiltration",
         r"(?:pass|put|include|insert|add|send|provide|embed|append)\s+(?:\S+\s+){0,8}?(?:as|in|into|inside|via|using"
         r"|through)\s+(?:the\s+)?[`'\"]?\w+[`'\"]?\s+(?:parameter|argument|field|param|arg)"),
    Rule("exfil_url", "data-exfiltration", r"(?:" + _CAPTURE_HOSTS + r")|" + _RAW_IP_URL),
    Rule("agent_address", "tool-poisoning",
         r"\b(?:the |dear )?" + _AGENT + r"\s*(?:,|:)?\s*(?:must|should|needs? to|is required to|has to|will)\b", 0.5),
    Rule("ignore_previous", "tool-poisoning",
         r"(?:ignore|disregard|forget|override)\s+(?:all\s+)?(?:the\s+)?(?:previous|prior|above|earlier|other|system)"
         r"\s+(?:instructions?|prompts?|rules|directions|tools?)"),
)  # fmt: skip

ARGUMENT_RULES: tuple[Rule, ...] = (
    Rule("sensitive_path", "dangerous-tool-arguments", _SENSITIVE_PATH),
    Rule("path_traversal", "dangerous-tool-arguments", r"(?:\.\./){2,}|(?:\.\.\\){2,}|%2e%2e%2f"),
    Rule("destructive_command", "dangerous-tool-arguments",
         r"\brm\s+-[a-z]*[rf][a-z]*\s+(?:/|~|\*|\$home)|\bmkfs\b|\bdd\s+if=.{0,40}of=/dev/|:\(\)\s*\{\s*:\|:&\s*\};:"
         r"|\bchmod\s+(?:-r\s+)?777\s+/|\bshutdown\b|\breboot\b|drop\s+(?:table|database)\b"),
    Rule("remote_code", "dangerous-tool-arguments",
         r"\b(?:curl|wget|fetch)\b[^|;&\n]{0,200}\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b|/dev/tcp/|\bnc\s+(?:-\w+\s+)*-e\b"
         r"|\bbase64\s+(?:-d|--decode)\b[^|;\n]{0,100}\|\s*(?:ba)?sh|\bmkfifo\b|powershell\s+-(?:enc|e|encodedcommand)\b"
         r"|\bpython[23]?\s+-c\s+['\"]?import\s+(?:socket|os|pty|subprocess)"),
    Rule("shell_metachar", "dangerous-tool-arguments",
         r"[;&|`]\s*\S|\$\([^)]{1,200}\)|>\s*/(?:etc|dev|root|usr)/", 0.5),
    Rule("exfil_url", "data-exfiltration", r"(?:" + _CAPTURE_HOSTS + r")|" + _RAW_IP_URL),
    Rule("private_key", "credential-leakage", r"-----BEGIN (?:[A-Z ]+ )?PRIVATE KEY-----"),
    Rule("cloud_token", "credential-leakage",
         r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bgithub_pat_\w{22,}|\bxox[abpr]-[\w-]{10,}"
         r"|\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}|\bAIza[0-9A-Za-z_-]{35}\b|\bglpat-[\w-]{20}\b|\bnpm_[A-Za-z0-9]{36}\b"),
    Rule("password_assignment", "credential-leakage",
         r"(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token)\s*[=:]\s*[\"']?"
         r"[^\s\"']{8,}", 0.5),
)  # fmt: skip

INJECTION_RULES: tuple[Rule, ...] = (
    Rule("ignore_previous", "indirect-prompt-injection",
         r"(?:ignore|disregard|forget|override)\s+(?:all\s+)?(?:(?:the|your|any)\s+)?(?:previous|prior|above|earlier"
         r"|original|system|other)\s+(?:instructions?|prompts?|rules|directions|context|guidelines)"),
    Rule("new_instructions", "indirect-prompt-injection",
         r"(?:new|updated|real|actual|important)\s+(?:instructions?|task|directive|orders?)\s*(?:for (?:the )?"
         + _AGENT + r")?\s*:|\[\s*(?:system|inst|instructions?)\s*\]|<\s*/?\s*(?:system|important|instructions?)\s*>"),
    Rule("agent_imperative", "indirect-prompt-injection",
         r"\b(?:attention|note to|message for|instructions? for|hey|dear)?\s*(?:the\s+)?" + _AGENT
         + r"s?\s*(?:,|:|-)\s*(?:you\s+)?(?:must|should|now|please|immediately|ignore|forget|call|send|run|execute"
         r"|delete|forward|do not|don't)\b"
         r"|\bif you are an? " + _AGENT + r"\b|\bas an? " + _AGENT + r"\s+(?:reading|processing) this\b"),
    Rule("tool_call_instruction", "agent-hijacking",
         r"(?:call|invoke|use|run|execute|trigger)\s+(?:the\s+)?[`'\"]?[\w.-]+[`'\"]?\s+(?:tool|function|command)"
         r"\s+(?:with|to|and|now)|(?:send|forward|email|post|upload)\s+(?:\S+\s+){0,6}?(?:to|at)\s+(?:https?://"
         r"|\S+@\S+\.\w+)", 0.5),
    Rule("exfil_url", "data-exfiltration", r"(?:" + _CAPTURE_HOSTS + r")|" + _RAW_IP_URL, 0.5),
    Rule("secrecy", "indirect-prompt-injection",
         r"(?:do not|don't|never)\s+(?:\w+\s+){0,3}(?:mention|tell|reveal|inform|show)\s+(?:\w+\s+){0,3}(?:user|human)"
         r"|without (?:telling|informing|notifying) (?:the )?(?:user|human)", 0.5),
)  # fmt: skip

MEMORY_RULES: tuple[Rule, ...] = (
    Rule("remember_from_now", "tools-memory-manipulation",
         r"(?:remember|memori[sz]e|note|store|save|keep in mind)\s+(?:that\s+|this\s+)?(?:\S+\s+){0,6}?"
         r"(?:from now on|for (?:all )?future|permanently|forever|in (?:all )?future (?:conversations|sessions|chats))"
         r"|from now on,?\s+(?:always|never|you (?:will|must|should|are))"),
    Rule("update_memory", "tools-memory-manipulation",
         r"(?:update|modify|overwrite|edit|change|add to|write to|save (?:this )?(?:to|in|into))\s+(?:your\s+)?"
         r"(?:long[- ]term\s+|persistent\s+|permanent\s+)?"
         r"(?:memory|memories|knowledge base|user profile|notes about me)"),
    Rule("forget_memory", "tools-memory-manipulation",
         r"(?:forget|erase|wipe|delete|clear)\s+(?:all\s+)?(?:of\s+)?(?:your|the)\s+(?:memory|memories|previous "
         r"(?:conversations|context))"),
    Rule("new_goal", "agent-hijacking",
         r"(?:your|the agent's|the assistant's)\s+(?:new|real|true|actual|primary|only)\s+(?:goal|objective|task"
         r"|mission|purpose|directive)\s+(?:is|will be|now)|(?:forget|abandon|drop|ignore)\s+(?:your|the)\s+"
         r"(?:current\s+|original\s+)?(?:goal|objective|task|mission)|you (?:now|will now) (?:work|act) for\b"),
)  # fmt: skip


def _compile(rules: tuple[Rule, ...]) -> list[tuple[Rule, re2._Regexp]]:
    return [(r, re2.compile("(?i)" + r.pattern)) for r in rules]


_COMPILED: dict[int, list[tuple[Rule, re2._Regexp]]] = {
    id(rs): _compile(rs) for rs in (POISONING_RULES, ARGUMENT_RULES, INJECTION_RULES, MEMORY_RULES)
}


def scan(text: str, rules: tuple[Rule, ...]) -> list[Hit]:
    """Every rule of ``rules`` that matches ``text`` (first match span each)."""
    hits: list[Hit] = []
    for rule, rx in _COMPILED[id(rules)]:
        m = rx.search(text)
        if m is not None:
            hits.append(Hit(rule, m.start(), m.end()))
    return hits


def categories(hits: list[Hit]) -> dict[str, float]:
    """Summed rule weight per category."""
    out: dict[str, float] = {}
    for h in hits:
        out[h.rule.category] = out.get(h.rule.category, 0.0) + h.rule.weight
    return out
