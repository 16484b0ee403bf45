"""DLP recall and precision by type on the template sentences of ``benchmarks/dlp_cases.py`` (phones in national
and international formats of 12 regions, IBANs spaced / compact / lower-case, AWS key ids in every context), and
the guards that keep order numbers, dates and ids from being read as phone numbers."""

from __future__ import annotations

import pytest

from benchmarks.dlp_cases import ENTITIES, cases
from benchmarks.eval_dlp import eval_types
from interlock.detectors.dlp import DlpDetector, DlpOptions
from tests.unit.detectors.dlp_scan import scan

PHONE = "Phone Number"
IBAN = "Bank - IBAN"


@pytest.fixture(scope="module")
def dlp() -> DlpDetector:
    return DlpDetector(DlpOptions())


def test_every_type_recall_and_precision(dlp: DlpDetector) -> None:
    counts = eval_types(dlp)
    assert set(ENTITIES) <= set(counts)
    for entity, c in counts.items():
        assert c.recall >= 0.97, (entity, c)
        assert c.precision >= 0.97, (entity, c)


def test_fixture_covers_seven_locales() -> None:
    phone_regions = {c.locale.split("/")[0] for c in cases() if c.kind == PHONE}
    assert len(phone_regions) >= 7
    assert sum(c.kind == "look-alike" for c in cases()) >= 20


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Mon numéro de téléphone est le 06 12 34 56 78.", "06 12 34 56 78"),
        ("Sie erreichen mich unter 030 12345678.", "030 12345678"),
        ("ring 020 7946 0958 today", "020 7946 0958"),
        ("Llámame al 612 345 678 cuando llegues.", "612 345 678"),
        ("Meu telefone é (11) 91234-5678, pode ligar.", "(11) 91234-5678"),
        ("電話番号は 03-1234-5678 です。", "03-1234-5678"),
        ("call +61 412 345 678", "+61 412 345 678"),
        ("Nummer: 0049 30 12345678", "0049 30 12345678"),
    ],
)
def test_national_and_international_phones(dlp: DlpDetector, text: str, value: str) -> None:
    assert (PHONE, value) in scan(dlp, text)


@pytest.mark.parametrize(
    "text",
    [
        "Order 123-456-7890 has shipped.",
        "Your order number is 0412 345 678, keep it.",
        "Invoice no. 0123 4567 89 is overdue.",
        "Rechnungsnummer 2024 0815 4711 bitte angeben.",
        "Commande n° 0612 3456 78 expédiée.",
        "Meeting on 12.03.2024 at 10:30.",
        "612 345 678 items were sold",  # national format of a non-home region without keyword or trunk prefix
        "ssn 078-05-1120",
        "call 555-0100",
    ],
)
def test_phone_look_alikes(dlp: DlpDetector, text: str) -> None:
    assert [e for e, _ in scan(dlp, text) if e == PHONE] == []


def test_brazilian_grouping_is_not_a_us_number() -> None:
    text = "tel (71) 4233-6306"
    assert scan(DlpDetector(DlpOptions(phone_regions=["US"])), text) == []
    assert scan(DlpDetector(DlpOptions()), text) == [(PHONE, "(71) 4233-6306")]


@pytest.mark.parametrize(
    "value",
    [
        "ES9121000418450200051332",  # real format
        "ES6280134556414355589820",  # mod-97 valid, national CCC check digits not: still an IBAN to protect
        "es62 8013 4556 4143 5558 9820",
        "BE81 7852 3390 4523",
        "be81785233904523",
    ],
)
def test_iban_spellings(dlp: DlpDetector, value: str) -> None:
    assert scan(dlp, f"Please wire it to {value} today.") == [(IBAN, value)]


def test_iban_followed_by_many_words(dlp: DlpDetector) -> None:
    text = "GB82WEST12345698765432 is my new iban for rent"
    assert scan(dlp, text) == [(IBAN, "GB82WEST12345698765432")]


def test_international_email(dlp: DlpDetector) -> None:
    assert scan(dlp, "Write to müller.hans@beispiel.de today") == [("Email Address", "müller.hans@beispiel.de")]
    assert scan(dlp, "電話：jane@x.com") == [("Email Address", "jane@x.com")]
