"""Validators that turn a regex candidate into a real data-pattern match (checksums, issuer ranges, structure).

Every function takes the matched value (as it appears in the text) and returns ``True`` when it is a
plausible instance of the data type. They are pure, bounded by the (short) value length, and never log it.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re  # candidate values only (bounded, a few hundred characters at most); texts are searched with re2
from collections import Counter
from collections.abc import Callable
from typing import Literal

from stdnum import iban as _iban
from stdnum.au import tfn as _tfn
from stdnum.br import cnpj as _cnpj, cpf as _cpf
from stdnum.ca import sin as _sin
from stdnum.cn import ric as _ric
from stdnum.de import idnr as _idnr
from stdnum.es import dni as _dni, nie as _nie
from stdnum.fr import nir as _nir
from stdnum.in_ import aadhaar as _aadhaar, pan as _pan
from stdnum.it import codicefiscale as _cf
from stdnum.nl import bsn as _bsn
from stdnum.us import itin as _itin, ssn as _ssn

__all__ = [
    "aba_routing",
    "aws_key_id",
    "base64_jwt",
    "card_brand",
    "credit_card",
    "digits",
    "discord_token",
    "entropy",
    "is_documentation",
    "is_dummy_words",
    "is_masked",
    "is_placeholder",
    "is_plain_word",
    "is_sequential",
    "is_template",
    "jwt",
    "low_entropy",
    "luhn",
    "provider_token",
    "stdnum_check",
    "us_ssn",
    "uk_nino",
]


_NON_DIGITS = re.compile(r"[^0-9]+")
_DIGIT_SET = frozenset("0123456789")


def digits(value: str) -> str:
    """Only the ASCII digits of ``value``."""
    return _NON_DIGITS.sub("", value)


_LUHN_DOUBLE = str.maketrans("0123456789", "0246813579")  # digit -> digit sum of its double


def luhn(number: str) -> bool:
    """Luhn (mod 10) check of a digit string."""
    odd = number[-1::-2]
    even = number[-2::-2].translate(_LUHN_DOUBLE)
    return (sum(map(int, odd)) + sum(map(int, even))) % 10 == 0


# (brand, IIN ranges as (low, high) over the first `len(str(low))` digits, allowed lengths)
_BRANDS: tuple[tuple[str, tuple[tuple[int, int], ...], frozenset[int]], ...] = (
    ("visa", ((4, 4),), frozenset({13, 16, 19})),
    ("mastercard", ((51, 55), (2221, 2720)), frozenset({16})),
    ("amex", ((34, 34), (37, 37)), frozenset({15})),
    ("discover", ((6011, 6011), (644, 649), (65, 65), (622126, 622925)), frozenset(range(16, 20))),
    # JCB's allocated block is 3528-3589; test-card generators (Faker among them) use the whole 35 block
    ("jcb", ((35, 35),), frozenset(range(16, 20))),
    ("jcb", ((1800, 1800), (2131, 2131)), frozenset({15})),
    ("diners", ((300, 305), (3095, 3095), (36, 36), (38, 39)), frozenset(range(14, 20))),
    ("unionpay", ((62, 62), (81, 81)), frozenset(range(16, 20))),
    (
        "maestro",
        # 6390 (and 0604, below): older Maestro prefixes still in card test data
        (
            (5018, 5018),
            (5020, 5020),
            (5038, 5038),
            (56, 58),
            (6304, 6304),
            (6759, 6759),
            (6761, 6763),
            (6390, 6390),
        ),
        frozenset(range(12, 20)),
    ),
)


def card_brand(number: str) -> str | None:
    """The card network whose IIN range and length ``number`` (digits only) fits, or None."""
    n = len(number)
    if number.startswith("0604") and 12 <= n <= 19:
        return "maestro"  # the one IIN with a leading zero (integer ranges below cannot express it)
    for brand, ranges, lengths in _BRANDS:
        if n not in lengths:
            continue
        for low, high in ranges:
            width = len(str(low))
            if low <= int(number[:width]) <= high:
                return brand
    return None


def _card_grouping_ok(value: str) -> bool:
    """Separators, if any, are one kind and split the number like cards are printed (4-4-4-4, 4-6-5, ...)."""
    seps = set(value) - _DIGIT_SET
    if not seps:
        return True
    if len(seps) > 1:
        return False
    groups = [len(g) for g in value.split(seps.pop())]
    if groups in ([4, 6, 5], [4, 6, 4]):
        return True
    return all(g == 4 for g in groups[:-1]) and 1 <= groups[-1] <= 4


def credit_card(value: str) -> bool:
    """Luhn-valid number of a known issuer, printed with consistent grouping and not a trivial digit run."""
    number = digits(value)
    if not 12 <= len(number) <= 19 or not _card_grouping_ok(value) or not luhn(number) or len(set(number)) < 2:
        return False
    return card_brand(number) is not None


_SSN_REJECT = frozenset({"078051120", "219099999", "457555462", "123456789", "987654320"})


def us_ssn(value: str) -> bool:
    """SSN structure: area not 000/666/9xx, group not 00, serial not 0000, not a published/advertised number."""
    number = digits(value)
    if len(number) != 9 or number in _SSN_REJECT or len(set(number)) == 1:
        return False
    seps = _NON_DIGITS.findall(value)
    if seps and (len(seps) != 2 or seps[0] != seps[1] or len(seps[0]) != 1):
        return False
    return bool(_ssn.is_valid(number))


def us_itin(value: str) -> bool:
    """US ITIN: 9xx-7x/8x/9x-xxxx (stdnum rules)."""
    number = digits(value)
    return len(number) == 9 and bool(_itin.is_valid(number))


def aba_routing(value: str) -> bool:
    """ABA routing number: valid Federal Reserve prefix and the 3-7-1 weighted checksum."""
    n = digits(value)
    if len(n) != 9 or len(set(n)) == 1:
        return False
    prefix = int(n[:2])
    if not (prefix <= 12 or 21 <= prefix <= 32 or 61 <= prefix <= 72 or prefix == 80):
        return False
    w = (3, 7, 1) * 3
    return sum(int(c) * k for c, k in zip(n, w, strict=True)) % 10 == 0


_NINO_BAD_PREFIX = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})


def uk_nino(value: str) -> bool:
    """UK National Insurance number: two valid prefix letters, six digits, suffix A-D (no checksum exists)."""
    v = value.replace(" ", "").upper()
    return len(v) == 9 and v[:2] not in _NINO_BAD_PREFIX and len(set(v[2:8])) > 1


def iban(value: str) -> bool:
    """IBAN: country-specific length and BBAN structure plus the mod-97 check (python-stdnum), with spaces or
    without, any case.

    The national check digits inside the BBAN (Spain's CCC, Belgium's mod-97, France's RIB key...) are not
    required: the IBAN's own mod-97 already rejects 96 of 97 mistyped numbers, and generated or hand-edited
    IBANs that people still treat as account numbers often fail the national check.
    """
    return bool(_iban.is_valid(value, check_country=False))


_STDNUM: dict[str, Callable[[str], bool]] = {
    "de_idnr": _idnr.is_valid,
    "fr_nir": _nir.is_valid,
    "es_dni": _dni.is_valid,
    "es_nie": _nie.is_valid,
    "it_cf": _cf.is_valid,
    "nl_bsn": _bsn.is_valid,
    "in_aadhaar": _aadhaar.is_valid,
    "in_pan": _pan.is_valid,
    "br_cpf": _cpf.is_valid,
    "br_cnpj": _cnpj.is_valid,
    "ca_sin": _sin.is_valid,
    "au_tfn": _tfn.is_valid,
    "cn_ric": _ric.is_valid,
}


def stdnum_check(kind: str) -> Callable[[str], bool]:
    """A validator backed by python-stdnum's ``is_valid`` for ``kind``, rejecting single-digit repeats."""
    check = _STDNUM[kind]

    def valid(value: str) -> bool:
        d = digits(value)
        if d and len(set(d)) == 1:
            return False
        try:
            return bool(check(value))
        except Exception:  # stdnum raises on some malformed inputs instead of returning False
            return False

    valid.__name__ = f"valid_{kind}"
    return valid


def entropy(value: str) -> float:
    """Shannon entropy of ``value`` in bits per character."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


# -- false-positive filters (small, separate, each testable on its own; detect-secrets ``filters/heuristic.py``) --

#: template / reference syntax anywhere in the value: the value is looked up elsewhere, not written here
_TEMPLATE_MARKERS = (
    "${",
    "{{",
    "%(",
    "$(",
    "<",
    "process.env",
    "os.environ",
    "getenv",
    "env(",
    "env.",
    "vault:",
    "secrets.",
    "@@",
)
_REFERENCE_RE = re.compile(
    r"^(?:\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_]*%|@[A-Za-z_][A-Za-z0-9_]*@|"
    r"[A-Za-z_][A-Za-z0-9_.]*\(.*\)|(?:true|false|null|none|nil|undefined|string|str|bytes|int|required|optional))$",
)
#: a masked value: runs of mask characters anywhere (``xxxx``, ``****``, ``....``, ``••••``)
_MASK_RE = re.compile(r"(?i)x{4,}|\*{3,}|#{3,}|\.{2,}|•{2,}|_{4,}|0{6,}|(?:x-){3,}")
#: documentation markers anywhere in the value (AWS' ``...EXAMPLE``, ``<your-key>``, ``replace_me``)
_DOC_MARKER_RE = re.compile(
    r"(?i)example|placeholder|redacted|change[_\-]?(?:me|it|this)|replace[_\-]?(?:me|this|with)|insert[_\-]?(?:your|here)|"
    r"your[_\-\s]?(?:own|api|app|access|client|secret|private|real|personal|[a-z]*?(?:key|token|password|pass|secret))|"
    r"dummy|notreal|not[_\-]?a[_\-]?real|f4ke|fake[_\-]?(?:key|token|secret|pass)|todo|fixme|tbd|lorem|"
    r"abc123|123456|abcdef|random[_\-]?string|here$"
)
#: words that make a value a dummy when they are (nearly) all of it: ``mysecretpassword``, ``test1234``
_DUMMY_WORDS_RE = re.compile(
    r"(?i)password|passwd|passphrase|secret|token|apikey|api|key|test|sample|demo|foobar|foo|bar|baz|qwerty|"
    r"admin|letmein|welcome|default|hello|world|here|value|string|my|pass|pwd|user|login|abc|xyz|none|null|temp"
)
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz" * 2,
    "0123456789" * 3,
    "0123456789abcdef" * 2,
    "qwertyuiopasdfghjklzxcvbnm" * 2,
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "zyxwvutsrqponmlkjihgfedcba" * 2,
    "9876543210" * 3,
)


def is_template(value: str) -> bool:
    """A reference to a value kept elsewhere: ``${VAR}``, ``{{ secret }}``, ``<your-key>``, ``os.getenv(...)``."""
    low = value.lower()
    return any(m in low for m in _TEMPLATE_MARKERS) or _REFERENCE_RE.search(value) is not None


def is_masked(value: str) -> bool:
    """A masked or blanked value: ``xxxxxxxx``, ``****``, ``sk_live_....``, or one character for most of it."""
    if _MASK_RE.search(value) is not None:
        return True
    low = value.lower()
    top = Counter(low).most_common(1)[0][1] if low else 0
    return top >= 0.6 * len(low)


def is_documentation(value: str) -> bool:
    """A documentation sample: ``AKIAIOSFODNN7EXAMPLE``, ``your_api_key``, ``changeme``, ``<redacted>``, ``dummy``."""
    return _DOC_MARKER_RE.search(value) is not None


def is_dummy_words(value: str) -> bool:
    """Made only of dummy words, digits and separators: ``mysecretpassword``, ``test1234``, ``secret_key_here``.

    A real password that merely contains such a word (``Hunter2!Secret``) keeps enough other characters.
    """
    rest = _DUMMY_WORDS_RE.sub("", value)
    rest = "".join(ch for ch in rest if ch.isalpha())
    return len(rest) < 3


def is_sequential(value: str) -> bool:
    """Runs along well-known sequences (``abcdefgh``, ``12345678``, ``1234567890abcdef``, ``qwertyuiop``).

    Checked on the letters and digits of the value, lower-cased: the whole core lies in one sequence, or runs of
    3+ consecutive characters (code points stepping by one) cover 80 % of it.
    """
    core = "".join(ch for ch in value.lower() if ch.isalnum())
    if len(core) < 6:
        return False
    return any(core in seq for seq in _SEQUENCES) or _sequential_coverage(core) >= 0.8


def _sequential_coverage(core: str) -> float:
    """Share of characters in runs of 3+ whose code points step by +1 (or all by -1): ``abc``, ``4321``."""
    covered = 0
    i, n = 0, len(core)
    while i < n:
        j = i + 1
        step = ord(core[j]) - ord(core[i]) if j < n else 0
        if step in (1, -1):
            while j < n and ord(core[j]) - ord(core[j - 1]) == step:
                j += 1
            if j - i >= 3:
                covered += j - i
                i = j
                continue
        i += 1
    return covered / n


_PLAIN_WORD = re.compile(r"^(?:[A-Z]?[a-z]+|[A-Z]+)$")


def is_plain_word(value: str) -> bool:
    """One ordinary word (``Required``, ``Incorrect``, ``Optional``, ``HIDDEN``): a form label or a message after a
    credential key, not a credential (a dictionary-word password is not told apart from it, by choice)."""
    return _PLAIN_WORD.search(value) is not None


def is_placeholder(value: str) -> bool:
    """Obvious non-secrets: any of the separate filters above (template, masked, documentation, dummy words,
    sequential strings)."""
    return (
        is_template(value)
        or is_masked(value)
        or is_documentation(value)
        or is_dummy_words(value)
        or is_sequential(value)
    )


def low_entropy(value: str, min_entropy: float = 3.0) -> bool:
    """Shannon entropy under ``min_entropy`` bits/char, the bar scaled down for short values (which cannot reach
    3 bits/char: 10 characters need 2.49, 16 or more the full bar)."""
    return entropy(value) < min(min_entropy, 0.75 * math.log2(max(2, len(value))))


def looks_random(value: str, min_entropy: float = 3.0, min_len: int = 8) -> bool:
    """High-entropy, non-placeholder token (used to accept credential values)."""
    return len(value) >= min_len and not is_placeholder(value) and entropy(value) >= min_entropy


_BASE32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def aws_key_id(value: str) -> bool | Literal["medium"]:
    """AWS access key id: a 4-letter kind prefix + 16 characters, not a documentation sample.

    Issued ids are base32 (``A-Z2-7``); an id with ``0``/``1``/``8``/``9`` is still reported (test data and
    hand-made ids use them) but with medium confidence.
    """
    body = value[4:]
    if "EXAMPLE" in value or is_masked(body) or is_sequential(body) or len(set(body)) < 6:
        return False
    return True if _BASE32.issuperset(body) else "medium"


def _b64url_json(segment: str) -> object | None:
    pad = "=" * (-len(segment) % 4)
    try:
        raw = base64.urlsafe_b64decode(segment + pad)
        parsed: object = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return parsed


def jwt(value: str) -> bool:
    """Structurally valid JWT: three base64url segments, the header a JSON object with ``alg`` or ``typ``."""
    parts = value.split(".")
    if len(parts) != 3:
        return False
    header = _b64url_json(parts[0])
    if not isinstance(header, dict) or not ({"alg", "typ", "kid", "enc"} & header.keys()):
        return False
    unsigned = str(header.get("alg", "")).lower() == "none"
    return len(parts[1]) >= 8 and (unsigned or (len(parts[2]) >= 8 and not is_placeholder(parts[2])))


_DOTTED_IDENT = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)+$")
_CONSTANT = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")  # ACCESS_TOKEN, MY_API_KEY: a name, not a value
_CHAR_CLASSES = (str.islower, str.isupper, str.isdigit)


def _classes(value: str) -> int:
    """How many of lower case, upper case, digits and symbols (other than ``_-.``) occur in ``value``."""
    symbols = any(not ch.isalnum() and ch not in "_-." for ch in value)
    return sum(1 for c in _CHAR_CLASSES if any(c(ch) for ch in value)) + symbols


def generic_secret(value: str) -> bool:
    """Value of a ``password=``/``api_key:`` assignment that looks like a real credential.

    Rejects placeholders, references (``$VAR``, ``${VAR}``, ``os.getenv(...)``), URLs and paths, dotted identifiers
    (``Foo.key_length``), word-separated identifiers and versions (``DOC_Vector_5_32``, ``rc0.15.0_2023``),
    values of a single character class (``authorization_code``), and low-entropy values.
    """
    v = value.strip("\"'`")
    if len(v) < 8 or is_placeholder(v) or is_plain_word(v) or "://" in v or v[0] in "/.~\\$%&*":
        return False
    if _DOTTED_IDENT.search(v) is not None or _CONSTANT.search(v) is not None:
        return False
    if _classes(v) < 2:
        return False
    parts = [p for p in v.replace("-", "_").replace(".", "_").split("_") if p]
    if len(parts) >= 3 and max(len(p) for p in parts) <= 8:
        return False
    return not low_entropy(v)


def provider_token(value: str) -> bool:
    """Value of a provider-named key (``DATADOG_API_KEY=...``): a random-looking token with letters and digits,
    not a URL, a dotted name or a placeholder."""
    if "://" in value or is_placeholder(value) or _DOTTED_IDENT.search(value) is not None:
        return False
    if not (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)):
        return False
    return not low_entropy(value, 3.3)


def discord_token(value: str) -> bool:
    """Discord bot token: its first segment is the bot's numeric id in base64 (``MTk4NjIy...`` -> ``19862...``)."""
    first = value.split(".", 1)[0]
    try:
        raw = base64.b64decode(first + "=" * (-len(first) % 4), validate=False)
    except (binascii.Error, ValueError):
        return False
    return 17 <= len(raw) <= 20 and raw.isdigit() and looks_random(value, 4.0, 50)


def base64_jwt(value: str) -> bool:
    """A JWT that was base64-encoded once more (``ZXlK...`` is base64 of ``eyJ``): decodes to a valid :func:`jwt`."""
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
        inner = raw.decode("ascii").strip()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return False
    return jwt(inner)


_AUTH_SCHEMES = frozenset({"AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", "GOOG4-HMAC-SHA256", "HMAC-SHA256"})


def header_token(value: str) -> bool:
    """Value of an ``Authorization:``/``X-API-Key:`` header: not a placeholder, two character classes, some entropy,
    not a scheme name (``AWS4-HMAC-SHA256 Credential=AKIA...``: the key id that follows is its own finding)."""
    if is_placeholder(value) or entropy(value) < 2.7 or value.upper() in _AUTH_SCHEMES:
        return False
    return _classes(value) >= 2


def ip_address(value: str) -> bool | Literal["low"]:
    """Valid IPv4/IPv6 address; non-global addresses (private, loopback, link-local...) get low confidence."""
    import ipaddress  # noqa: PLC0415 - keep the module import cheap for the common path

    host = value.split("%", 1)[0]
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return False
    if addr.version == 6:
        groups = [g for g in host.split(":") if g]
        if len(groups) < 2 or (len(groups) < 4 and not (len(groups[0]) >= 3 and any(c.isdigit() for c in host))):
            return False
        if len(groups) == 8 and not addr.is_loopback and not addr.is_unspecified:
            return True  # a full eight-group address is unambiguous, and a unique-local one is a real host too
    return True if addr.is_global else "low"
