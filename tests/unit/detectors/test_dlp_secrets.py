"""Secrets: the plain misses of issue #12, assignments in every common syntax, the separate placeholder/entropy
filters, and recall / false-positive rate on the hand-written test vectors (fixtures/secret_vectors.jsonl)."""

from __future__ import annotations

import pytest

from benchmarks.eval_dlp import eval_secret_vectors
from interlock.detectors.dlp import DlpDetector, DlpOptions, checks
from tests.unit.detectors.dlp_scan import scan

AWS = "Secret - AWS Access Key ID"
GITHUB = "Secret - GitHub Token"
GENERIC = "Secret - Generic Credential"
KEY_ID = "AKIA2OGYBAH6STMMNXNN"
GHP = "ghp_R4nd0mT0k3nV4lu3Xq9Zs8Wk2Lp5Mn7Bv1Cx3Q"
PASSWORD = "Xk9mP2vL7qzW"


@pytest.fixture(scope="module")
def secrets() -> DlpDetector:
    return DlpDetector(DlpOptions(groups=["secret"]))


# -- the plain misses -------------------------------------------------------------------------------------------


def test_aws_key_id_in_env_form(secrets: DlpDetector) -> None:
    assert scan(secrets, f"AWS_ACCESS_KEY_ID={KEY_ID}") == [(AWS, KEY_ID)]


def test_github_token_in_env_form_is_a_github_token(secrets: DlpDetector) -> None:
    assert scan(secrets, f"GITHUB_TOKEN={GHP}") == [(GITHUB, GHP)]


def test_password_containing_a_dummy_word_is_caught(secrets: DlpDetector) -> None:
    assert scan(secrets, "password=Hunter2!Secret") == [(GENERIC, "Hunter2!Secret")]


AWS_CONTEXTS = [
    "AWS_ACCESS_KEY_ID={k}",
    "export AWS_ACCESS_KEY_ID={k}",
    'AWS_ACCESS_KEY_ID="{k}"',
    "aws_access_key_id: {k}",
    '{{"AccessKeyId":"{k}"}}',
    "aws configure set aws_access_key_id {k}",
    "Credential={k}/20240101/us-east-1/s3/aws4_request",
    "https://b.s3.amazonaws.com/f?AWSAccessKeyId={k}&Expires=1",
    "ci-bot,{k},2024-01-01",
    "the key {k}.",
    "key:{k}",
    "s3://{k}:x@bucket",
]


@pytest.mark.parametrize("template", AWS_CONTEXTS)
def test_aws_key_id_in_every_context(secrets: DlpDetector, template: str) -> None:
    assert (AWS, KEY_ID) in scan(secrets, template.format(k=KEY_ID))


def test_aws_key_id_inside_a_longer_token_is_not_one(secrets: DlpDetector) -> None:
    assert all(e != AWS for e, _ in scan(secrets, f"blob=QmFzZTY0{KEY_ID}QmFzZTY0ZW5jb2RlZA"))


# -- keyword-anchored assignments in every common syntax ----------------------------------------------------------

SYNTAXES = [
    "DB_PASSWORD={p}",
    "export DB_PASSWORD={p}",
    "DB_PASSWORD='{p}'",
    "password: {p}",
    '  password: "{p}"',
    '{{"password": "{p}"}}',
    "password = {p}",
    "'password' => '{p}',",
    '$password = "{p}";',
    "--password {p}",
    "--password={p}",
    "mysql --user app --password {p} -h db",
    "PGPASSWORD={p} psql",
    '<add key="DbPassword" value="{p}" />',
    "<password>{p}</password>",
    "my password is {p} thanks",
    "Server=db;User ID=sa;Password={p};",
]


@pytest.mark.parametrize("template", SYNTAXES)
def test_assignment_syntaxes(secrets: DlpDetector, template: str) -> None:
    assert (GENERIC, PASSWORD) in scan(secrets, template.format(p=PASSWORD))


LOOK_ALIKES = [
    "password=changeme",
    "password: <your-password>",
    "API_KEY=${API_KEY}",
    "token: {{ .Values.apiToken }}",
    "--password $MYSQL_PWD",
    "--password-file /run/secrets/db",
    "password: mysecretpassword",
    "password=test1234",
    "client_secret: abcdefghijklmnop",
    "token=1234567890abcdef",
    "api_key=0123456789abcdef0123456789abcdef",
    "password=qwertyuiop",
    "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
    "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "the password is incorrect",
    "Password: Required",
    "api_key: Optional",
    "SLACK_WEBHOOK=https://hooks.slack.com/services/XXXXXXXXX/XXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX",
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes(secrets: DlpDetector, text: str) -> None:
    assert scan(secrets, text) == []


# -- the filters, each on its own ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "yes", "no"),
    [
        (checks.is_template, ["${DB_PASS}", "{{ secret }}", "<your-key>", "os.getenv('X')", "$TOKEN"], ["Xk9mP2vL7q"]),
        (checks.is_masked, ["xxxxxxxx", "sk_live_****", "ab......", "AAAAAAAAAA"], ["Xk9mP2vL7q"]),
        (checks.is_documentation, ["AKIAIOSFODNN7EXAMPLE", "your_api_key", "changeme", "REDACTED"], ["Xk9mP2vL7q"]),
        (checks.is_dummy_words, ["mysecretpassword", "test1234", "secret_key_here", "admin"], ["Hunter2!Secret"]),
        (checks.is_plain_word, ["Required", "Incorrect", "optional", "HIDDEN"], ["Hunter2!Secret", "s3cr3tP4ss"]),
        (checks.is_sequential, ["abcdefgh", "12345678", "1234567890abcdef", "qwertyuiop", "zyxwvu"], ["Xk9mP2vL7q"]),
    ],
)
def test_filters(fn: object, yes: list[str], no: list[str]) -> None:
    assert callable(fn)
    assert all(fn(v) for v in yes), [v for v in yes if not fn(v)]
    assert not any(fn(v) for v in no), [v for v in no if fn(v)]


def test_low_entropy_scales_with_length() -> None:
    assert checks.low_entropy("aabbaabb")
    assert not checks.low_entropy("Xk9mP2vL7q")  # 10 characters, all distinct: 3.32 bits/char
    assert checks.low_entropy("abababababababababab")


# -- recall / FPR on the test vectors -------------------------------------------------------------------------------


def test_secret_vectors_recall_and_fpr(secrets: DlpDetector) -> None:
    res = eval_secret_vectors(secrets)
    assert res.total.tp + res.total.fn >= 150 and res.total.fp + res.tn >= 110
    assert res.total.recall >= 0.95, [m["text"][:60] for m in res.misses if m["label"]]
    assert res.fpr <= 0.05, [m["text"][:60] for m in res.misses if not m["label"]]


def test_secret_vectors_with_every_group() -> None:
    res = eval_secret_vectors(DlpDetector(DlpOptions()))
    assert res.total.recall >= 0.95 and res.fpr <= 0.05
