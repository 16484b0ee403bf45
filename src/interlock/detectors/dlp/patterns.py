"""The built-in DLP data patterns: candidate regex (re2) + validator + proximity keywords + confidence.

A :class:`Pattern` finds *candidates* with a linear-time re2 regex (the value is the named group ``v`` when
present, otherwise the whole match); its ``validate`` function then accepts or rejects the value (checksums,
issuer ranges, structure, entropy), optionally choosing the base confidence. A proximity keyword in a small
window around the value raises the confidence to ``boost``. Patterns whose value is just a digit string (ABA
routing, BSN, SIN, TFN ...) have ``base="low"`` so that, with the default ``min_confidence="medium"``, they only
count when a keyword is near.

Secret formats follow the providers' published token formats (and the public gitleaks rule set).
"""

from __future__ import annotations

import hashlib
import re  # key names before a value only (at most 80 characters); texts are searched with re2
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from interlock.detectors.dlp import checks

__all__ = ["BUILTIN_PATTERNS", "Confidence", "GROUPS", "GroupName", "PHONE_KEYWORDS", "Pattern", "pattern_id"]

Confidence = Literal["high", "medium", "low"]
Validator = Callable[[str], "bool | Confidence"]

GroupName = Literal["financial", "national_id", "contact", "network", "secret"]
GROUPS: tuple[GroupName, ...] = ("financial", "national_id", "contact", "network", "secret")


def pattern_id(name: str) -> str:
    """Stable 24-hex ``data_pattern_id`` of a pattern name."""
    return hashlib.sha256(f"interlock/dlp/{name}".encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Pattern:
    """One data pattern.

    Attributes:
        name: short unique id (used in options: ``patterns``, ``disabled_patterns``).
        entity: the AIRS-style data-pattern name reported in findings and masking.
        group: ``financial`` | ``national_id`` | ``contact`` | ``network`` | ``secret`` | ``custom``.
        regex: re2 candidate regex; the named group ``v`` (if any) is the sensitive value.
        base: confidence of a validated match without a keyword.
        boost: confidence with a proximity keyword.
        keywords: lower-case proximity keywords (matched at word starts, case-insensitive).
        validate: value -> False (reject) | True (keep ``base``) | a confidence (use it as base).
        literals: cheap pre-filter: the regex can only match if one of these occurs in the (lower-cased when
            ``ci``) text.
        ci: literals are compared against the lower-cased text.
        weak: dropped when it overlaps a finding of a non-weak pattern (phone vs card, generic vs provider key).
        needs_digits: pre-filter: skip when the text has no digit.
        anti_keywords: a candidate with one of these just before it is rejected ("version 1.2.3.4").
        top: highest confidence ``validate`` can choose without a keyword (default ``base``); a pattern whose
            ``top`` is under ``min_confidence`` is only validated when a keyword is near (cheap and precise).
        retry_prefixes: on a failed check of a value at least this long, retry shorter prefixes cut at
            spaces/dashes (greedy over-capture of space-separated values: ``GB82 WEST ... 32 and``).
        match_check: the (up to 80) characters before the value -> False to reject (e.g. a non-secret key name
            such as ``public_key`` in ``public_key = "..."``).
    """

    name: str
    entity: str
    group: str
    regex: str
    base: Confidence = "medium"
    boost: Confidence = "high"
    keywords: tuple[str, ...] = ()
    validate: Validator | None = None
    literals: tuple[str, ...] = ()
    ci: bool = False
    weak: bool = False
    needs_digits: bool = False
    anti_keywords: tuple[str, ...] = ()
    top: Confidence | None = None
    retry_prefixes: int | None = None
    match_check: Callable[[str], bool] | None = None
    id: str = field(default="")

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", pattern_id(self.name))


def _random(min_entropy: float = 3.0, min_len: int = 8) -> Validator:
    def ok(value: str) -> bool:
        return checks.looks_random(value, min_entropy, min_len)

    return ok


def _both(*fns: Validator) -> Validator:
    def ok(value: str) -> bool | Confidence:
        out: bool | Confidence = True
        for f in fns:
            r = f(value)
            if r is False:
                return False
            if r is not True:
                out = r
        return out

    return ok


# Boundaries: re2 has no look-behind, so a leading (?:^|[^...]) is used where \b is not enough, and the value is
# captured as group v.
_NB_DIGIT = r"(?:^|[^0-9A-Za-z_.\-/])"  # not preceded by a digit/letter/./-//
_NA_DIGIT = r"(?:$|[^0-9A-Za-z_\-/]|\.(?:$|[^0-9]))"  # not followed by a digit/letter, '.5' or '-'
_BEFORE_ID = r"(?:^|[^0-9A-Za-z_\-+/=])"
_AFTER_ID = r"(?:$|[^0-9A-Za-z_\-+/=])"
#: before a prefixed token: anything but a letter or digit (``KEY=AKIA...``, ``"ghp_..."``, ``s3://AKIA...``); a
#: token inside a longer base64 blob is still refused by the boundary after it
_BEFORE_TOKEN = r"(?:^|[^0-9A-Za-z])"  # noqa: S105 - a regex, not a password
#: after an AWS key id: also ``/`` (SigV4 ``Credential=AKIA.../20240101/...``), ``_`` and ``-``
_AFTER_AWS = r"(?:$|[^0-9A-Za-z+=])"

_CARD_KW = (
    "card",
    "credit",
    "debit",
    "visa",
    "mastercard",
    "master card",
    "amex",
    "american express",
    "discover",
    "jcb",
    "diners",
    "unionpay",
    "maestro",
    "cc",
    "ccn",
    "pan",
    "payment",
    "karte",
    "kreditkarte",
    "carte",
    "tarjeta",
    "carta",
    "cartão",
    "kaart",
    "卡",
    "カード",
)
_SSN_KW = ("ssn", "social security", "soc sec", "ss#", "ss #", "ssa", "tin", "taxpayer", "itin", "tax id")
_IBAN_KW = ("iban", "account", "bank", "konto", "compte", "cuenta", "conto", "rekening", "wire", "transfer", "swift")
#: proximity keywords of phone numbers (validated by ``phonenumbers`` in the detector)
PHONE_KEYWORDS = (
    "phone",
    "tel",
    "telephone",
    "mobile",
    "cell",
    "fax",
    "call",
    "contact",
    "contat",
    "reach",
    "sms",
    "whatsapp",
    "telefon",
    "handy",
    "téléphone",
    "portable",
    "teléfono",
    "móvil",
    "telefono",
    "cellulare",
    "telefone",
    "celular",
    "電話",
    "电话",
    "手机",
    "携帯",
    "連絡",
    "ring",
    "rufen",
    "anrufen",
    "rückruf",
    "appel",
    "appelez",
    "llám",
    "llama",
    "chiama",
    "bel",
    "bellen",
    "ligue",
    "ligar",
)
#: ``scheme://user:`` right before an ``x@host``: that is a password in a URL, not an e-mail address
_URL_USERINFO = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s/@]*:$")
#: letters of other scripts in e-mail addresses: Latin extended, Greek, Cyrillic, kana, CJK, Hangul (not the
#: full-width and CJK punctuation around them)
_INTL = r"\x{C0}-\x{24F}\x{370}-\x{52F}\x{3040}-\x{30FF}\x{4E00}-\x{9FFF}\x{AC00}-\x{D7AF}"
_VERSION_KW = ("version", "ver", "release", "build", "oid", "v", "rev", "firmware", "sdk")
_IP_KW = ("ip", "address", "host", "server", "client", "addr", "inet", "gateway", "dns")

