"""SQL-injection payload shapes (re2, linear time), checked on SQL candidates and on tool-argument values.

These describe how an injected fragment *looks* (a closing quote then ``OR 1=1``, a ``UNION SELECT`` glued to
a value, a trailing comment that cuts off the rest of the query, time delays, OS/file access procedures), not
whether a complete statement is dangerous; :mod:`.classify` handles the latter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

import re2

__all__ = ["InjectionRule", "INJECTION_RULES", "injection_hits", "decode_payload"]

_OPTS = re2.Options()
_OPTS.case_sensitive = False
_OPTS.max_mem = 32 << 20

_LIT = r"(?:-?\d+(?:\.\d+)?|'[^'\n]{0,40}'|\"[^\"\n]{0,40}\"|true|false|null)"
_PCT = re2.compile(r"%[0-9a-fA-F]{2}")


@dataclass(frozen=True)
class InjectionRule:
    """One payload shape: id, severity and the compiled re2 pattern."""

    id: str
    severity: float
    pattern: Any


def _r(rid: str, severity: float, pattern: str) -> InjectionRule:
    return InjectionRule(rid, severity, re2.compile("(?m)" + pattern, _OPTS))


INJECTION_RULES: tuple[InjectionRule, ...] = (
    _r(
        "tautology",
        0.9,
        "|".join(
            [
                r"\b(?:or|\|\||xor)\s+(?:not\s+)?\(*\s*" + _LIT + r"\s*\)*\s*(?:=|<>|!=|<=>|>=?|<=?|\blike\b|\bis\b)"
                r"\s*\(*\s*(?:" + _LIT + r"|\w+)",
                r"\bor\s+(?:true|not\s+false)\b",
                r"['\"]\s*\)*\s*(?:or|\|\||and|&&)\s+\(*\s*(?:['\"][^'\"\n]{0,20}['\"]|-?\d+)\s*\)*\s*(?:=|<>|!=|\blike\b|>|<)",
                r"^[^'\"\n]{0,40}['\"]\s*\)*\s*(?:or|and|\|\||&&)\b\s*['\"(\w]",
                r"['\"\d)]or['\"(\d][^\n]{0,12}=",
                r"['\"]\s*(?:or|\|\|)\s*['\"]{2}\s*=\s*['\"]",
                r"^\s*['\"]\s*=\s*['\"]",
                r"\band\s+\(*\s*-?\d+\s*\)*\s*(?:=|<>|>|<)\s*\(*\s*-?\d+\b",
            ]
        ),
    ),
    _r(
        "union_select",
        0.9,
        r"(?:['\"]\s*\)*|^\s*-?\d*\s*\)*|\bnull\s*\)*|[(=]\s*\(?)\s*union\b(?:\s+(?:all|distinct))?[\s(]*select"
        r"|\bunion\b(?:\s+(?:all|distinct))?[\s(]*select\s+(?:null|\d+|'[^']*'|0x[0-9a-f]+|char\()\s*(?:,\s*(?:null|\d+|'[^']*'|0x[0-9a-f]+)\s*){2,}"
        r"|\bunion\b[^\n]{0,80}\bselect\b[^\n]{0,200}(?:@@version|\bversion\s*\(\)|\buser\s*\(\)|\bdatabase\s*\(\)"
        r"|\bload_file\b|\bcurrent_user\b|\bschema_name\b|\bsysobjects\b|\bpg_shadow\b|\bmysql\.user\b)",
    ),
    _r(
        "comment_truncation",
        0.8,
        r"['\"]\)*(?:--|#|/\*)|['\"]\s*\)*\s*(?:--|#)[^\n]{0,3}$|/\*!\d*\s*\w|^\s*['\"]?\s*\)*\s*;?\s*--\s*$",
    ),
    _r(
        "time_delay",
        0.9,
        r"\b(?:sleep|pg_sleep|benchmark)\s*\(|\bwaitfor\s+(?:delay|time)\s+['\"]|\bdbms_lock\.sleep\b"
        r"|\bdbms_pipe\.receive_message\b|\brandomblob\s*\(\s*\d{6,}",
    ),
    _r(
        "os_file_access",
        0.95,
        r"\bxp_cmdshell\b|\bsp_oacreate\b|\binto\s+(?:outfile|dumpfile)\b|\bload_file\s*\(|\butl_http\b|\butl_inaddr\b"
        r"|\blo_import\b|\blo_export\b|\bcopy\b[^\n;]{0,200}\b(?:to|from)\s+program\b|\bopenrowset\s*\(|\bopendatasource\s*\("
        r"|\bsys_(?:exec|eval)\s*\(|\bxp_dirtree\b|\bxp_regread\b|\bsp_configure\b[^\n]{0,40}xp_cmdshell",
    ),
    _r(
        "stacked_query",
        0.85,
        r"['\"]\s*\)*\s*;\s*(?:drop|delete|insert|update|exec|execute|shutdown|declare|alter|truncate|grant|waitfor|create)\b"
        r"|^\s*(?:-?\d+\s*\)*\s*;|;|['\"]\s*\)*)\s*(?:drop|delete|insert|update|exec|execute|shutdown|declare|alter|truncate"
        r"|grant|revoke|waitfor|desc)\s+\w",
    ),
    _r(
        "error_based",
        0.85,
        r"\b(?:extractvalue|updatexml)\s*\([^\n]{0,100}(?:0x7e|concat)|\bexp\s*\(\s*~\s*\(|\bconvert\s*\(\s*int\s*,\s*\(?\s*(?:@@|select|db_name|user)"
        r"|\bcast\s*\(\s*\(?\s*select\b[^\n]{0,100}\bas\s+(?:int|numeric)\b|\bctxsys\.drithsx\.sn\s*\(",
    ),
    _r(
        "order_by_enumeration",
        0.75,
        r"^\s*['\")]*\s*(?:order|group)\s+by\s+\d+(?:\s*,\s*\d+)*\s*(?:--|#|/\*|;|$)|['\"]\s*\)*\s*(?:order|group)\s+by\s+\d+",
    ),
    _r("char_encoding", 0.7, r"\bchar\s*\(\s*\d+(?:\s*,\s*\d+){3,}\s*\)|(?:\bchr\s*\(\s*\d+\s*\)\s*\|\|\s*){3,}"),
    _r(
        "nosql_operator",
        0.8,
        r"\[\$(?:ne|gt|gte|lt|lte|regex|where|exists|nin|in)\]|['\"]\$(?:where|ne|gt|regex|expr)['\"]\s*:|\$where\s*:"
        r"|[{,]\s*\$(?:ne|gt|gte|lt|lte|or|and|regex|where|exists|nin|comment)\s*:|\bthis\.\w+\.match\s*\("
        r"|\bdb\.\w+\.(?:insert|find|remove|drop|mapreduce)\s*\(|\|\|\s*1\s*==\s*1|&&\s*this\.",
    ),
    _r("having_tautology", 0.8, r"\bhaving\s+\d+\s*=\s*\d+"),
    _r(
        "boolean_blind",
        0.85,
        r"\(\s*select\s*\(?\s*case\s+when\s*\(?\s*\d+\s*=\s*\d+|\b(?:and|or)\s+ascii\s*\(\s*(?:lower\s*\(\s*)?substr(?:ing)?\s*\(\s*\("
        r"|\b(?:and|or)\s+\d+\s*=\s*\(?\s*select\s+count\s*\(",
    ),
    _r(
        "encoded_exec",
        0.9,
        r"\b0x[0-9a-f]{16,}[^\n]{0,40}\bexec(?:ute)?\s*\(?\s*@|\bdeclare\s+@\w+\s+n?varchar[^\n]{0,200}\bexec(?:ute)?\s*\(\s*@"
        r"|\bexecute\s+immediate\b",
    ),
    _r(
        "credential_catalog",
        0.8,
        r"\b(?:pg_shadow|pg_authid|mysql\.user|sys\.sql_logins|sysxlogins|dba_users|sys\.user\$|syscat\.dbauth"
        r"|sysibm\.sysuserauth)\b",
    ),
)


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u02bc": "'"})
_EMPTY_COMMENT = re2.compile(r"/\*\*/")
_HEX = re2.compile(r"\b0x([0-9a-fA-F]{16,})")


def decode_payload(text: str) -> str:
    """Percent-decode a value that carries URL encoding (``%27%20or%201=1``), bounded, else return it unchanged."""
    if len(text) <= 100_000 and _PCT.search(text) is not None:
        try:
            return unquote_plus(text)
        except (ValueError, UnicodeError):
            return text
    return text


def _variants(text: str) -> list[str]:
    """The forms a payload is checked in: raw, percent-decoded, typographic quotes folded, empty comments removed
    (``UNI/**/ON``) or read as spaces (``UNION/**/SELECT``), and hex literals decoded (``0x73656c656374...``)."""
    out = [text]
    decoded = decode_payload(text).translate(_QUOTES)
    if decoded != text:
        out.append(decoded)
    if "/**/" in decoded:
        out.append(_EMPTY_COMMENT.sub("", decoded))
        out.append(_EMPTY_COMMENT.sub(" ", decoded))
    for m in _HEX.finditer(decoded):
        digits = m.group(1)[:4000]
        raw = bytes.fromhex(digits[: len(digits) // 2 * 2])
        for enc in ("utf-16-le", "latin-1"):
            plain = raw.decode(enc, errors="ignore")
            if plain and sum(ch.isprintable() for ch in plain) / len(plain) > 0.9:
                out.append(plain)
                break
        if len(out) > 12:
            break
    return out


def _breaks_out(text: str, start: int) -> bool:
    """Does the quote at ``text[start]`` close a literal the text never opened (a break-out of a quoted value)?

    In ``WHERE state = 'Indiana' UNION SELECT`` the quote before ``UNION`` is the second ``'``: it closes a
    literal the query itself opened, so the match is ordinary SQL. In ``x' UNION SELECT`` it is the first.
    """
    quote = text[start]
    return text.count(quote, 0, start + 1) % 2 == 1


def _rule_hits(rule: InjectionRule, form: str) -> bool:
    for m in rule.pattern.finditer(form):
        if form[m.start()] not in "'\"" or _breaks_out(form, m.start()):
            return True
    return False


def injection_hits(text: str) -> list[InjectionRule]:
    """Every injection rule matching ``text`` in any of its decoded forms.

    A match that begins with a quote counts only when that quote breaks out of a literal (see
    :func:`_breaks_out`), which keeps multi-literal SQL (``'a' UNION SELECT ... 'b'``) from looking injected.
    """
    forms = _variants(text)
    return [r for r in INJECTION_RULES if any(_rule_hits(r, f) for f in forms)]
