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
                r"['\"]\s*\)*\s*(?:or|\|\||and|&&)\s+\(*\s*['\"]?[\w ]{0,20}['\"]?\s*\)*\s*(?:=|<>|!=|\blike\b|>|<)",
                r"['\"]\s*(?:or|\|\|)\s*['\"]{2}\s*=\s*['\"]",
                r"^\s*['\"]\s*=\s*['\"]",
                r"\band\s+\(*\s*-?\d+\s*\)*\s*(?:=|<>|>|<)\s*\(*\s*-?\d+\b",
            ]
        ),
    ),
    _r(
        "union_select",
        0.9,
        r"(?:['\"]\s*\)*|^\s*-?\d*\s*\)*|\bnull\s*\)*)\s*union\b(?:\s+(?:all|distinct))?[\s(]*(?:/\*[^*]*\*/\s*)*select\b"
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
        r"|^\s*-?\d+\s*\)*\s*;\s*(?:drop|delete|insert|update|exec|execute|shutdown|declare|alter|truncate|grant|waitfor)\b",
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
        r"\[\$(?:ne|gt|gte|lt|lte|regex|where|exists|nin|in)\]|['\"]\$(?:where|ne|gt|regex|expr)['\"]\s*:|\$where\s*:",
    ),
    _r("having_tautology", 0.8, r"\bhaving\s+\d+\s*=\s*\d+"),
)


def decode_payload(text: str) -> str:
    """Percent-decode a value that carries URL encoding (``%27%20or%201=1``), bounded, else return it unchanged."""
    if len(text) <= 100_000 and _PCT.search(text) is not None:
        try:
            return unquote_plus(text)
        except (ValueError, UnicodeError):
            return text
    return text


def injection_hits(text: str) -> list[InjectionRule]:
    """Every injection rule matching ``text`` (raw and percent-decoded)."""
    decoded = decode_payload(text)
    return [r for r in INJECTION_RULES if r.pattern.search(text) or (decoded is not text and r.pattern.search(decoded))]