_D = r"[0-9]"

FINANCIAL: tuple[Pattern, ...] = (
    Pattern(
        "credit_card",
        "Credit Card Number",
        "financial",
        _NB_DIGIT + r"(?P<v>[0-9]{4}(?:[ \-]?[0-9]){8,15})" + _NA_DIGIT,
        base="medium",
        keywords=_CARD_KW,
        validate=checks.credit_card,
        needs_digits=True,
        retry_prefixes=20,  # longer than 4-4-4-4: a trailing group may have been captured
    ),
    Pattern(
        "iban",
        "Bank - IBAN",
        "financial",
        r"(?i)(?:^|[^0-9A-Za-z])(?P<v>[A-Z]{2}[0-9]{2}(?:[ ]?[A-Z0-9]){11,30})(?:$|[^0-9A-Za-z])",
        base="medium",
        keywords=_IBAN_KW,
        validate=checks.iban,
        needs_digits=True,
        retry_prefixes=0,
    ),
    Pattern(
        "aba_routing",
        "Bank - US ABA Routing Number",
        "financial",
        _NB_DIGIT + r"(?P<v>[0-9]{9})" + _NA_DIGIT,
        base="low",
        keywords=("routing", "aba", "rtn", "transit", "bank", "ach", "wire"),
        validate=checks.aba_routing,
        needs_digits=True,
    ),
)

NATIONAL_ID: tuple[Pattern, ...] = (
    Pattern(
        "us_ssn",
        "National Id - US Social Security Number - SSN",
        "national_id",
        _NB_DIGIT + r"(?P<v>[0-9]{3}([ \-]?)[0-9]{2}([ \-]?)[0-9]{4})" + _NA_DIGIT,
        base="medium",
        keywords=_SSN_KW,
        validate=lambda v: checks.us_ssn(v) and ("medium" if "-" in v else "low"),
        needs_digits=True,
    ),
    Pattern(
        "us_itin",
        "Tax Id - US - ITIN",
        "national_id",
        _NB_DIGIT + r"(?P<v>9[0-9]{2}([ \-]?)[0-9]{2}([ \-]?)[0-9]{4})" + _NA_DIGIT,
        keywords=("itin", "taxpayer", "tax id", "tin", "individual taxpayer"),
        validate=lambda v: checks.us_itin(v) and ("medium" if "-" in v else "low"),
        needs_digits=True,
    ),
    Pattern(
        "uk_nino",
        "National Id - UK National Insurance Number - NINO",
        "national_id",
        r"(?i)\b(?P<v>[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D])\b",
        base="low",
        keywords=("national insurance", "nino", "ni number", "ni no", "nin"),
        validate=checks.uk_nino,
        needs_digits=True,
    ),
    Pattern(
        "de_idnr",
        "Tax Id - Germany - Steuer-ID",
        "national_id",
        _NB_DIGIT + r"(?P<v>[1-9][0-9](?: ?[0-9]){9})" + _NA_DIGIT,
        base="low",
        keywords=("steuer", "identifikationsnummer", "idnr", "tax id", "steuerid", "tin"),
        validate=checks.stdnum_check("de_idnr"),
        needs_digits=True,
    ),
    Pattern(
        "fr_nir",
        "National Id - France - NIR",
        "national_id",
        _NB_DIGIT + r"(?P<v>[12] ?[0-9]{2} ?[0-9]{2} ?[0-9][0-9AB] ?[0-9]{3} ?[0-9]{3} ?[0-9]{2})" + _NA_DIGIT,
        base="low",
        keywords=("sécurité sociale", "securite sociale", "nir", "insee", "numéro de sécu", "social security"),
        validate=checks.stdnum_check("fr_nir"),
        needs_digits=True,
    ),
    Pattern(
        "es_dni",
        "National Id - Spain - DNI",
        "national_id",
        r"(?i)\b(?P<v>[0-9]{8}-?[A-Z])\b",
        base="medium",
        keywords=("dni", "nif", "documento", "identidad"),
        validate=checks.stdnum_check("es_dni"),
        needs_digits=True,
    ),
    Pattern(
        "es_nie",
        "National Id - Spain - NIE",
        "national_id",
        r"(?i)\b(?P<v>[XYZ]-?[0-9]{7}-?[A-Z])\b",
        base="medium",
        keywords=("nie", "extranjero", "identidad"),
        validate=checks.stdnum_check("es_nie"),
        needs_digits=True,
    ),
    Pattern(
        "it_cf",
        "National Id - Italy - Codice Fiscale",
        "national_id",
        r"(?i)\b(?P<v>[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPR-T][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z])\b",
        base="medium",
        keywords=("codice fiscale", "cf", "fiscal code", "tax code"),
        validate=checks.stdnum_check("it_cf"),
        needs_digits=True,
    ),
    Pattern(
        "nl_bsn",
        "National Id - Netherlands - BSN",
        "national_id",
        _NB_DIGIT + r"(?P<v>[0-9]{4}\.?[0-9]{2}\.?[0-9]{3})" + _NA_DIGIT,
        base="low",
        keywords=("bsn", "burgerservicenummer", "sofinummer", "sofi"),
        validate=checks.stdnum_check("nl_bsn"),
        needs_digits=True,
    ),
    Pattern(
        "in_aadhaar",
        "National Id - India - Aadhaar",
        "national_id",
        _NB_DIGIT + r"(?P<v>[2-9][0-9]{3}([ \-]?)[0-9]{4}([ \-]?)[0-9]{4})" + _NA_DIGIT,
        base="low",
        keywords=("aadhaar", "aadhar", "uidai", "आधार"),
        validate=checks.stdnum_check("in_aadhaar"),
        needs_digits=True,
    ),
    Pattern(
        "in_pan",
        "Tax Id - India - PAN",
        "national_id",
        r"\b(?P<v>[A-Z]{3}[ABCFGHJLPT][A-Z][0-9]{4}[A-Z])\b",
        base="low",
        keywords=("pan", "permanent account", "income tax"),
        validate=checks.stdnum_check("in_pan"),
        needs_digits=True,
    ),
    Pattern(
        "br_cpf",
        "National Id - Brazil - CPF",
        "national_id",
        _NB_DIGIT + r"(?P<v>[0-9]{3}\.?[0-9]{3}\.?[0-9]{3}-?[0-9]{2})" + _NA_DIGIT,
        base="low",
        keywords=("cpf", "cadastro de pessoas"),
        validate=lambda v: checks.stdnum_check("br_cpf")(v) and ("medium" if "." in v and "-" in v else "low"),
        top="medium",
        needs_digits=True,
    ),
    Pattern(
        "br_cnpj",
        "Tax Id - Brazil - CNPJ",
        "national_id",
        _NB_DIGIT + r"(?P<v>[0-9]{2}\.?[0-9]{3}\.?[0-9]{3}/?[0-9]{4}-?[0-9]{2})" + _NA_DIGIT,
        base="low",
        keywords=("cnpj", "cadastro nacional"),
        validate=lambda v: checks.stdnum_check("br_cnpj")(v) and ("medium" if "/" in v else "low"),
        top="medium",
        needs_digits=True,
    ),
    Pattern(
        "ca_sin",
        "National Id - Canada - SIN",
        "national_id",
        _NB_DIGIT + r"(?P<v>[1-79][0-9]{2}([ \-]?)[0-9]{3}([ \-]?)[0-9]{3})" + _NA_DIGIT,
        base="low",
        keywords=("sin", "social insurance", "assurance sociale", "nas"),
        validate=checks.stdnum_check("ca_sin"),
        needs_digits=True,
    ),
    Pattern(
        "au_tfn",
        "Tax Id - Australia - TFN",
        "national_id",
        _NB_DIGIT + r"(?P<v>[0-9]{3} ?[0-9]{3} ?[0-9]{2,3})" + _NA_DIGIT,
        base="low",
        keywords=("tfn", "tax file"),
        validate=checks.stdnum_check("au_tfn"),
        needs_digits=True,
    ),
    Pattern(
        "cn_ric",
        "National Id - China - Resident Identity Card",
        "national_id",
        _NB_DIGIT + r"(?P<v>[1-9][0-9]{16}[0-9Xx])" + _NA_DIGIT,
        base="medium",
        keywords=("身份证", "居民身份", "resident identity", "id card", "ric"),
        validate=checks.stdnum_check("cn_ric"),
        needs_digits=True,
    ),
)

