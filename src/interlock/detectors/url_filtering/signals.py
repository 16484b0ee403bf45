"""Offline URL risk signals: lexical facts about a canonical URL that correlate with abuse.

Each signal has a weight in ``[0, 1]``; :func:`risk` combines them as ``1 - prod(1 - w)`` (independent evidence).
Brand impersonation uses a small bundled brand list (brand token -> its official registrable domains) and
compares the registrable label of a URL to each brand by *confusable skeleton* (Cyrillic/Greek look-alikes,
``0``/``o``, ``1``/``l``, ``rn``/``m``, ``vv``/``w``) and by Damerau-Levenshtein distance 1, and looks for a
brand as a whole token of the label or of a subdomain of an unrelated domain (``paypal.com.account-verify.xyz``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import re2

from interlock.detectors.url_filtering.canon import Url

__all__ = [
    "BRANDS",
    "SHORTENERS",
    "SUSPICIOUS_TLDS",
    "TRUSTED_DOMAINS",
    "Signal",
    "signals",
    "risk",
    "skeleton",
    "level",
]

#: brand token -> official registrable domains (``domain.suffix``).
BRANDS: dict[str, tuple[str, ...]] = {
    "paypal": ("paypal.com", "paypal.me", "paypalobjects.com", "paypal-community.com"),
    "apple": ("apple.com", "icloud.com", "apple.news", "me.com"),
    "icloud": ("icloud.com", "apple.com"),
    "microsoft": ("microsoft.com", "microsoftonline.com", "live.com", "office.com", "azure.com", "msn.com"),
    "office365": ("office.com", "microsoft.com", "office365.com"),
    "outlook": ("outlook.com", "live.com", "office.com", "microsoft.com"),
    "google": (
        "google.com",
        "googleapis.com",
        "gstatic.com",
        "youtube.com",
        "goo.gl",
        "google.co.uk",
        "googleusercontent.com",
        "googlevideo.com",
        "ggpht.com",
        "googletagmanager.com",
        "google-analytics.com",
    ),
    "gmail": ("gmail.com", "google.com"),
    "amazon": ("amazon.com", "amazon.co.uk", "amazon.de", "amazon.fr", "amazon.co.jp", "amazonaws.com", "amzn.to"),
    "facebook": ("facebook.com", "fb.com", "fbcdn.net", "facebook.net"),
    "instagram": ("instagram.com", "cdninstagram.com"),
    "whatsapp": ("whatsapp.com", "whatsapp.net", "wa.me"),
    "netflix": ("netflix.com", "nflxext.com"),
    "linkedin": ("linkedin.com", "licdn.com", "lnkd.in"),
    "twitter": ("twitter.com", "x.com", "t.co", "twimg.com"),
    "dropbox": ("dropbox.com", "dropboxusercontent.com", "db.tt"),
    "docusign": ("docusign.com", "docusign.net"),
    "adobe": ("adobe.com", "adobelogin.com", "typekit.net"),
    "yahoo": ("yahoo.com", "yahoo.co.jp", "yimg.com"),
    "ebay": ("ebay.com", "ebay.co.uk", "ebay.de", "ebayimg.com"),
    "chase": ("chase.com", "jpmorganchase.com"),
    "wellsfargo": ("wellsfargo.com", "wf.com"),
    "bankofamerica": ("bankofamerica.com", "bofa.com"),
    "citibank": ("citibank.com", "citi.com"),
    "hsbc": ("hsbc.com", "hsbc.co.uk"),
    "barclays": ("barclays.co.uk", "barclays.com"),
    "santander": ("santander.com", "santander.co.uk"),
    "americanexpress": ("americanexpress.com", "aexp.com"),
    "dhl": ("dhl.com", "dhl.de"),
    "fedex": ("fedex.com",),
    "usps": ("usps.com",),
    "coinbase": ("coinbase.com",),
    "binance": ("binance.com",),
    "metamask": ("metamask.io",),
    "blockchain": ("blockchain.com",),
    "steamcommunity": ("steamcommunity.com", "steampowered.com"),
    "github": ("github.com", "github.io", "githubusercontent.com", "githubassets.com"),
    "walmart": ("walmart.com",),
    "alibaba": ("alibaba.com", "aliexpress.com", "alicdn.com"),
    "aliexpress": ("aliexpress.com", "alibaba.com"),
    "mastercard": ("mastercard.com",),
    "steam": ("steampowered.com", "steamcommunity.com", "steamstatic.com"),
    "roblox": ("roblox.com",),
    "discord": ("discord.com", "discord.gg", "discordapp.com"),
    "telegram": ("telegram.org", "t.me"),
    "spotify": ("spotify.com",),
}
#: Brand tokens that are also ordinary words: a whole-token match counts, weaker.
_GENERIC_BRANDS = frozenset({"apple", "chase", "steam", "outlook", "blockchain", "discord", "telegram"})
#: Brand and service names that phishing kits put in the *path* of a compromised site (``/wp-content/owa/``).
_PATH_BRANDS = frozenset(BRANDS) | frozenset(
    "onedrive sharepoint wetransfer owa office officegpe amex webmail roundcube docusign adobe dhl".split()
)
_OFFICIAL = frozenset(d for ds in BRANDS.values() for d in ds)
#: Official domains that serve anyone's content (buckets, pages, raw files) or redirect anywhere: not trusted.
_USER_CONTENT = frozenset(
    "amazonaws.com github.io githubusercontent.com googleusercontent.com googleapis.com dropboxusercontent.com "
    "db.tt goo.gl amzn.to t.co lnkd.in t.me wa.me".split()
)
#: Brands' own registrable domains (the bundled offline reputation): the lexical model alone never blocks them.
TRUSTED_DOMAINS = _OFFICIAL - _USER_CONTENT

SHORTENERS = frozenset(
    "bit.ly tinyurl.com t.co goo.gl ow.ly is.gd buff.ly rebrand.ly cutt.ly shorturl.at tiny.cc rb.gy t.ly s.id "
    "bl.ink lnkd.in v.gd qrco.de shorte.st adf.ly bitly.com tr.im cli.gs x.co soo.gd clck.ru u.to "
    "tiny.one short.io snip.ly po.st mcaf.ee db.tt 1url.com urlz.fr t2m.io".split()
)
#: TLDs that abuse reports (Spamhaus, Interisle) consistently list far above their share of registrations.
SUSPICIOUS_TLDS = frozenset(
    "tk ml ga cf gq xyz top icu buzz zip mov click country kim work rest fit loan cam sbs cfd monster quest cyou "
    "bond support review party gdn men date racing win bid stream download science accountant faith cricket "
    "webcam trade lol mom uno su".split()
)
_EXECUTABLE_EXT = (".exe", ".scr", ".apk", ".msi", ".bat", ".cmd", ".ps1", ".vbs", ".hta", ".jar", ".dll", ".lnk")
_PHISH_WORDS = (
    "login",
    "signin",
    "sign-in",
    "verify",
    "verification",
    "account",
    "secure",
    "update",
    "banking",
    "webscr",
    "password",
    "wallet",
    "unlock",
    "suspended",
    "confirm",
)

_HEX_RUN = re2.compile(r"/[0-9a-f]{24,}(?:/|$)")

_CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
        "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "һ": "h", "ԁ": "d", "ԛ": "q",
        "ԝ": "w", "ɡ": "g", "ո": "n", "ս": "u", "օ": "o",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
        "υ": "u", "χ": "x", "ω": "w",
        # digits and ASCII look-alikes
        "0": "o", "1": "l", "i": "l", "|": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
        "@": "a", "$": "s",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Signal:
    """One risk signal: name, weight, and the category it implies (if any)."""

    name: str
    weight: float
    category: str | None = None


@lru_cache(maxsize=8192)
def skeleton(label: str) -> str:
    """Confusable skeleton of a label: NFKC, lower-case, look-alikes folded, ``rn``->``m``, ``vv``->``w``."""
    s = unicodedata.normalize("NFKC", label).lower()
    s = "".join(ch for ch in unicodedata.normalize("NFD", s) if unicodedata.category(ch) != "Mn")
    s = s.replace("rn", "m").replace("vv", "w").replace("cl", "d")
    return s.translate(_CONFUSABLES)


def _within_one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance <= 1 (one insertion, deletion, substitution or adjacent swap)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def _tokens(label: str) -> list[str]:
    out, cur = [], []
    for ch in label:
        if ch.isalpha():
            cur.append(ch)
        elif cur:
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


@lru_cache(maxsize=8192)
def _brand_signals(unicode_domain: str, registered: str, subdomain: str) -> tuple[Signal, ...]:
    if registered in _OFFICIAL:
        return ()
    out: list[Signal] = []
    label = unicode_domain
    skel = skeleton(label)
    label_tokens = _tokens(label)
    sub_tokens = [t for part in subdomain.split(".") for t in _tokens(part)]
    for brand in BRANDS:
        generic = brand in _GENERIC_BRANDS
        bskel = skeleton(brand)
        if len(brand) >= 4 and label != brand and (skel == bskel or (not label.isascii() and skel == brand)):
            out.append(Signal(f"brand_homoglyph:{brand}", 0.9, "phishing"))
        elif label == brand:
            out.append(Signal(f"brand_wrong_suffix:{brand}", 0.2 if generic else 0.35))
        elif len(brand) >= 6 and _within_one_edit(skel, bskel):
            out.append(Signal(f"brand_typosquat:{brand}", 0.5 if len(brand) >= 7 else 0.35))
        elif brand in label_tokens or any(skeleton(t) == bskel for t in label_tokens):
            out.append(Signal(f"brand_in_domain:{brand}", 0.4 if generic else 0.75, None if generic else "phishing"))
        elif len(brand) >= 6 and brand in label and not generic:
            out.append(Signal(f"brand_substring:{brand}", 0.35))
        if brand in sub_tokens and brand not in label:
            out.append(Signal(f"brand_in_subdomain:{brand}", 0.5 if generic else 0.8, None if generic else "phishing"))
    return tuple(out)


def signals(url: Url) -> list[Signal]:
    """Every risk signal that applies to ``url``."""
    out: list[Signal] = []
    if url.scheme == "javascript":
        return [Signal("javascript_scheme", 0.9, "malicious-script")]
    if url.scheme == "data":
        mime = url.url[5:].split(";", 1)[0].split(",", 1)[0].lower()
        if mime.startswith(("text/html", "application/javascript", "text/javascript", "image/svg", "application/x")):
            return [Signal("data_scheme_active", 0.85, "malicious-script")]
        return [Signal("data_scheme", 0.1)]
    if url.ip is not None:
        out.append(Signal("ip_host", 0.55))
        if url.ip_obfuscated:
            out.append(Signal("ip_obfuscated", 0.7))
    if url.userinfo_host:
        out.append(Signal("userinfo_looks_like_host", 0.85, "phishing"))
    elif url.password:
        out.append(Signal("credentials_in_url", 0.6))
    if url.defanged:
        out.append(Signal("defanged", 0.45))
    if url.registered_domain in SHORTENERS:
        out.append(Signal("url_shortener", 0.35, "url-shortener"))
    if url.ip is None and url.host:
        last = url.suffix.rsplit(".", 1)[-1]
        if last in SUSPICIOUS_TLDS:
            out.append(Signal("suspicious_tld", 0.35))
        labels = url.unicode_host.split(".")
        if "xn--" in url.host:
            out.append(Signal("punycode", 0.25))
            if any(_mixed_script(lbl) for lbl in labels):
                out.append(Signal("mixed_script", 0.7, "phishing"))
        if url.subdomain.count(".") >= 3:
            out.append(Signal("many_subdomains", 0.3))
        if len(url.host) > 60:
            out.append(Signal("long_host", 0.2))
        udomain = _unicode_domain(url)
        if udomain.count("-") >= 3:
            out.append(Signal("hyphenated_domain", 0.25))
        out.extend(_brand_signals(udomain, url.registered_domain, url.subdomain))
    if url.port is not None and url.port not in (80, 443, 8080, 8443):
        out.append(Signal("unusual_port", 0.15))
    path = url.path.lower()
    if path.split("?", 1)[0].endswith(_EXECUTABLE_EXT):
        out.append(Signal("executable_download", 0.35))
    if url.registered_domain not in _OFFICIAL:
        if any(w in path or w in url.subdomain for w in _PHISH_WORDS):
            out.append(Signal("phishing_words", 0.2))
        path_tokens = {t.lower() for t in _tokens(url.path.split("?", 1)[0])}
        if path_tokens & _PATH_BRANDS:
            out.append(Signal("brand_in_path", 0.3))
        if "/wp-content/" in path or "/wp-includes/" in path or "/wp-admin/" in path:
            out.append(Signal("cms_internal_path", 0.2))
        if _HEX_RUN.search(path) is not None:
            out.append(Signal("random_token_path", 0.2))
    if len(url.url) > 300:
        out.append(Signal("long_url", 0.1))
    return out


def _unicode_domain(url: Url) -> str:
    labels = url.unicode_host.split(".")
    n_suffix = url.suffix.count(".") + 1 if url.suffix else 0
    return labels[-n_suffix - 1] if len(labels) > n_suffix else url.domain


def _mixed_script(label: str) -> bool:
    scripts = set()
    for ch in label:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            scripts.add(name.split(" ", 1)[0])
    return len(scripts) > 1


def risk(sigs: list[Signal]) -> float:
    """Combined risk ``1 - prod(1 - w)``."""
    p = 1.0
    for s in sigs:
        p *= 1.0 - s.weight
    return 1.0 - p


def level(score: float) -> str:
    """``high`` (>= 0.75), ``medium`` (>= 0.4) or ``low``."""
    return "high" if score >= 0.75 else "medium" if score >= 0.4 else "low"
