"""DLP recall and precision per data type and locale on Faker-generated template sentences.

Seeded and offline (Faker generates the values locally; ``Faker`` is a dev dependency): for every locale in
:data:`LOCALES`, template sentences (English and the locale's language) carry one value of each type, in the
formats people write them:

* e-mail; phone in the locale's national formats (as Faker writes them) and international (``+CC ...``,
  ``00CC ...``, E.164) formats of the same number;
* IBAN of the locale's country (checksum-valid, Faker) grouped by four, without spaces and lower-case;
* credit card numbers (Luhn-valid, Faker) plain, in groups of four with spaces or dashes;
* AWS access key ids in every context: prose, ``.env`` (``AWS_ACCESS_KEY_ID=AKIA...``), shell ``export``,
  YAML, JSON, INI, CLI flags, quoted, inside a URL query, a SigV4 ``Credential=`` header;
* US SSN (dashed, en_US only); IPv4 and IPv6 addresses;

plus hard negatives with none of them (order and invoice numbers, dates, times, version strings, prices,
post codes, percentages, tracking numbers), in which every finding is a false positive.

A gold value counts as found when a finding of the same type overlaps it (the ``exact`` column also needs the
same span); a finding of a scored type that overlaps no gold value of its type is a false positive of that
type, and a finding of any other pattern that overlaps no gold value is a false positive of ``(other)``.

Usage: ``.venv/bin/python benchmarks/eval_dlp_locales.py [--n 12] [--seed 0] [--markdown] [--failures]``
"""

from __future__ import annotations

import argparse
import random
import string
from collections import defaultdict
from dataclasses import dataclass

import phonenumbers
from faker import Faker

try:
    from benchmarks.dlp_cases import AWS, CARD, EMAIL, IBAN, IP, PHONE, SSN
    from benchmarks.eval_dlp import Counts
except ImportError:  # run as a script: benchmarks/ itself is on sys.path
    from dlp_cases import AWS, CARD, EMAIL, IBAN, IP, PHONE, SSN  # type: ignore[no-redef]
    from eval_dlp import Counts  # type: ignore[no-redef]
from interlock.detectors.dlp import DlpDetector, DlpOptions
from interlock.engine.base import ScanItem

LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pt_BR", "ja_JP")
TYPES = (EMAIL, PHONE, IBAN, CARD, AWS, SSN, IP)
OTHER = "(other)"

#: sentence templates per language; ``{v}`` is the value
PROSE: dict[str, tuple[str, ...]] = {
    "en": ("Please contact me at {v} tomorrow.", "My {k} is {v}, thanks.", "{v} — that is the one to use."),
    "de": ("Bitte schreiben Sie an {v}.", "Meine Angabe lautet: {v}", "Sie erreichen mich unter {v} ab Montag."),
    "fr": ("Vous pouvez me joindre au {v}.", "Voici mon {k} : {v}", "Merci d'utiliser {v} pour la suite."),
    "es": ("Puede escribirme a {v} mañana.", "Mi dato es {v}, gracias.", "Use {v} para el pago."),
    "it": ("Potete contattarmi a {v} domani.", "Il mio dato è {v}.", "Usate {v} per favore."),
    "nl": ("U kunt mij bereiken via {v}.", "Mijn gegeven is {v}, bedankt.", "Gebruik {v} voor de betaling."),
    "pt": ("Pode me contatar em {v} amanhã.", "Meu dado é {v}, obrigado.", "Use {v} para o pagamento."),
    "ja": ("連絡先は{v}です。", "こちらにご連絡ください: {v}", "{v} までお願いします。"),
}
KEYWORD = {EMAIL: "e-mail", PHONE: "phone", IBAN: "IBAN", CARD: "card number", SSN: "SSN", IP: "IP", AWS: "key"}
#: AWS access key id contexts (``{v}`` is the key)
AWS_CONTEXTS = (
    "AWS_ACCESS_KEY_ID={v}",
    "export AWS_ACCESS_KEY_ID={v}",
    "aws_access_key_id = {v}",
    "[default]\naws_access_key_id={v}\nregion=eu-west-1",
    '{{"AccessKeyId": "{v}", "Expiration": "2026-01-01T00:00:00Z"}}',
    "credentials:\n  access_key: {v}\n  region: us-east-1",
    "aws configure set aws_access_key_id {v}",
    "the key '{v}' leaked in the log",
    "https://s3.amazonaws.com/bucket/f.txt?AWSAccessKeyId={v}&Expires=1700000000",
    "Authorization: AWS4-HMAC-SHA256 Credential={v}/20240101/us-east-1/s3/aws4_request",
    "key={v};",
    "ACCESS_KEY:{v}",
)
#: hard negatives: no value of any scored type (``{x}`` is filled per row)
NEGATIVES = (
    "Order #{order} shipped on {date}, total {price}.",
    "Invoice {invoice} is due {date}; amount {price} incl. VAT.",
    "Upgrade to version {version} (build {build}) before {date}.",
    "Meeting at {time} on {date} in room {room}.",
    "The price dropped {pct}% to {price} since {date}.",
    "Tracking number {tracking}, post code {postcode}.",
    "Reference {order}-{room} from {date}, release {version}.",
    "Ticket {invoice} was closed at {time}; see build {build}.",
)