CONTACT: tuple[Pattern, ...] = (
    Pattern(
        "email",
        "Email Address",
        "contact",
        # internationalised addresses (RFC 6531): letters of other scripts in the local part and domain labels
        r"(?:^|[^A-Za-z0-9._%+\-"
        + _INTL
        + r"])(?P<v>[A-Za-z0-9_%+\-"
        + _INTL
        + r"](?:[A-Za-z0-9._%+\-"
        + _INTL
        + r"]{0,62}[A-Za-z0-9_%+\-"
        + _INTL
        + r"])?@(?:[A-Za-z0-9"
        + _INTL
        + r"](?:[A-Za-z0-9\-"
        + _INTL
        + r"]{0,61}"
        r"[A-Za-z0-9" + _INTL + r"])?\.){1,8}[A-Za-z]{2,24})\b",
        base="medium",
        keywords=("email", "e-mail", "mail", "contact", "courriel", "correo", "address"),
        validate=lambda v: ".." not in v,
        literals=("@",),
        match_check=lambda before: _URL_USERINFO.search(before) is None,
    ),
    # phone numbers are validated by ``phonenumbers`` in the detector (see ``detector._phones``)
)

NETWORK: tuple[Pattern, ...] = (
    Pattern(
        "ipv4",
        "IP Address",
        "network",
        r"(?:^|[^0-9A-Za-z.\-_])(?P<v>(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|"
        r"1[0-9]{2}|[1-9]?[0-9])){3})(?:/[0-9]{1,2})?(?:$|[^0-9A-Za-z.\-_]|\.(?:$|[^0-9A-Za-z]))",
        base="medium",
        keywords=_IP_KW,
        literals=(".",),
        needs_digits=True,
        validate=checks.ip_address,
        anti_keywords=_VERSION_KW,
    ),
    Pattern(
        "ipv6",
        "IP Address",
        "network",
        r"(?:^|[^0-9A-Za-z:.])(?P<v>(?:[0-9A-Fa-f]{1,4}:){1,7}:?(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?"
        r"(?:%[0-9A-Za-z]{1,15})?)(?:$|[^0-9A-Za-z:.]|\.(?:$|[^0-9A-Za-z]))",
        base="medium",
        keywords=_IP_KW,
        literals=(":",),
        validate=checks.ip_address,
    ),
)


def _s(name: str, entity: str, regex: str, literals: tuple[str, ...], **kw: object) -> Pattern:
    return Pattern(name, "Secret - " + entity, "secret", regex, literals=literals, **kw)  # type: ignore[arg-type]


_CRED_KEYS = (
    r"(?:password|passwd|passphrase|pwd|pass|secret|secret[_\-.]?key|api[_\-.]?key|apikey|api[_\-.]?token|"
    r"access[_\-.]?key|access[_\-.]?token|auth[_\-.]?token|authtoken|bearer[_\-.]?token|refresh[_\-.]?token|"
    r"client[_\-.]?secret|private[_\-.]?key|credentials?|token|auth)"
)
_GENERIC_KV = (
    r"(?i)(?:^|[^A-Za-z0-9])(?:[A-Za-z0-9]{1,20}[_\-.]?)?" + _CRED_KEYS + r"(?:[_\-.][A-Za-z0-9]{1,12})?"
    r"[\"'\]]?[ \t]{0,4}(?::=|=>|==|=|:|->)[ \t]{0,4}(?:[\"'`]|b[\"'])?(?P<v>[^\s\"'`<>;,(){}\[\]]{8,200})"
)

_NOT_SECRET_KEY = re.compile(
    r"(?i)(?:public|pub|csrf|xsrf|length|size|len|name|file|path|url|uri|id|type|format|field|prefix|header|count)"
    r"[_\-.]?(?:key|token|secret)|(?:key|token|secret|password)[_\-.]?(?:length|size|len|name|file|path|url|id|type|"
    r"field|prefix|count|min|max|hint|policy|label|placeholder)|credentials?[_\-.]?(?:id|name|file|path|url|type)"
)

