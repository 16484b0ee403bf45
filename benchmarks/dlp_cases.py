"""Template sentences with sensitive values in several locales, for per-type DLP recall / precision.

Hand-written values (phones in the national and international formats of 12 regions, IBANs of 10 countries built
with random BBANs and correct mod-97 check digits, printed compact / grouped / lower-case, AWS access key ids in
config, URL, CSV and prose contexts, cards, SSNs, e-mails, IPs) dropped into hand-written sentences in 8
languages, plus look-alike sentences (order and invoice numbers, dates, amounts, versions, tracking numbers)
that hold no sensitive value. Deterministic: ``cases()`` always returns the same list for the same seed.

Every phone number here is valid in its region's numbering plan (``phonenumbers``); values that no numbering
plan accepts cannot be told apart from other digit groups and are not the target.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from stdnum import iban as _iban

__all__ = ["Case", "ENTITIES", "cases"]

PHONE = "Phone Number"
IBAN = "Bank - IBAN"
AWS = "Secret - AWS Access Key ID"
CARD = "Credit Card Number"
SSN = "National Id - US Social Security Number - SSN"
EMAIL = "Email Address"
IP = "IP Address"
ENTITIES = (PHONE, IBAN, AWS, CARD, SSN, EMAIL, IP)


@dataclass(frozen=True)
class Case:
    """One sentence; ``spans`` are the gold (entity, start, end), empty for a look-alike sentence."""

    text: str
    spans: tuple[tuple[str, int, int], ...]
    locale: str
    kind: str  # the value's entity, or "look-alike"


PHONES: dict[str, list[str]] = {
    "en_US": [
        "(415) 555-2671",
        "+1 212-555-0187",
        "212.555.0187",
        "650-253-0000",
        "+1 (312) 555-0143",
        "(416) 555-0123",
    ],
    "en_GB": ["020 7946 0958", "+44 20 7946 0958", "07911 123456", "+44 7911 123456", "0161 496 0000"],
    "de_DE": [
        "030 12345678",
        "+49 30 12345678",
        "0151 23456789",
        "+49 (0)89 1234567",
        "089 1234567",
        "0049 30 12345678",
    ],
    "fr_FR": ["01 23 45 67 89", "+33 1 23 45 67 89", "06 12 34 56 78", "+33 6 12 34 56 78", "01.23.45.67.89"],
    "es_ES": ["+34 612 34 56 78", "912 34 56 78", "612 345 678", "+34 912 345 678"],
    "it_IT": ["+39 06 1234 5678", "06 1234 5678", "+39 312 345 6789", "347 123 4567"],
    "nl_NL": ["020 123 4567", "+31 20 123 4567", "06 12345678", "+31 6 12345678", "06-12345678"],
    "en_IN": ["+91 98765 43210", "098765 43210", "022 2345 6789", "+91 22 2345 6789", "98765 43210"],
    "pt_BR": ["(11) 91234-5678", "+55 11 91234-5678", "(21) 3456-7890", "+55 (21) 3456-7890"],
    "ja_JP": ["03-1234-5678", "+81 3-1234-5678", "090-1234-5678", "+81 90-1234-5678"],
    "en_AU": ["(02) 9876 5432", "+61 2 9876 5432", "0412 345 678", "+61 412 345 678"],
}

#: (locale, template); ``{v}`` is the value
PHONE_TEMPLATES = [
    ("en", "Call me on {v} tomorrow."),
    ("en", "My phone number is {v}."),
    ("en", "You can reach the front desk at {v} between 9 and 5."),
    ("en", "Mobile: {v}"),
    ("de", "Sie erreichen mich unter der Telefonnummer {v}."),
    ("de", "Bitte rufen Sie mich an: {v}"),
    ("fr", "Mon numéro de téléphone est le {v}."),
    ("fr", "Appelez-moi au {v} s'il vous plaît."),
    ("es", "Mi número de móvil es {v}."),
    ("es", "Llámame al {v} cuando llegues."),
    ("it", "Il mio numero di cellulare è {v}."),
    ("nl", "Bel me op {v} als je er bent."),
    ("pt", "Meu telefone é {v}, pode ligar."),
    ("ja", "電話番号は {v} です。"),
]

IBAN_COUNTRIES = ("DE", "GB", "FR", "ES", "IT", "NL", "BE", "CH", "AT", "PL")
IBAN_TEMPLATES = [
    ("en", "Please wire the money to IBAN {v} by Friday."),
    ("en", "My bank account is {v}"),
    ("de", "Bitte überweisen Sie den Betrag auf das Konto {v}."),
    ("fr", "Voici mon IBAN : {v}, merci."),
    ("es", "Mi cuenta bancaria es {v} y el titular soy yo."),
    ("it", "Il mio IBAN è {v}."),
    ("nl", "Maak het bedrag over naar rekening {v} voor de huur."),
    ("pt", "Transfira para o IBAN {v} hoje."),
]

AWS_TEMPLATES = [
    ("conf", "AWS_ACCESS_KEY_ID={v}"),
    ("conf", "export AWS_ACCESS_KEY_ID={v}"),
    ("conf", "aws_access_key_id = {v}"),
    ("conf", 'aws_access_key_id: "{v}"'),
    ("conf", '{{"AccessKeyId": "{v}", "SecretAccessKey": "..."}}'),
    ("url", "Credential={v}/20240101/eu-west-1/s3/aws4_request"),
    ("url", "https://acme.s3.amazonaws.com/report.pdf?AWSAccessKeyId={v}&Expires=1700000000"),
    ("csv", "User,Access key ID,Created\nci-deploy,{v},2024-01-01"),
    ("en", "Can you check why the key {v} is denied?"),
    ("en", "I accidentally pasted {v} into the chat, please rotate it"),
    ("de", "Der Zugriffsschlüssel {v} wurde gestern deaktiviert."),
    ("fr", "La clé d'accès {v} ne fonctionne plus."),
]

OTHER_VALUES: dict[str, list[str]] = {
    CARD: ["4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005", "6011 1111 1111 1117", "3530111333300000"],
    SSN: ["536-90-4399", "219-09-9990", "078-05-1121"],
    EMAIL: [
        "jane.roe@example.org",
        "müller.hans@beispiel.de",
        "marie.dupont@exemple.fr",
        "j_garcia+facturas@correo.es",
    ],
    IP: ["203.0.113.7", "198.51.100.23", "2001:db8:85a3::8a2e:370:7334"],
}
OTHER_TEMPLATES = [
    (CARD, "en", "Charge my card {v} for the order."),
    (CARD, "de", "Meine Kreditkarte ist {v}."),
    (CARD, "fr", "Ma carte bancaire : {v}"),
    (SSN, "en", "My SSN is {v}."),
    (SSN, "en", "social security number {v} on the form"),
    (EMAIL, "en", "Write to {v} for the invoice."),
    (EMAIL, "de", "Meine E-Mail-Adresse lautet {v}."),
    (EMAIL, "es", "Mi correo es {v}, gracias."),
    (IP, "en", "The server at {v} is refusing connections."),
    (IP, "fr", "L'adresse IP {v} est bloquée."),
]

#: sentences with digit groups that are not phone numbers (and no other sensitive value)
LOOK_ALIKES = [
    "Order 123-456-7890 has shipped and should arrive on Monday.",
    "Invoice no. 0123 4567 89 is overdue.",
    "Your order number is 0412 345 678, keep it for returns.",
    "Ticket #4815162342 was closed.",
    "Meeting on 12.03.2024 at 10:30 in room 4.12.",
    "Der Termin ist am 03.04.2025 um 14:00 Uhr.",
    "Rechnungsnummer 2024 0815 4711 bitte angeben.",
    "Le montant total est de 1 234 567,89 €.",
    "Commande n° 0612 3456 78 expédiée.",
    "Referencia del pedido: 912 34 56 78.",
    "Numero d'ordine 0612345678, grazie.",
    "Tracking number 9400 1000 0000 0000 0000 00.",
    "ISBN 978-3-16-148410-0 is out of print.",
    "Upgrade to version 10.2.3.4 before 2025-01-31.",
    "The population grew from 8 336 817 to 8 804 190.",
    "Customer ID 020 123 4567 was merged.",
    "Serial 0151-2345-6789 is under warranty.",
    "Policy number 06 12 34 56 78 renewed.",
    "Between 2019 and 2023 revenue rose 12.5 percent to 4.2 billion.",
    "Coordinates 52.5200, 13.4050 are in Berlin.",
    "Account 12345678 sort code 12-34-56.",
    "Case reference 2023/0045/6789 is pending.",
    "Batch 0049 30 1234 passed QA.",
    "Pedido nº (11) 91234 está pronto.",
    "Flight LH 0400 departs at 13:05, gate 0612.",
    "The build 20240315.1 failed 3 tests out of 1500.",
]


def _iban_value(rng: random.Random, country: str) -> str:
    """A structurally valid IBAN (random BBAN of the country's format, correct mod-97 check digits)."""
    example = {
        "DE": "DE89370400440532013000",
        "GB": "GB82WEST12345698765432",
        "FR": "FR1420041010050500013M02606",
        "ES": "ES9121000418450200051332",
        "IT": "IT60X0542811101000000123456",
        "NL": "NL91ABNA0417164300",
        "BE": "BE68539007547034",
        "CH": "CH9300762011623852957",
        "AT": "AT611904300234573201",
        "PL": "PL61109010140000071219812874",
    }[country]
    bban = "".join(
        rng.choice(string.ascii_uppercase) if c.isalpha() else rng.choice(string.digits) for c in example[4:]
    )
    return country + _iban.calc_check_digits(country + "00" + bban) + bban


def _iban_formats(value: str) -> list[str]:
    grouped = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    return [value, grouped, value.lower(), grouped.lower()]


def _aws_key(rng: random.Random) -> str:
    return rng.choice(("AKIA", "ASIA")) + "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))


def _case(template: str, value: str, entity: str, locale: str) -> Case:
    start = template.index("{v}")
    text = template.replace("{v}", value).replace("{{", "{").replace("}}", "}")
    start -= template[:start].count("{{") + template[:start].count("}}")
    return Case(text, ((entity, start, start + len(value)),), locale, entity)


def cases(seed: int = 12) -> list[Case]:
    """Every case: each phone in every template of a few languages, IBANs in four spellings, AWS ids, others."""
    rng = random.Random(seed)
    out: list[Case] = []
    for region, numbers in PHONES.items():
        for i, number in enumerate(numbers):
            for j in range(3):  # three templates per number, rotating through the languages
                lang, template = PHONE_TEMPLATES[(i * 3 + j + len(out)) % len(PHONE_TEMPLATES)]
                out.append(_case(template, number, PHONE, f"{region}/{lang}"))
    for k, country in enumerate(IBAN_COUNTRIES):
        for spelling in _iban_formats(_iban_value(rng, country)):
            lang, template = IBAN_TEMPLATES[(k + len(out)) % len(IBAN_TEMPLATES)]
            out.append(_case(template, spelling, IBAN, f"{country}/{lang}"))
    for ctx, template in AWS_TEMPLATES:
        for _ in range(2):
            out.append(_case(template, _aws_key(rng), AWS, ctx))
    for entity, lang, template in OTHER_TEMPLATES:
        for value in OTHER_VALUES[entity]:
            out.append(_case(template, value, entity, lang))
    out.extend(Case(text, (), "any", "look-alike") for text in LOOK_ALIKES)
    return out