@dataclass(frozen=True)
class Case:
    """One sentence with its gold spans ``(type, start, end)``."""

    locale: str
    text: str
    gold: tuple[tuple[str, int, int], ...]
    variant: str


def _place(template: str, value: str, kind: str) -> tuple[str, tuple[str, int, int]]:
    pre, _, post = template.replace("{k}", KEYWORD.get(kind, "value")).partition("{v}")
    pre = pre.replace("{{", "{").replace("}}", "}")
    post = post.replace("{{", "{").replace("}}", "}")
    return pre + value + post, (kind, len(pre), len(pre) + len(value))


def _international(number: str, region: str) -> list[tuple[str, str]]:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return []
    if not phonenumbers.is_valid_number(parsed):
        return []
    intl = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return [
        ("intl", intl),
        ("intl-00", "00" + intl[1:]),
        ("e164", phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)),
    ]


def _aws_key(rng: random.Random) -> str:
    alphabet = string.ascii_uppercase + "234567"
    return rng.choice(("AKIA", "ASIA")) + "".join(rng.choice(alphabet) for _ in range(16))


def _iban_variants(iban: str) -> list[tuple[str, str]]:
    grouped = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    return [("compact", iban), ("grouped", grouped), ("lower", grouped.lower()), ("lower-compact", iban.lower())]


def _card_variants(card: str) -> list[tuple[str, str]]:
    if len(card) != 16:
        return [("plain", card)]
    groups = [card[i : i + 4] for i in range(0, 16, 4)]
    return [("plain", card), ("spaces", " ".join(groups)), ("dashes", "-".join(groups))]


def build_cases(n: int, seed: int) -> list[Case]:
    """``n`` values per type and locale, each in its variants and in a template of the locale's language."""
    rng = random.Random(seed)
    cases: list[Case] = []
    for li, locale in enumerate(LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed * 1000 + li)
        cases.extend(_locale_cases(locale, fake, rng, n))
    return cases


def _values(kind: str, fake: Faker, region: str) -> list[tuple[str, str]]:
    """``(variant, value)`` of one generated value of ``kind``."""
    if kind == EMAIL:
        return [("plain", fake.email())]
    if kind == PHONE:
        return _phone(fake.phone_number(), region)
    if kind == CARD:
        return _card_variants(fake.credit_card_number())
    if kind == IP:
        return [("v4", fake.ipv4_public()), ("v6", fake.ipv6())]
    if kind == IBAN:
        return _iban_variants(fake.iban())
    return [("dashed", fake.ssn())]