#: providers whose tokens have no fixed prefix: a value is only taken when the provider names the key
#: (``SNYK_TOKEN=...``, ``"datadogApiKey": ...``). The gitleaks keyword-anchored rules, detect-secrets' keyword
#: plugins (IBM, Cloudant, Softlayer) and a few more; two-word names are written joined (``messagebird``).
PROVIDER_NAMES: tuple[str, ...] = tuple(
    """
    adafruit adobe airtable algolia alibaba asana atlassian beamer bitbucket bittrex circleci cloudant cloudflare
    codecov cohere coinbase confluence confluent contentful datadog digitalocean discord droneci dropbox etsy
    facebook fastly finicity finnhub flickr freshbooks gitter gocardless heroku hubspot ibm intercom jfrog
    artifactory bintray jira kraken kucoin launchdarkly linear linkedin lob mailgun mapbox mattermost meraki
    messagebird mixpanel netlify newrelic nytimes okta pagerduty plaid privateai rapidapi segment sendbird sentry
    snyk softlayer sonar sourcegraph squarespace sumo sumologic telegram travis twitch twitter typeform vercel
    yandex zendesk
    """.split()
)
_PROVIDERS = frozenset(PROVIDER_NAMES)
#: how the names are spelled in keys (the regex prefix): joined, or with ``_``/``-``/``.`` between the two words
_PROVIDER_SPELLINGS: tuple[str, ...] = PROVIDER_NAMES + (
    "message_bird",
    "message-bird",
    "new_relic",
    "new-relic",
    "linked_in",
    "linked-in",
    "private_ai",
    "private-ai",
    "launch_darkly",
    "digital_ocean",
)
_KEY_TOKENS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?:[a-z]+)?|[0-9]+")


_ASSIGNED_KEY = re.compile(
    r"([A-Za-z0-9_.\-]{1,80})[\"'\]]?[ \t]*(?:::?=|\?=|:=|=>|==|=|:|->)[ \t]*(?:[\"'`]|b[\"'])?$"
)
_CRED_WORDS = (
    "password passwd passphrase pwd pass secret secretkey apikey apitoken accesskey accesstoken authtoken "
    "bearertoken refreshtoken clientsecret privatekey credential credentials token auth key"
).split()
_COMPOUND_PREFIXES = frozenset(
    {
        "",
        "api",
        "access",
        "secret",
        "auth",
        "private",
        "client",
        "refresh",
        "bearer",
        "app",
        "session",
        "master",
        "admin",
        "root",
        "db",
        "user",
        "service",
        "signing",
        "encryption",
    }
)


#: unambiguous credential words that may follow any prefix glued to them (``PGPASSWORD``, ``mysqlpasswd``)
_ANY_PREFIX_WORDS = frozenset({"password", "passwd", "passphrase"})


def _key_of(before: str) -> str | None:
    m = _ASSIGNED_KEY.search(before)
    return None if m is None else str(m.group(1))


def _secret_key_name(before: str) -> bool:
    """The assigned key names a credential (``db_password``, ``apiKey``; not ``public_key``, ``jsonwebtoken``)."""
    key = _key_of(before)
    if key is None or _NOT_SECRET_KEY.search(key) is not None:
        return False
    words = _KEY_TOKENS.findall(key)
    if not words:
        return False
    last = words[-1].lower()
    for w in _CRED_WORDS:
        if last.endswith(w) and (last[: -len(w)] in _COMPOUND_PREFIXES or w in _ANY_PREFIX_WORDS):
            return True
    return False


def _provider_token_key(before: str) -> bool:
    """The provider name is a whole word of the key (``SNYK_TOKEN``, ``messageBirdKey``; not ``sumOfExposures``)."""
    key = _key_of(before)
    if key is None:
        return False
    words = [w.lower() for w in _KEY_TOKENS.findall(key)]
    pairs = {a + b for a, b in zip(words, words[1:], strict=False)}
    return bool(_PROVIDERS & (set(words) | pairs))


def _token(
    name: str,
    entity: str,
    body: str,
    literals: tuple[str, ...],
    *,
    skip: int = 0,
    min_entropy: float = 3.0,
    **kw: object,
) -> Pattern:
    """A provider token with a fixed, distinctive prefix: ``body`` between token boundaries, the part after the
    first ``skip`` characters checked for randomness (so ``shpat_`` + 32 zeros or ``lin_api_`` + a word is refused)."""

    def ok(value: str) -> bool:
        return checks.looks_random(value[skip:], min_entropy, 8)

    kw.setdefault("base", "high")
    kw.setdefault("validate", ok)
    return _s(name, entity, _BEFORE_TOKEN + r"(?P<v>" + body + r")" + _AFTER_ID, literals, **kw)


