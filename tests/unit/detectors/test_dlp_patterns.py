"""DLP data patterns: positives (entity + exact span) and hard negatives for every pattern."""

from __future__ import annotations

import pytest

from interlock.detectors.dlp import DlpDetector, DlpOptions
from tests.unit.detectors.dlp_scan import scan

CARD = "Credit Card Number"
SSN = "National Id - US Social Security Number - SSN"
ITIN = "Tax Id - US - ITIN"
IBAN = "Bank - IBAN"
ABA = "Bank - US ABA Routing Number"
EMAIL = "Email Address"
PHONE = "Phone Number"
IP = "IP Address"


@pytest.fixture(scope="module")
def dlp() -> DlpDetector:
    return DlpDetector(DlpOptions())


# (text, entity, value): value must be found as exactly that span
POSITIVES = [
    # payment cards, every network, with and without separators
    ("my card is 4111 1111 1111 1111 exp 12/29", CARD, "4111 1111 1111 1111"),
    ("visa 4012888888881881.", CARD, "4012888888881881"),
    ("MC 5555-5555-5555-4444 thanks", CARD, "5555-5555-5555-4444"),
    ("mastercard 2-series 2223003122003222", CARD, "2223003122003222"),
    ("amex 3782 822463 10005", CARD, "3782 822463 10005"),
    ("card: 371449635398431", CARD, "371449635398431"),
    ("discover 6011111111111117", CARD, "6011111111111117"),
    ("jcb 3530111333300000", CARD, "3530111333300000"),
    ("diners 36227206271667", CARD, "36227206271667"),
    ("unionpay 6200000000000005", CARD, "6200000000000005"),
    ("maestro 6759649826438453", CARD, "6759649826438453"),
    ("two cards 4111111111111111,4012888888881881", CARD, "4012888888881881"),
    # SSN / ITIN
    ("My SSN is 536-90-4399.", SSN, "536-90-4399"),
    ("social security number 536904399", SSN, "536904399"),
    ("ssn: 536 90 4399", SSN, "536 90 4399"),
    ("ITIN 912-70-1234 on file", ITIN, "912-70-1234"),
    # IBAN
    ("IBAN GB82 WEST 1234 5698 7654 32 please", IBAN, "GB82 WEST 1234 5698 7654 32"),
    ("send to DE89370400440532013000 today", IBAN, "DE89370400440532013000"),
    ("my iban is gb33bukb20201555555555", IBAN, "gb33bukb20201555555555"),
    # ABA routing (keyword needed)
    ("routing number 021000021, account 1234", ABA, "021000021"),
    ("ABA: 011000015", ABA, "011000015"),
    # email: example domains are still e-mail addresses
    ("write to john.doe+tag@example.com now", EMAIL, "john.doe+tag@example.com"),
    ("<a@b.co>", EMAIL, "a@b.co"),
    ("contact: Zoë <zoe_99@mail.example.org>", EMAIL, "zoe_99@mail.example.org"),
    # phones (valid numbers only)
    ("call me at (415) 555-2671", PHONE, "(415) 555-2671"),
    ("tel: +44 20 7946 0958", PHONE, "+44 20 7946 0958"),
    ("phone 212.555.0187", PHONE, "212.555.0187"),
    ("call 415-555-2671 / 212-555-0187 now", PHONE, "212-555-0187"),
    ("desk (505)498-8487x6837", PHONE, "(505)498-8487x6837"),
    # IP addresses
    ("client ip 203.0.113.7 blocked", IP, "203.0.113.7"),
    ("from 8.8.8.8", IP, "8.8.8.8"),
    ("server 10.1.2.3 is down", IP, "10.1.2.3"),
    ("host 2001:db8:85a3::8a2e:370:7334 up", IP, "2001:db8:85a3::8a2e:370:7334"),
    # national ids (stdnum-validated)
    ("NI number AB 12 34 56 C", "National Id - UK National Insurance Number - NINO", "AB 12 34 56 C"),
    ("national insurance: JG103759A", "National Id - UK National Insurance Number - NINO", "JG103759A"),
    ("Steuer-ID 36574261809", "Tax Id - Germany - Steuer-ID", "36574261809"),
    ("NIR 2 95 10 99 126 111 93", "National Id - France - NIR", "2 95 10 99 126 111 93"),
    ("DNI 54362315K", "National Id - Spain - DNI", "54362315K"),
    ("NIE X2482300W", "National Id - Spain - NIE", "X2482300W"),
    ("codice fiscale RCCMNL83S18D969H", "National Id - Italy - Codice Fiscale", "RCCMNL83S18D969H"),
    ("BSN 111222333", "National Id - Netherlands - BSN", "111222333"),
    ("Aadhaar 2341 2341 2346", "National Id - India - Aadhaar", "2341 2341 2346"),
    ("PAN ACUPA7085R", "Tax Id - India - PAN", "ACUPA7085R"),
    ("CPF 390.533.447-05", "National Id - Brazil - CPF", "390.533.447-05"),
    ("CNPJ 16.727.230/0001-97", "Tax Id - Brazil - CNPJ", "16.727.230/0001-97"),
    ("SIN 130 692 544", "National Id - Canada - SIN", "130 692 544"),
    ("TFN 123 456 782", "Tax Id - Australia - TFN", "123 456 782"),
    ("身份证 360426199101010071", "National Id - China - Resident Identity Card", "360426199101010071"),
    # secrets
    ("aws_access_key_id = AKIA2OGYBAH6STMMNXNN", "Secret - AWS Access Key ID", "AKIA2OGYBAH6STMMNXNN"),
    (
        "aws_secret_access_key=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",
        "Secret - AWS Secret Access Key",
        "Wq8Lr2Xt9Nz3Kp7Vb4Mc6Jd1Hf5Gs0Ay/Ue+Ti8R",
    ),
    (
        "token ghp_R4nd0mT0k3nV4lu3Xq9Zs8Wk2Lp5Mn7Bv1Cx3Q",
        "Secret - GitHub Token",
        "ghp_R4nd0mT0k3nV4lu3Xq9Zs8Wk2Lp5Mn7Bv1Cx3Q",
    ),
    ("GITLAB=glpat-9xQ2rT7vLm4KpZ8sWn3B", "Secret - GitLab Token", "glpat-9xQ2rT7vLm4KpZ8sWn3B"),
    (
        '"bot_token": "xoxb-781236542736-2364535789652-GkwFDQoHqzXDVsC6GzqYUypD"',
        "Secret - Slack Token",
        "xoxb-781236542736-2364535789652-GkwFDQoHqzXDVsC6GzqYUypD",
    ),
    ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "Secret - Stripe API Key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
    (
        "key=AIzaSyNHxIf32IQ1a1yjl3ZJIqKZqzLAK1XhDk-",
        "Secret - Google API Key",
        "AIzaSyNHxIf32IQ1a1yjl3ZJIqKZqzLAK1XhDk-",
    ),
    (
        "OPENAI_API_KEY=sk-proj-Xq9Zs8Wk2Lp5Mn7Bv1Cx3QaR4nd0mT0k3nV4lu3Xq9Zs8Wk2",
        "Secret - OpenAI API Key",
        "sk-proj-Xq9Zs8Wk2Lp5Mn7Bv1Cx3QaR4nd0mT0k3nV4lu3Xq9Zs8Wk2",
    ),
    (
        "hf_token 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",
        "Secret - Hugging Face Token",
        "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",
    ),
    (
        "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VybmFtZTpib2IifQ."
        "HcfCW67Uda-0gz54ZWTqmtgJnZeNem0Q757eTa9EZuw",
        "Secret - JSON Web Token",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VybmFtZTpib2IifQ.HcfCW67Uda-0gz54ZWTqmtgJnZeNem0Q757eTa9EZuw",  # noqa: E501
    ),
    ('db_password = "Xk9#mP2$vL7q"', "Secret - Generic Credential", "Xk9#mP2$vL7q"),
    ("api_key: Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB", "Secret - Generic Credential", "Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB"),
    ("login with password: s3cr3tP4ss", "Secret - Generic Credential", "s3cr3tP4ss"),
    ("postgres://app:s3cr3tP4ss@db.internal:5432/x", "Secret - Credentials in URL or curl", "s3cr3tP4ss"),
]