def _locale_cases(locale: str, fake: Faker, rng: random.Random, n: int) -> list[Case]:
    region = locale.split("_")[1]
    lang = locale.split("_")[0]
    templates = PROSE["en"] + PROSE[lang] if lang != "en" else PROSE["en"]
    out: list[Case] = []

    def add(kind: str, variant: str, value: str, template: str) -> None:
        text, span = _place(template, value, kind)
        out.append(Case(locale, text, (span,), f"{kind}/{variant}"))

    kinds = [EMAIL, PHONE, CARD, IP] + ([IBAN] if _has_iban(fake) else []) + ([SSN] if locale == "en_US" else [])
    for kind in kinds:
        for _ in range(n):
            for variant, value in _values(kind, fake, region):
                add(kind, variant, value, rng.choice(templates))
    for _ in range(max(1, n // 2)):
        for ctx in AWS_CONTEXTS:
            add(AWS, "ctx", _aws_key(rng), ctx)
        add(AWS, "prose", _aws_key(rng), rng.choice(templates))
    for _ in range(n):
        for template in NEGATIVES:
            text = template.format(
                order=fake.numerify("#####-###"),
                date=rng.choice((fake.date(), fake.date(pattern="%d.%m.%Y"), fake.date(pattern="%d/%m/%Y"))),
                price=rng.choice((f"${fake.pricetag()[1:]}", f"{rng.randint(1, 9999)},{rng.randint(0, 99):02d} €")),
                invoice=fake.bothify("INV-####-????").upper(),
                version=f"{rng.randint(0, 20)}.{rng.randint(0, 40)}.{rng.randint(0, 200)}",
                build=fake.numerify("##########"),
                time=fake.time(pattern="%H:%M"),
                room=fake.numerify("###"),
                pct=rng.randint(1, 99),
                tracking=fake.bothify("1Z###???##########").upper(),
                postcode=fake.postcode(),
            )
            out.append(Case(locale, text, (), "negative"))
    return out


def _has_iban(fake: Faker) -> bool:
    try:
        fake.iban()
    except AttributeError:
        return False
    return True


def _phone(number: str, region: str) -> list[tuple[str, str]]:
    return [("national", number), *_international(number, region)]


@dataclass
class Result:
    """Counts per (type, locale) with overlap matching and with exact spans, plus the misses."""

    overlap: dict[tuple[str, str], Counts]
    exact: dict[tuple[str, str], Counts]
    misses: list[tuple[Case, list[tuple[str, int, int]]]]


def evaluate(cases: list[Case], det: DlpDetector) -> Result:
    overlap: dict[tuple[str, str], Counts] = defaultdict(Counts)
    exact: dict[tuple[str, str], Counts] = defaultdict(Counts)
    misses: list[tuple[Case, list[tuple[str, int, int]]]] = []
    for case in cases:
        item = ScanItem(text=case.text, field="prompt", data_type="prompt")
        found = [(f.entity, f.start, f.end) for f in det.detect(item).findings]
        bad = False
        for kind, gs, ge in case.gold:
            hit = any(e == kind and s < ge and gs < en for e, s, en in found)
            overlap[(kind, case.locale)].tp += hit
            overlap[(kind, case.locale)].fn += not hit
            same = (kind, gs, ge) in found
            exact[(kind, case.locale)].tp += same
            exact[(kind, case.locale)].fn += not same
            bad |= not hit
        for e, s, en in found:
            kind = e if e in TYPES else OTHER
            if kind == OTHER and any(s < ge and gs < en for _, gs, ge in case.gold):
                continue  # another pattern on a gold value (e.g. a national id reading of it): not counted
            if not any(k == e and s < ge and gs < en for k, gs, ge in case.gold):
                overlap[(kind, case.locale)].fp += 1
                exact[(kind, case.locale)].fp += 1
                bad = True
            elif (e, s, en) not in case.gold:
                exact[(kind, case.locale)].fp += 1
        if bad:
            misses.append((case, found))
    return Result(overlap, exact, misses)


def _total(table: dict[tuple[str, str], Counts], kind: str | None = None, locale: str | None = None) -> Counts:
    out = Counts()
    for (k, loc), c in table.items():
        if (kind is None or k == kind) and (locale is None or loc == locale):
            out.tp, out.fp, out.fn = out.tp + c.tp, out.fp + c.fp, out.fn + c.fn
    return out


def _fmt(x: float) -> str:
    return "–" if x != x else f"{x:.3f}"


def markdown(res: Result) -> str:
    kinds = [*TYPES, OTHER]
    lines = [
        "| type | precision | recall | recall (exact span) | TP | FP | FN |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in kinds:
        c, e = _total(res.overlap, kind), _total(res.exact, kind)
        lines.append(
            f"| {kind} | {_fmt(c.precision)} | {_fmt(c.recall)} | {_fmt(e.recall)} | {c.tp} | {c.fp} | {c.fn} |"
        )
    a = _total(res.overlap)
    lines.append(f"| **all** | {_fmt(a.precision)} | {_fmt(a.recall)} | | {a.tp} | {a.fp} | {a.fn} |")
    lines += ["", "Recall by type and locale (precision in brackets where below 1):", ""]
    lines.append("| type | " + " | ".join(LOCALES) + " |")
    lines.append("|---|" + "---|" * len(LOCALES))
    for kind in kinds:
        cells = []
        for loc in LOCALES:
            c = res.overlap.get((kind, loc))
            if c is None or c.tp + c.fn + c.fp == 0:
                cells.append("")
                continue
            cell = _fmt(c.recall) if c.tp + c.fn else "·"
            if c.fp:
                cell += f" ({_fmt(c.precision)})"
            cells.append(cell)
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=12, help="values per type and locale")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--failures", type=int, default=0, help="print up to N misses and false positives")
    args = ap.parse_args()
    cases = build_cases(args.n, args.seed)
    res = evaluate(cases, DlpDetector(DlpOptions()))
    n_neg = sum(1 for c in cases if not c.gold)
    print(f"{len(cases)} sentences ({n_neg} hard negatives), {len(LOCALES)} locales, seed {args.seed}\n")
    print(markdown(res))
    for case, found in res.misses[: args.failures]:
        print(f"[{case.locale} {case.variant}] {case.text!r} gold {case.gold} found {found}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