SECRET: tuple[Pattern, ...] = (
    _s(
        "aws_access_key_id",
        "AWS Access Key ID",
        _BEFORE_TOKEN
        + r"(?P<v>(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16})"
        + _AFTER_AWS,
        ("A3T", "AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "APKA"),
        base="high",
        validate=checks.aws_key_id,
    ),
    _s(
        "aws_secret_access_key",
        "AWS Secret Access Key",
        r"(?i)aws.{0,24}?(?:secret|key).{0,24}?[\"'=: \t]{1,6}(?P<v>[A-Za-z0-9/+]{40})" + _AFTER_ID,
        ("aws",),
        ci=True,
        base="high",
        validate=_random(4.0, 40),
    ),
    _s(
        "aws_bedrock_key",
        "AWS Bedrock API Key",
        r"(?P<v>(?:ABSK[A-Za-z0-9+/]{109,269}={0,2}|bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t))" + _AFTER_ID,
        ("ABSK", "bedrock-api-key-"),
        base="high",
        validate=lambda v: "EXAMPLE" not in v,
    ),
    _s(
        "github_token",
        "GitHub Token",
        _BEFORE_TOKEN
        + r"(?P<v>(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}))"
        + _AFTER_ID,
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        base="high",
        validate=_random(3.0, 20),
    ),
    _s(
        "gitlab_token",
        "GitLab Token",
        # personal/OAuth/deploy/runner/CI job/trigger/feed/mail/agent/SCIM/feature-flag tokens (routable ones carry a
        # ``.xx<7>`` suffix), runner registration tokens and session cookies
        r"(?P<v>\b(?:glpat|gloas|gldt|glrt|glcbt|glptt|glft|glimt|glagent|glsoat|glffct)-[A-Za-z0-9_\-]{20,300}"
        r"(?:\.[0-9a-z]{9})?|\bGR1348941[A-Za-z0-9_\-]{20}|_gitlab_session=[0-9a-z]{32})" + _AFTER_ID,
        (
            "glpat-",
            "gloas-",
            "gldt-",
            "glrt-",
            "glcbt-",
            "glptt-",
            "glft-",
            "glimt-",
            "glagent-",
            "glsoat-",
            "glffct-",
            "GR1348941",
            "_gitlab_session=",
        ),
        base="high",
        validate=_random(3.0, 20),
    ),
    _s(
        "slack_token",
        "Slack Token",
        r"\b(?P<v>xoxb-[0-9]{10,13}-[0-9]{10,13}[A-Za-z0-9\-]*|xox[pe](?:-[0-9]{10,13}){3}-[A-Za-z0-9\-]{28,34}|"
        r"xapp-[0-9]-[A-Z0-9]+-[0-9]+-[A-Za-z0-9]+|xoxe\.xox[bp]-[0-9]-[A-Za-z0-9]{100,200}|xoxe-[0-9]-[A-Za-z0-9]{100,200}|"
        r"xox[os]-[0-9]+-[0-9]+-[0-9]+-[A-Fa-f0-9]+|xox[abprs]-(?:[0-9]+-){1,4}[A-Za-z0-9]{10,48})" + _AFTER_ID,
        ("xox", "xapp-"),
        base="high",
        validate=_random(3.0, 20),
    ),
    _s(
        "slack_webhook",
        "Slack Webhook URL",
        r"(?i)(?P<v>(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\-]{40,})",
        ("hooks.slack.com",),
        ci=True,
        base="high",
        validate=lambda v: not checks.is_masked(v.rsplit("/", 1)[-1]),
    ),
    _s(
        "stripe_key",
        "Stripe API Key",
        r"\b(?P<v>(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,247})" + _AFTER_ID,
        ("sk_", "rk_"),
        base="high",
        validate=lambda v: checks.looks_random(v[8:], 3.0, 10) and ("medium" if "_test_" in v else True),
    ),
    _s(
        "google_api_key",
        "Google API Key",
        r"\b(?P<v>AIza[0-9A-Za-z_\-]{35})" + _AFTER_ID,
        ("AIza",),
        base="high",
        validate=_random(3.5, 39),
    ),
    _s(
        "gcp_service_account",
        "Google Cloud Service Account Key",
        r"(?P<v>\"type\"\s*:\s*\"service_account\")",
        ("service_account",),
        base="high",
    ),
    _s(
        "openai_key",
        "OpenAI API Key",
        r"\b(?P<v>sk-(?:(?:proj|svcacct|admin)-)?(?:[A-Za-z0-9_\-]{20,74}T3BlbkFJ[A-Za-z0-9_\-]{20,74}|"
        r"[A-Za-z0-9]{48}|(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,200}))" + _AFTER_ID,
        ("sk-",),
        base="high",
        validate=_random(3.5, 40),
    ),
    _s(
        "anthropic_key",
        "Anthropic API Key",
        r"\b(?P<v>sk-ant-(?:api03|admin01)-[A-Za-z0-9_\-]{93}AA)" + _AFTER_ID,
        ("sk-ant-",),
        base="high",
        validate=_random(4.0, 40),
    ),
    _s(
        "twilio_key",
        "Twilio API Key",
        r"\b(?P<v>(?:SK|AC)[0-9a-fA-F]{32})\b",
        ("SK", "AC"),
        base="medium",
        keywords=("twilio", "api_key", "apikey", "sid", "secret"),
        validate=_random(3.0, 34),
    ),
    _s(
        "sendgrid_key",
        "SendGrid API Key",
        r"\b(?P<v>SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})" + _AFTER_ID,
        ("SG.",),
        base="high",
    ),
    _s("npm_token", "npm Access Token", r"\b(?P<v>npm_[A-Za-z0-9]{36})\b", ("npm_",), base="high", validate=_random()),
    _s(
        "pypi_token",
        "PyPI Upload Token",
        r"\b(?P<v>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,})",
        ("pypi-",),
        base="high",
    ),
    _s(
        "azure_storage_key",
        "Azure Storage Account Key",
        r"(?i)(?:AccountKey|azure[_\-.]?storage[_\-.]?(?:account[_\-.]?)?key)[\"']?\s*[=:]\s*[\"']?"
        r"(?P<v>[A-Za-z0-9+/]{86}==)|(?i)SharedAccessKey[ \t]*=[ \t]*(?P<v2>[A-Za-z0-9+/]{43}=)",
        ("accountkey", "azure", "sharedaccesskey"),
        ci=True,
        base="high",
    ),
    _s(
        "azure_ad_client_secret",
        "Azure AD Client Secret",
        r"(?:^|[\\'\"\x60\s>=:(,)])(?P<v>[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.\-]{31,34})(?:$|[\\'\"\x60\s<),])",
        ("Q~",),
        base="high",
        validate=_random(3.5, 30),
    ),
    _s(
        "huggingface_token",
        "Hugging Face Token",
        r"\b(?P<v>(?:hf_|api_org_)[A-Za-z]{34})\b",
        ("hf_", "api_org_"),
        base="high",
        validate=lambda v: checks.looks_random(v.split("_")[-1], 3.5, 30),
    ),
    _s(
        "jwt",
        "JSON Web Token",
        r"\b(?P<v>ey[A-Za-z0-9_\-]{10,}\.ey[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*)",
        ("eyJ", "eyA"),  # base64url of '{"' / '{ ': a JSON header
        base="high",
        validate=checks.jwt,
    ),
    _s(
        "private_key",
        "Private Key",
        r"(?P<v>-----BEGIN[ A-Z0-9_\-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
        r"-----END[ A-Z0-9_\-]{0,100}PRIVATE KEY(?: BLOCK)?-----)",
        ("PRIVATE KEY",),
        base="high",
        validate=lambda v: checks.entropy(v) > 4.0 and len(v) > 120,
    ),
    _s(
        "age_secret_key",
        "age Secret Key",
        r"\b(?P<v>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b",
        ("AGE-SECRET-KEY-",),
        base="high",
    ),
    _s(
        "perplexity_key",
        "Perplexity API Key",
        r"\b(?P<v>pplx-[A-Za-z0-9]{48})" + _AFTER_ID,
        ("pplx-",),
        base="high",
        validate=_random(3.5, 40),
    ),
    _s(
        "atlassian_token",
        "Atlassian API Token",
        r"\b(?P<v>ATATT3[A-Za-z0-9_\-=]{186})",
        ("ATATT3",),
        base="high",
    ),
    _s(
        "facebook_token",
        "Facebook Access Token",
        r"\b(?P<v>EAA[MC][A-Za-z0-9]{100,}|[0-9]{15,16}(?:\||%7C)[0-9A-Za-z\-_]{27,40})",
        ("EAA", "|", "%7C"),
        base="high",
        validate=_random(3.5, 40),
    ),
    _s(
        "databricks_token",
        "Databricks API Token",
        r"\b(?P<v>dapi[a-f0-9]{32}(?:-[0-9])?)\b",
        ("dapi",),
        base="high",
        validate=_random(3.0, 36),
    ),
    _s(
        "hashicorp_vault_token",
        "HashiCorp Vault Token",
        r"\b(?P<v>hv[sb]\.[A-Za-z0-9_\-]{90,300}|s\.[A-Za-z0-9]{24})\b",
        ("hvs.", "hvb.", "s."),
        base="high",
        validate=_both(_random(3.5, 24), lambda v: any(c.isdigit() for c in v) and not v[2:].isupper()),
    ),
    _s(
        "terraform_token",
        "Terraform Cloud API Token",
        r"(?i)\b(?P<v>[a-z0-9]{14}\.atlasv1\.[a-z0-9\-_=]{60,70})\b",
        ("atlasv1",),
        ci=True,
        base="high",
        validate=_random(3.5, 60),
    ),
    _s(
        "grafana_token",
        "Grafana Token",
        r"\b(?P<v>glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|eyJrIjoi[A-Za-z0-9]{70,400}={0,2})",
        ("glc_", "glsa_", "eyJrIjoi"),
        base="high",
        validate=_random(3.5, 40),
    ),
    _s(
        "openshift_token",
        "OpenShift User Token",
        r"\b(?P<v>sha256~[A-Za-z0-9_\-]{43})" + _AFTER_ID,
        ("sha256~",),
        base="high",
        validate=lambda v: checks.looks_random(v[7:], 3.5, 40),
    ),
    _s(
        "square_token",
        "Square Access Token",
        r"\b(?P<v>(?:EAAA|sq0atp-|sq0csp-)[A-Za-z0-9_\-]{22,60})" + _AFTER_ID,
        ("EAAA", "sq0"),
        base="high",
        validate=_random(3.5, 26),
    ),
    _s(
        "sourcegraph_token",
        "Sourcegraph Access Token",
        r"\b(?P<v>sgp_(?:[a-fA-F0-9]{16}|local)_[a-fA-F0-9]{40}|sgp_[a-fA-F0-9]{40})\b",
        ("sgp_",),
        base="high",
        validate=_random(3.0, 40),
    ),
    _s(
        "notion_token",
        "Notion API Token",
        r"\b(?P<v>ntn_[0-9]{11}[A-Za-z0-9]{35})\b",
        ("ntn_",),
        base="high",
        validate=_random(3.5, 40),
    ),
    _s(
        "flyio_token",
        "Fly.io Access Token",
        r"\b(?P<v>fo1_[A-Za-z0-9_\-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,}={0,3})",
        ("fo1_", "fm1", "fm2"),
        base="high",
        validate=_random(3.5, 40),
    ),
    _s(
        "onepassword_token",
        "1Password Service Account Token",
        r"\b(?P<v>ops_eyJ[A-Za-z0-9+/]{250,}={0,3}|A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})"
        r"-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})\b",
        ("ops_eyJ", "A3-"),
        base="high",
        validate=_random(3.5, 30),
    ),
    _s(
        "clickhouse_key",
        "ClickHouse Cloud API Secret Key",
        r"\b(?P<v>4b1d[A-Za-z0-9]{38})\b",
        ("4b1d",),
        base="high",
        validate=_random(3.5, 40),
    ),
    _s(
        "maxmind_key",
        "MaxMind License Key",
        r"\b(?P<v>[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk)\b",
        ("_mmk",),
        base="high",
        validate=_random(3.5, 40),
    ),
    _s(
        "sidekiq_secret",
        "Sidekiq Credentials",
        r"(?i)(?P<v>[a-f0-9]{8}:[a-f0-9]{8})(?:@(?:gems|enterprise)\.contribsys\.com|\b)",
        ("contribsys",),
        ci=True,
        base="high",
    ),
    _s(
        "sentry_token",
        "Sentry Token",
        r"\b(?P<v>sntrys_eyJ[A-Za-z0-9+/=_\-]{60,}|sntryu_[a-f0-9]{64})",
        ("sntry",),
        base="high",
    ),
    _s(
        "intra42_secret",
        "Intra42 Client Secret",
        r"\b(?P<v>s-s4t2(?:ud|af)-[a-f0-9]{64})\b",
        ("s-s4t2",),
        base="high",
    ),
    _s(
        "scalingo_token",
        "Scalingo API Token",
        r"\b(?P<v>tk-us-[A-Za-z0-9_\-]{48})\b",
        ("tk-us-",),
        base="high",
        validate=_random(3.5, 40),
    ),
    _s(
        "infracost_token",
        "Infracost API Token",
        r"(?:^|[^0-9A-Za-z_.\-/])(?P<v>ico-[A-Za-z0-9]{32})\b",
        ("ico-",),
        base="high",
        validate=_random(3.5, 30),
    ),
    _s(
        "octopus_key",
        "Octopus Deploy API Key",
        r"\b(?P<v>API-[A-Z0-9]{26})\b",
        ("API-",),
        base="high",
        validate=_both(_random(3.5, 26), lambda v: sum(c.isdigit() for c in v) >= 3),
    ),
    _s(
        "heroku_key",
        "Heroku API Key",
        r"\b(?P<v>HRKU-AA[0-9A-Za-z_\-]{58})\b",
        ("HRKU-",),
        base="high",
        validate=_random(3.5, 40),
    ),
    _s(
        "mailchimp_key",
        "Mailchimp API Key",
        r"\b(?P<v>[0-9a-f]{32}-us[0-9]{1,2})\b",
        ("-us",),
        base="high",
        validate=_random(3.0, 32),
    ),
    _s(
        "clojars_token",
        "Clojars Deploy Token",
        r"(?i)\b(?P<v>CLOJARS_[a-z0-9]{60})\b",
        ("clojars_",),
        ci=True,
        base="high",
        validate=_random(3.0, 60),
    ),
    _s(
        "sonar_token",
        "SonarQube Token",
        r"\b(?P<v>sq[upa]_[a-f0-9]{40})\b",
        ("squ_", "sqp_", "sqa_"),
        base="high",
        validate=_random(3.0, 40),
    ),
    _s(
        "cloudflare_origin_ca_key",
        "Cloudflare Origin CA Key",
        r"\b(?P<v>v1\.0-[a-f0-9]{24}-[a-f0-9]{146})\b",
        ("v1.0-",),
        base="high",
        validate=_random(3.0, 100),
    ),
    # -- prefixed provider tokens (gitleaks / detect-secrets families; formats from the providers' docs) --
    _token("aiven_token", "Aiven Token", r"AVNS_[A-Za-z0-9_]{16,60}", ("AVNS_",), skip=5),
    _token(
        "defined_networking_token",
        "Defined Networking API Token",
        r"dnkey-[A-Za-z0-9=_\-]{26}-[A-Za-z0-9=_\-]{52}",
        ("dnkey-",),
        skip=6,
    ),
    _token(
        "jwt_base64",
        "JSON Web Token",
        r"ZXlK[A-Za-z0-9+/]{60,1000}={0,2}",
        ("ZXlK",),
        validate=checks.base64_jwt,
    ),
    _token("adobe_client_secret", "Adobe Client Secret", r"p8e-[A-Za-z0-9]{32}", ("p8e-",), skip=4),
    _token("alibaba_access_key_id", "Alibaba Cloud AccessKey ID", r"LTAI[A-Za-z0-9]{20}", ("LTAI",), skip=4),
    _token(
        "artifactory_token",
        "JFrog Artifactory Token",
        r"AKCp[A-Za-z0-9]{69}|cmVmd[A-Za-z0-9]{59}",
        ("AKCp", "cmVmd"),
        skip=5,
        min_entropy=4.0,
    ),
    _token("digitalocean_token", "DigitalOcean Token", r"do[opr]_v1_[a-f0-9]{64}", ("_v1_",), skip=7),
    _token(
        "doppler_token",
        "Doppler API Token",
        r"dp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_\-]{2,35}\.)?[A-Za-z0-9]{40,44}",
        ("dp.",),
        skip=6,
    ),
    _token("duffel_token", "Duffel API Token", r"duffel_(?:test|live)_[A-Za-z0-9_\-=]{43}", ("duffel_",), skip=12),
    _token("dynatrace_token", "Dynatrace API Token", r"dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}", ("dt0c01.",), skip=7),
    _token("easypost_token", "EasyPost API Token", r"EZ[AT]K[A-Za-z0-9]{54}", ("EZAK", "EZTK"), skip=4),
    _token(
        "flutterwave_key",
        "Flutterwave Key",
        r"FLW(?:SECK|PUBK)_TEST-[a-hA-H0-9]{32}-X|FLWSECK_TEST-[a-hA-H0-9]{12}",
        ("FLW",),
        skip=13,
        min_entropy=2.5,
    ),
    _token("frameio_token", "Frame.io API Token", r"fio-u-[A-Za-z0-9_\-=]{64}", ("fio-u-",), skip=6),
    _token(
        "harness_token",
        "Harness Access Token",
        r"(?:pat|sat)\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}",
        ("pat.", "sat."),
        skip=4,
    ),
    _token("linear_key", "Linear API Key", r"lin_api_[A-Za-z0-9]{40}", ("lin_api_",), skip=8),
    _token("mapbox_token", "Mapbox Token", r"[ps]k\.eyJ1[A-Za-z0-9_\-]{20,}\.[A-Za-z0-9_\-]{20,}", ("k.eyJ1",), skip=3),
    _token(
        "newrelic_key",
        "New Relic Key",
        r"NRAK-[A-Z0-9]{27}|NRJS-[a-f0-9]{19}|NRII-[A-Za-z0-9\-]{32}",
        ("NRAK-", "NRJS-", "NRII-"),
        skip=5,
    ),
    _token(
        "planetscale_token",
        "PlanetScale Token",
        r"pscale_(?:tkn|oauth|pw)_[A-Za-z0-9_=.\-]{32,64}",
        ("pscale_",),
        skip=11,
    ),
    _token("postman_token", "Postman API Token", r"PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}", ("PMAK-",), skip=5),
    _token("prefect_token", "Prefect API Token", r"pnu_[A-Za-z0-9]{36}", ("pnu_",), skip=4),
    _token("pulumi_token", "Pulumi Access Token", r"pul-[a-f0-9]{40}", ("pul-",), skip=4),
    _token("readme_token", "ReadMe API Token", r"rdme_[a-z0-9]{70}", ("rdme_",), skip=5),
    _token("rubygems_token", "RubyGems API Token", r"rubygems_[a-f0-9]{48}", ("rubygems_",), skip=9),
    _token(
        "sendinblue_key", "Brevo (Sendinblue) API Key", r"xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}", ("xkeysib-",), skip=8
    ),
    _token("settlemint_token", "SettleMint Token", r"sm_(?:aat|pat|sat)_[A-Za-z0-9]{16}", ("sm_",), skip=7),
    _token("shippo_token", "Shippo API Token", r"shippo_(?:live|test)_[a-fA-F0-9]{40}", ("shippo_",), skip=12),
    _token("shopify_token", "Shopify Token", r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}", ("shp",), skip=6),
    _token("typeform_token", "Typeform API Token", r"tfp_[A-Za-z0-9_\-.=]{59}", ("tfp_",), skip=4),
    _token(
        "yandex_token",
        "Yandex Cloud Token",
        r"AQVN[A-Za-z0-9_\-]{35,38}|t1\.[A-Za-z0-9_\-]+={0,2}\.[A-Za-z0-9_\-]{86}={0,2}",
        ("AQVN", "t1."),
        skip=4,
    ),
    _token(
        "authress_key",
        "Authress Service Client Access Key",
        r"(?:sc|ext|scauth|authress)_[a-z0-9]{5,30}\.[a-z0-9]{4,6}\.acc[_\-][a-z0-9\-]{10,32}\.[a-z0-9+/_=\-]{30,120}",
        (".acc",),
    ),
    _token("gcp_oauth_secret", "Google OAuth Client Secret", r"GOCSPX-[A-Za-z0-9_\-]{28}", ("GOCSPX-",), skip=7),
    _token("gcp_oauth_token", "Google OAuth Access Token", r"ya29\.[A-Za-z0-9_\-]{30,400}", ("ya29.",), skip=5),
    _token("groq_key", "Groq API Key", r"gsk_[A-Za-z0-9]{52}", ("gsk_",), skip=4, min_entropy=3.5),
    _token("replicate_token", "Replicate API Token", r"r8_[A-Za-z0-9]{37}", ("r8_",), skip=3, min_entropy=3.5),
    _token("xai_key", "xAI API Key", r"xai-[A-Za-z0-9]{80}", ("xai-",), skip=4, min_entropy=3.5),
    _token("langsmith_key", "LangSmith API Key", r"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}", ("lsv2_",), skip=8),
    _token("dropbox_token", "Dropbox Access Token", r"sl\.(?:u\.)?[A-Za-z0-9_\-=]{130,1000}", ("sl.",), skip=5),
    _token(
        "twitter_bearer",
        "Twitter/X Bearer Token",
        r"A{22}[A-Za-z0-9%]{80,100}",
        ("AAAAAAAAAAAAAAAAAAAAAA",),
        skip=22,
        min_entropy=3.5,
    ),
    _token(
        "telegram_bot_token",
        "Telegram Bot Token",
        r"[0-9]{5,16}:AA[A-Za-z0-9_\-]{32,34}",
        (":AA",),
        skip=12,
        min_entropy=3.5,
    ),
    _token(
        "discord_bot_token",
        "Discord Bot Token",
        r"[MNO][A-Za-z0-9_\-]{23,25}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,38}",
        (".",),
        validate=checks.discord_token,
        needs_digits=True,
    ),
    _s(
        "webhook_url",
        "Webhook URL",
        r"(?i)(?P<v>https://(?:discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_\-]{60,68}|"
        r"[a-z0-9\-]+\.webhook\.office\.com/webhookb2/[A-Za-z0-9\-@]{40,}/IncomingWebhook/[A-Za-z0-9]{32}/"
        r"[A-Za-z0-9\-]{36}|hooks\.zapier\.com/hooks/catch/[0-9]{4,12}/[A-Za-z0-9]{5,12}|"
        r"chat\.googleapis\.com/v1/spaces/[A-Za-z0-9_\-]{8,}/messages\?key=[A-Za-z0-9_\-]{30,}&token=[A-Za-z0-9_\-=%]{20,}))",
        ("discord", "webhook.office.com", "hooks.zapier.com", "chat.googleapis.com"),
        ci=True,
        base="high",
    ),
    _s(
        "npmrc_auth",
        "npm Registry Auth Token",
        r"(?i)//[A-Za-z0-9.\-]+(?::[0-9]+)?(?:/[^\s:]*)?/?:_(?:authToken|auth|password)[ \t]*=[ \t]*[\"']?"
        r"(?P<v>[A-Za-z0-9+/=_\-.]{16,200})",
        (":_auth", ":_password"),
        ci=True,
        base="high",
        validate=_random(3.0, 16),
    ),
    _s(
        "azure_sas_token",
        "Azure Shared Access Signature",
        r"(?i)\bsv=20[0-9]{2}-[0-9]{2}-[0-9]{2}&[^\s\"'<>]{0,300}?\bsig=(?P<v>[A-Za-z0-9%+/]{30,120}={0,2})",
        ("sig=",),
        ci=True,
        base="high",
        validate=_random(3.5, 30),
    ),
    _s(
        "putty_private_key",
        "Private Key",
        r"(?P<v>PuTTY-User-Key-File-[23]:[^\r\n]{1,200}[\s\S]{0,1000}?Private-Lines: [0-9]+\r?\n"
        r"[A-Za-z0-9+/=\r\n]{16,1000})",
        ("PuTTY-User-Key-File-",),
        base="high",
    ),
    _s(
        "xml_credential",
        "Generic Credential",
        r"(?i)(?:<add\s+key=\"[^\"]{0,40}(?:password|secret|token|apikey|api_key)[^\"]{0,20}\"\s+value=\"|"
        r"<(?:password|passwd|secret|api[_\-]?key|client[_\-]?secret|access[_\-]?token|auth[_\-]?token)>)"
        r"(?P<v>[^<\"\s]{8,200})[\"<]",
        ("password", "passwd", "secret", "token", "key"),
        ci=True,
        base="medium",
        weak=True,
        validate=checks.generic_secret,
    ),
    _s(
        "cli_credential",
        "Generic Credential",
        r"(?i)(?:^|[\s\"'`])--?(?:[a-z0-9]{1,20}[_\-])?(?:password|passwd|pass|secret|token|api[_\-]?key|"
        r"access[_\-]?key|secret[_\-]?key|client[_\-]?secret|auth[_\-]?token|private[_\-]?key|passphrase)"
        r"(?:[ \t]+|=)[\"']?(?P<v>[^\s\"'`<>;,(){}\[\]]{8,200})|"
        r"\b(?:password|passwd|passphrase|passcode)[ \t]+(?:is|was|will be|would be)[ \t]+[\"'`]?"
        r"(?P<v2>[^\s\"'`<>;,(){}\[\]]{8,200}?)[.!?]?(?:$|[\s\"'`<>;,(){}\[\]])",
        ("pass", "secret", "token", "key"),
        ci=True,
        base="medium",
        weak=True,
        validate=checks.generic_secret,
    ),
    _s(
        "keyword_token",
        "Provider API Token",
        r"(?i)(?:" + "|".join(sorted(_PROVIDER_SPELLINGS, key=len, reverse=True)) + r")"
        r"[A-Za-z0-9_\-. ]{0,30}[\"']?[ \t]*(?:::?=|\?=|:=|=>|=|:)[ \t]*[\"']?"
        r"(?P<v>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z0-9_\-.:/+=]{14,200})" + _AFTER_ID,
        tuple(sorted({n.split("_")[0].split("-")[0] for n in _PROVIDER_SPELLINGS})),
        ci=True,
        base="medium",
        weak=True,
        validate=checks.provider_token,
        match_check=_provider_token_key,
    ),
    _s(
        "auth_header",
        "HTTP Authorization Credential",
        r"(?i)(?:^|[^A-Za-z0-9])(?:authorization|x-api-key|api-key|apikey|x-auth-token|api-token|x-[a-z]+-apikey|token)"
        r"[\"']?[ \t]*:[ \t]*(?:basic|bearer|token|api-token|apikey)?[ \t]*(?P<v>[A-Za-z0-9+/=_\-.~]{8,400})",
        ("author", "api", "token"),
        ci=True,
        base="medium",
        weak=True,
        validate=checks.header_token,
    ),
    _s(
        "url_credentials",
        "Credentials in URL or curl",
        r"(?i)(?:[a-z][a-z0-9+.\-]{1,20}://[^\s:/@\"']{0,64}:(?P<v>[^\s:/@\"']{3,128})@|"
        r"\bcurl\b(?:[^\n]|\\\r?\n){0,500}?(?:-u|--user)[ \t=]+[\"']?[^\s:\"']{0,64}[\"']?:[\"']?"
        r"(?P<v2>[^\s\"']{4,128}))",
        ("://", "curl"),
        ci=True,
        base="medium",
        weak=True,
        validate=lambda v: not checks.is_placeholder(v) and checks.entropy(v) >= 2.5 and len(v) >= 6,
    ),
    _s(
        "generic_credential",
        "Generic Credential",
        _GENERIC_KV,
        ("pass", "pwd", "secret", "key", "token", "cred", "auth"),
        ci=True,
        base="medium",
        weak=True,
        validate=checks.generic_secret,
        match_check=lambda before: _secret_key_name(before),
    ),
)

BUILTIN_PATTERNS: tuple[Pattern, ...] = FINANCIAL + NATIONAL_ID + CONTACT + NETWORK + SECRET