@pytest.mark.parametrize(("text", "entity", "value"), POSITIVES, ids=[f"{e}:{v[:16]}" for _, e, v in POSITIVES])
def test_positive(dlp: DlpDetector, text: str, entity: str, value: str) -> None:
    assert (entity, value) in scan(dlp, text)


def test_private_key_block(dlp: DlpDetector) -> None:
    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDAC4AWkdwKYSd8Ks14IReLcYgADhoXk56ZzXI+ab/9Qz"
    text = f"key:\n-----BEGIN RSA PRIVATE KEY-----\n{body}\n{body[::-1]}\n-----END RSA PRIVATE KEY-----\nbye"
    found = scan(dlp, text)
    assert [e for e, _ in found] == ["Secret - Private Key"]
    assert found[0][1].startswith("-----BEGIN RSA") and found[0][1].endswith("PRIVATE KEY-----")


NEGATIVES = [
    # invalid Luhn / no issuer / trivial runs / part of a longer number
    "card 4111 1111 1111 1112",
    "order 1234567812345678 shipped",
    "0000 0000 0000 0000",
    "id 41111111111111111111111 long",
    "mixed separators 4111-1111 1111-1111",
    # SSN structure
    "SSN 000-12-3456",
    "SSN 666-12-3456",
    "SSN 123-00-4567",
    "SSN 123-45-0000",
    "ssn 078-05-1120",
    "ssn 123-45-6789",
    # bare 9 digits without a keyword are not reported at the default confidence
    "invoice 536904399 paid",
    # versions, dates, times, ids that look like numbers
    "version 1.2.3.4 released",
    "upgrade to v10.0.0.1",
    "OID 1.3.6.1.4.1.311",
    "on 2024-01-15 at 12:30:45",
    "dated 12/05/2023",
    "uuid 123e4567-e89b-12d3-a456-426614174000",
    "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "commit 43fc912ef59a83054ea7f6706df4d53a7dea4d80",
    "std::vector<int> a::b; c::d",
    "time 10:30:00",
    # IBAN with a wrong check digit
    "IBAN GB83 WEST 1234 5698 7654 32",
    # ABA routing number with a bad checksum, even with a keyword
    "routing number 021000022",
    # placeholder and reference credentials
    "password=changeme",
    "api_key=<your-key>",
    "api_key=xxxxxxxxxxxxxxxx",
    "secret=${SECRET_VALUE}",
    'token = os.getenv("API_TOKEN")',
    "password: ********",
    "AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
    "public_key = 9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit",
    "key_length = XSalsa20.key_length",
    "access_token=ACCESS_TOKEN",
    "grant token: authorization_code",
    "password: hunter2hunter2",
    "csrf-token=Mj2qykJO5rELyHgezQ69nzUX0i3OH67V7",
    "notes = io.jsonwebtoken:jjwt-jackson-0.11.2",
    "-----BEGIN PRIVATE KEY-----\nanything\n-----END PRIVATE KEY-----",
    "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "eyJhbGciOi.not-a-jwt.at-all-really",
    # phone-like but invalid
    "call 555-0100",
    "| Honda | 80 | 180.48 (290.454) | 1:5",
    "room 123-4567",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_negative(dlp: DlpDetector, text: str) -> None:
    assert scan(dlp, text) == []
