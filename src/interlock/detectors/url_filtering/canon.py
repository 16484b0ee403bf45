"""Find URLs and bare domains in text and canonicalise them.

Extraction is one re2 pass (linear time) that tolerates the common defanging forms (``hxxp://``,
``example[.]com``, ``example(.)com``, ``[:]``, ``[dot]``), markdown links and images, ``www.`` hosts, bare
domains (validated against the public-suffix list bundled with tldextract, never fetched), IP literals with a
port or path, and ``data:``/``javascript:`` URLs.

Canonical form (what reports and lists compare): lower-case scheme and host, a percent-encoded host decoded
(``%65vil.com`` is ``evil.com``; a decoded ``@`` splits off user-info as a real one would), host in IDNA (punycode)
form, percent-escapes of unreserved characters in the path and query decoded and the others upper-cased
(RFC 3986 6.2.2, so ``/%7Euser/%61bc`` is ``/~user/abc`` and ``/a/%2e%2e/b`` is ``/b``), IPv4 hosts written
in any of the forms ``inet_aton`` accepts (decimal ``3232235777``, hex ``0xC0A80001``, octal
``0300.0250.0.1``) rewritten as dotted quads, default ports removed, dot-segments removed, fragment and
user-info dropped (credentials are recorded as a signal, never reported).
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

import re2
import tldextract

__all__ = [
    "MAX_URL_CHARS",
    "Candidate",
    "Url",
    "canonicalize",
    "extract_candidates",
    "normalize_percent",
    "parse_ipv4",
    "split_domain",
]

_OPTS = re2.Options()
_OPTS.case_sensitive = False
_OPTS.max_mem = 64 << 20

_DOT = r"(?:\.|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\))"
_LABEL = r"[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?"
_TAIL = r"(?::\d{1,5})?(?:[/?#][^\s<>\"'`]*)?"
_SCHEME_URL = (
    r"(?P<scheme>(?:h(?:tt|xx)ps?|s?ftp|wss?)(?:\[:\]|:)//[^\s<>\"'`{}|\\^]+)"
    r"|(?P<special>data:[a-z]+/[a-z0-9.+\-]+(?:;[a-z0-9=.\-]+)*,[^\s<>\"'`)]*|javascript:[^\s<>\"'`]+)"
    r"|(?P<bare>(?:" + _LABEL + _DOT + r")+" + _LABEL + _TAIL + r")"
)
_FINDER = re2.compile(_SCHEME_URL, _OPTS)
_DEFANG = re2.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)", _OPTS)
_HXXP = re2.compile(r"^h(?:xx|XX|tt)p", _OPTS)
_COLON = re2.compile(r"\[:\]")
# linear (no nesting, no alternation): stdlib re is safe here and its callable ``sub`` is faster than re2's
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

#: Bare words ending like a file name, not a domain (``setup.py``, ``README.md``, ``run.sh``, ``a.zip``).
_FILE_SUFFIXES = frozenset({"py", "sh", "md", "rs", "pl", "ps", "so", "zip", "mov", "txt", "exe", "ini", "cfg", "bat"})
#: First labels that are code receivers, not hosts (``self.app``, ``os.name``, ``np.linalg``).
_CODE_RECEIVERS = frozenset(
    "self this cls os sys np pd obj req res request response app config settings window document module exports "
    "console math json path args kwargs ctx e x i re el node item data result err error event".split()
)
#: Words that announce a link ("check this link: evil.zip", "visit 10.0.0.5"): right after them a bare match that
#: would otherwise read as a file name or a version number counts, and so does one glued to the cue's colon.
_LINK_CUE = re.compile(
    r"(?i)(?:\b(?:link|url|site|website|domain)s?\b[^.\n:]{0,24}:[ \t]*|\b(?:visit|go to|browse to|navigate to)[ \t]+)$"
)
_TITLE_WORD = re.compile(r"[A-Z][a-z]+")
#: Longest URL text canonicalised (longer candidates are cut; reports show at most 2048 characters).
MAX_URL_CHARS = 8192
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443, "sftp": 22}
_TRAILING = ".,;:!?'\"*_~"
_PAIRS = {")": "(", "]": "[", "}": "{"}

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def warm() -> None:
    """Build the public-suffix trie now (tldextract builds it on first use: ~100 ms), not on the first URL."""
    _EXTRACT("www.example.co.uk", include_psl_private_domains=False)


@dataclass(frozen=True)
class Candidate:
    """A URL-looking span of the scanned text: ``text[start:end]`` and which alternative matched."""

    raw: str
    start: int
    end: int
    kind: str  # scheme | special | bare


@dataclass(frozen=True)
class Url:
    """A canonicalised URL and the facts the risk signals need.

    Attributes:
        url: canonical URL (what reports show and lists match); ``data:`` URLs are shortened.
        scheme: lower-case scheme.
        host: ASCII (IDNA) host, empty for ``data:``/``javascript:``.
        unicode_host: the host as Unicode (punycode decoded) for look-alike checks.
        port: explicit non-default port, or None.
        path: path (dot-segments removed) plus ``?query``.
        ip: the host as an IP address string when it is one.
        ip_obfuscated: the IP host was written in a non-dotted-quad form (decimal, hex, octal).
        userinfo: user-info was present (``user@`` or ``user:pass@``).
        password: the user-info carried a password.
        userinfo_host: the user-info itself looks like a host name (``paypal.com@evil.example``).
        defanged: the text used a defanged form (``hxxp``, ``[.]``).
        domain, suffix, subdomain: public-suffix split of ``host``.
    """

    url: str
    scheme: str
    host: str
    unicode_host: str
    port: int | None
    path: str
    ip: str | None = None
    ip_obfuscated: bool = False
    userinfo: bool = False
    password: bool = False
    userinfo_host: bool = False
    defanged: bool = False
    domain: str = ""
    suffix: str = ""
    subdomain: str = ""

    @property
    def registered_domain(self) -> str:
        """``domain.suffix`` (the registrable domain), or the host for IPs and suffix-less hosts."""
        return f"{self.domain}.{self.suffix}" if self.domain and self.suffix else self.host


def _trim(raw: str) -> str:
    """Drop trailing punctuation and unbalanced closing brackets (``(see http://x.com/a).``)."""
    while raw:
        last = raw[-1]
        if last in _TRAILING:
            raw = raw[:-1]
        elif last in _PAIRS and raw.count(last) > raw.count(_PAIRS[last]):
            raw = raw[:-1]
        else:
            break
    return raw


def extract_candidates(text: str, limit: int = 10_000) -> list[Candidate]:
    """URL-looking spans of ``text`` (at most ``limit``), validated cheaply; canonicalise with :func:`canonicalize`."""
    out: list[Candidate] = []
    for m in _FINDER.finditer(text):
        kind = "scheme" if m.group("scheme") else "special" if m.group("special") else "bare"
        start = m.start()
        raw = _trim(m.group(0))
        if not raw:
            continue
        end = start + len(raw)
        if kind == "bare" and not _bare_ok(text, start, end, raw):
            continue
        out.append(Candidate(raw, start, end, kind))
        if len(out) >= limit:
            break
    return out


def _bare_ok(text: str, start: int, end: int, raw: str) -> bool:
    """Is a scheme-less match a host worth reporting (not an e-mail, file name, attribute access, version)?"""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    cued = _LINK_CUE.search(text[max(0, start - 48) : start]) is not None
    if (before == ":" and not cued) or before in "@./\\-_$" or after in "(@[=" or before.isalnum():
        return False
    host_part = _DEFANG.sub(".", raw).split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = host_part.rsplit(":", 1)[0] if ":" in host_part else host_part
    if len(host) > 253:
        return False
    labels = host.lower().split(".")
    if all(lbl.isdigit() for lbl in labels):
        # a dotted quad only counts with a port or path, or right after a link cue ("check this link: 1.2.3.4");
        # otherwise it is a version number or a measurement
        return len(labels) == 4 and (len(raw) > len(host) or cued) and _valid_quad(labels)
    if labels[0] in _CODE_RECEIVERS and len(labels) == 2:
        return False
    ext = split_domain(host.lower())
    if not ext[1] or not ext[0]:
        return False
    if len(labels) == 2 and len(raw) == len(host) and all(_TITLE_WORD.fullmatch(lbl) for lbl in host_part.split(".")):
        return False  # "Done.Next": two capitalised words and a missing space, not a host
    last = ext[1].rsplit(".", 1)[-1]
    return not (last in _FILE_SUFFIXES and len(raw) == len(host) and not cued)


def _valid_quad(labels: list[str]) -> bool:
    return all(int(x) <= 255 for x in labels)


@lru_cache(maxsize=4096)
def split_domain(host: str) -> tuple[str, str, str]:
    """``(domain, suffix, subdomain)`` from the bundled public-suffix snapshot (ICANN section only)."""
    r = _EXTRACT(host, include_psl_private_domains=False)
    return r.domain, r.suffix, r.subdomain


def parse_ipv4(host: str) -> tuple[str, bool] | None:
    """Parse an IPv4 host in any ``inet_aton`` form; return ``(dotted quad, was_obfuscated)`` or None."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or any(not p for p in parts):
        return None
    nums: list[int] = []
    for p in parts:
        try:
            if p.lower().startswith("0x"):
                nums.append(int(p[2:] or "0", 16))
            elif len(p) > 1 and p.startswith("0"):
                nums.append(int(p, 8))
            elif p.isdigit():
                nums.append(int(p))
            else:
                return None
        except ValueError:
            return None
    value = 0
    for i, n in enumerate(nums[:-1]):
        if n > 255:
            return None
        value |= n << (24 - 8 * i)
    last_bits = 32 - 8 * (len(nums) - 1)
    if nums[-1] >= (1 << last_bits):
        return None
    value |= nums[-1]
    quad = str(ipaddress.IPv4Address(value))
    return quad, quad != host


def _idna(host: str) -> str:
    if host.isascii():
        return host
    labels = []
    for label in host.split("."):
        if label.isascii():
            labels.append(label)
            continue
        norm = unicodedata.normalize("NFKC", label).lower()
        try:
            labels.append(norm.encode("idna").decode("ascii"))
        except UnicodeError:
            labels.append("xn--" + norm.encode("punycode").decode("ascii"))
    return ".".join(labels)


def _unicode(host: str) -> str:
    if "xn--" not in host:
        return host
    out = []
    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                out.append(label[4:].encode("ascii").decode("punycode"))
                continue
            except UnicodeError:
                pass
        out.append(label)
    return ".".join(out)


def _pct_unreserved(m: re.Match[str]) -> str:
    code = int(m.group(1), 16)
    return chr(code) if code in _UNRESERVED else "%" + m.group(1).upper()


def normalize_percent(s: str) -> str:
    """RFC 3986 6.2.2.1-2: decode escapes of unreserved characters, upper-case the hex digits of the others."""
    return _PCT.sub(_pct_unreserved, s) if "%" in s else s


def _remove_dot_segments(path: str) -> str:
    if not path:
        return "/"
    if "." not in path:
        return path
    trailing = path.endswith(("/", "/.", "/.."))
    norm = posixpath.normpath(path)
    if norm.startswith("//"):
        norm = "/" + norm.lstrip("/")
    if trailing and not norm.endswith("/"):
        norm += "/"
    return norm


def canonicalize(raw: str) -> Url | None:
    """Canonicalise one candidate URL; None when it cannot be a URL (bad port, bad IPv6 literal, no host, a host
    longer than DNS allows). Only the first :data:`MAX_URL_CHARS` characters are considered."""
    return _canonicalize(raw[:MAX_URL_CHARS])


@lru_cache(maxsize=4096)
def _canonicalize(raw: str) -> Url | None:
    defanged = False
    s = raw
    undefanged = _DEFANG.sub(".", s)
    if undefanged != s:
        defanged, s = True, undefanged
    if _HXXP.search(s) and not s.lower().startswith("http"):
        defanged, s = True, "http" + s[4:]
    if "[:]" in s:
        defanged, s = True, _COLON.sub(":", s)
    low = s.lower()
    if low.startswith(("javascript:", "data:")):
        scheme = low.split(":", 1)[0]
        shown = s[:120] + ("..." if len(s) > 120 else "")
        if scheme == "data":
            shown = s.split(",", 1)[0] + ",..."
        return Url(url=shown, scheme=scheme, host="", unicode_host="", port=None, path="", defanged=defanged)
    if "://" not in s[:12]:
        s = "http://" + s
    try:
        parts = urlsplit(s)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    userinfo, _, _ = netloc.rpartition("@")
    host = (parts.hostname or "").rstrip(".")
    if "%" in host:  # urlsplit leaves such hosts as written (no lower-casing): decode as a browser would
        host = unquote(host, errors="replace").lower().rstrip(".")
        if "@" in host:
            hidden, _, host = host.rpartition("@")
            userinfo = f"{userinfo}@{hidden}" if userinfo else hidden
        if not host or any(ch in host for ch in "/\\?#%\ufffd") or any(ch.isspace() for ch in host):
            return None
    if not host:
        return None
    host = _idna(host)
    if len(host) > 253 or any(len(label) > 63 for label in host.split(".")):
        return None
    ip: str | None = None
    ip_obf = False
    if ":" in host:
        try:
            ip = str(ipaddress.IPv6Address(host))
        except ValueError:
            return None
        host_out = f"[{ip}]"
    else:
        parsed = parse_ipv4(host)
        if parsed is not None:
            ip, ip_obf = parsed
            host = ip
        host_out = host
    if port is not None and _DEFAULT_PORTS.get(scheme) == port:
        port = None
    path = _remove_dot_segments(normalize_percent(parts.path))
    query = f"?{normalize_percent(parts.query)}" if parts.query else ""
    url = f"{scheme}://{host_out}{f':{port}' if port is not None else ''}{path}{query}"
    domain = suffix = sub = ""
    if ip is None:
        domain, suffix, sub = split_domain(host)
    pieces = userinfo.replace("@", ":").split(":")
    return Url(
        url=url[:2048],
        scheme=scheme,
        host=host if ip is None else ip,
        unicode_host=_unicode(host),
        port=port,
        path=path + query,
        ip=ip,
        ip_obfuscated=ip_obf,
        userinfo=bool(userinfo),
        password=":" in userinfo,
        userinfo_host=any("." in p and not p.replace(".", "").isdigit() for p in pieces if userinfo),
        defanged=defanged,
        domain=domain,
        suffix=suffix,
        subdomain=sub,
    )


def describe(url: Url) -> dict[str, Any]:
    """Plain dict of a :class:`Url` (for debugging and benchmarks)."""
    return {k: getattr(url, k) for k in url.__dataclass_fields__}
