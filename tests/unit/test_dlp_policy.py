"""Per-data-pattern DLP actions (block / mask / report): the profile schema, the verdict and the wire (issue #13).

The built-in ``default`` profile masks (and reports) a user's own contact details in prompts and blocks secrets,
card numbers, national ids and bank accounts, and any personal data in responses. These tests run the real DLP
detector through :class:`LocalScanner`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from interlock.errors import ProfileError
from interlock.profiles import Profile, ProfileStore, load_profile_file
from interlock.scanner import LocalScanner, ScanResult
from tests.dlp_examples import AWS_KEY_ID, BLOCKED_PROMPTS, CARD, ISSUE_PROMPT, RESPONSE_LEAKS, SSN
from tests.sdk_models import sdk_parse

#: prompts whose only sensitive data is the user's own contact data: masked and allowed
MASKED_PROMPTS = [
    (ISSUE_PROMPT, {"Email Address", "Phone Number"}, ["jane.doe@example.com", "+1 415-555-0132"]),
    ("My email is bob@corp.com", {"Email Address"}, ["bob@corp.com"]),
    ("Call me at (415) 555-0132", {"Phone Number"}, ["(415) 555-0132"]),
    ("VPN gateway at 10.12.4.7", {"IP Address"}, ["10.12.4.7"]),
]
#: prompts with data that must block even in a prompt
BLOCKED = [*BLOCKED_PROMPTS, f"My access key is {AWS_KEY_ID}", "Wire it to IBAN GB82 WEST 1234 5698 7654 32"]


@pytest.fixture(scope="module")
def scanner() -> Any:
    s = LocalScanner()
    yield s
    s.close()


def _report_patterns(result: ScanResult, data_type: str) -> set[str]:
    for d in result.report.detection_results:
        if d.data_type == data_type and d.detection_service == "dlp":
            rep = d.result_detail.dlp_report if d.result_detail is not None else None
            return {o.name for o in rep.data_pattern_detection_offsets} if rep is not None else set()
    return set()


@pytest.mark.parametrize(("prompt", "patterns", "values"), MASKED_PROMPTS)
def test_default_profile_masks_and_reports_contact_data_in_prompts(
    scanner: LocalScanner, prompt: str, patterns: set[str], values: list[str]
) -> None:
    result = scanner.scan(prompt)
    wire = result.response.to_wire()
    assert (wire["action"], wire["category"]) == ("allow", "malicious")
    assert wire["prompt_detected"]["dlp"] is True  # the detection is still reported
    md = wire["prompt_masked_data"]
    assert len(md["data"]) == len(prompt) and not any(v in md["data"] for v in values)
    assert {p["pattern"] for p in md["pattern_detections"]} == patterns
    assert _report_patterns(result, "prompt") == patterns
    (dlp,) = [d for d in result.report.detection_results if d.detection_service == "dlp"]
    assert (dlp.verdict, dlp.action) == ("malicious", "allow")
    sdk_parse("ScanResponse", wire)
    sdk_parse("ThreatScanReportObject", result.report.to_wire())
    typed = result.masked("prompt", "type")
    assert typed is not None and not any(v in typed for v in values)


def test_issue_prompt_keeps_the_order_number(scanner: LocalScanner) -> None:
    masked = scanner.scan(ISSUE_PROMPT).masked("prompt", "type")
    assert masked == "My order #A-558213 arrived broken, reach me at <EMAIL_ADDRESS> or <PHONE_NUMBER>"


@pytest.mark.parametrize("prompt", BLOCKED)
def test_default_profile_blocks_secrets_cards_ids_and_bank_accounts_in_prompts(
    scanner: LocalScanner, prompt: str
) -> None:
    wire = scanner.scan(prompt).response.to_wire()
    assert (wire["action"], wire["category"]) == ("block", "malicious")
    assert wire["prompt_detected"]["dlp"] is True and "prompt_masked_data" in wire


def test_blocked_and_masked_patterns_together_block_and_mask_both(scanner: LocalScanner) -> None:
    prompt = f"I am bob@corp.com and my card is {CARD}"
    wire = scanner.scan(prompt).response.to_wire()
    assert wire["action"] == "block"
    assert {p["pattern"] for p in wire["prompt_masked_data"]["pattern_detections"]} == {
        "Email Address",
        "Credit Card Number",
    }


@pytest.mark.parametrize("leak", [*RESPONSE_LEAKS, f"SSN {SSN}"])
def test_default_profile_blocks_personal_data_in_responses(scanner: LocalScanner, leak: str) -> None:
    result = scanner.scan({"prompt": "How do I reach Bob?", "response": leak})
    wire = result.response.to_wire()
    assert wire["action"] == "block" and wire["response_detected"]["dlp"] is True
    assert "response_masked_data" in wire and "prompt_masked_data" not in wire


def test_code_prompt_cannot_be_masked_so_contact_data_blocks(scanner: LocalScanner) -> None:
    wire = scanner.scan({"code_prompt": "send_mail(to='bob@corp.com')"}).response.to_wire()
    assert wire["action"] == "block" and wire["prompt_detected"]["dlp"] is True


def _custom(data_patterns: dict[str, Any], action: str = "block", **extra: Any) -> LocalScanner:
    dlp = {"action": action, "data_patterns": data_patterns}
    return LocalScanner(ProfileStore([Profile(name="p", detectors={"dlp": dlp}, **extra)]))


def test_report_action_allows_without_masking_and_pattern_beats_group() -> None:
    s = _custom({"prompt": {"contact": "report", "phone": "mask"}})
    try:
        result = s.scan("mail bob@corp.com or call (415) 555-0132", profile="p")
    finally:
        s.close()
    wire = result.response.to_wire()
    assert wire["action"] == "allow" and wire["prompt_detected"]["dlp"] is True
    assert [p["pattern"] for p in wire["prompt_masked_data"]["pattern_detections"]] == ["Phone Number"]
    assert "bob@corp.com" in wire["prompt_masked_data"]["data"]  # reported, not masked
    assert _report_patterns(result, "prompt") == {"Email Address", "Phone Number"}


def test_allow_policy_defaults_to_report_and_listed_patterns_can_still_block() -> None:
    s = _custom({"prompt": {"credit_card": "block"}}, action="allow")
    try:
        mail = s.scan("mail bob@corp.com", profile="p").response.to_wire()
        card = s.scan(f"card {CARD}", profile="p").response.to_wire()
    finally:
        s.close()
    assert mail["action"] == "allow" and mail["prompt_detected"]["dlp"] is True
    assert "prompt_masked_data" not in mail  # alert only: AIRS masks only what the profile blocks
    assert card["action"] == "block"


def test_monitor_profile_alerts_without_masking(scanner: LocalScanner) -> None:
    wire = scanner.scan(f"card {CARD}", profile="monitor").response.to_wire()
    assert wire["action"] == "allow" and wire["prompt_detected"]["dlp"] is True
    assert "prompt_masked_data" not in wire


def test_builtin_default_profile_says_it() -> None:
    dlp = ProfileStore.default().get("default").detectors["dlp"]
    assert dlp.action == "block"
    for group in ("contact", "network"):
        assert dlp.pattern_action("prompt", None, group) == "mask"
        assert dlp.pattern_action("response", None, group) == "block"
    for pattern, group in [("credit_card", "financial"), ("iban", "financial"), ("us_ssn", "national_id")]:
        assert dlp.pattern_action("prompt", pattern, group) == "block"
    assert dlp.pattern_action("prompt", "aws_access_key", "secret") == "block"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("dlp: {data_patterns: {prompt: {emial: mask}}}", "unknown data pattern(s) ['emial']"),
        ("dlp: {data_patterns: {prompt: {email: hide}}}", "Input should be 'block', 'mask' or 'report'"),
        ("dlp: {data_patterns: {context: {email: mask}}}", "Input should be 'prompt', 'response' or 'tool_event'"),
        ("dlp: {on: [response], data_patterns: {prompt: {email: mask}}}", "which it does not scan here"),
        ("injection: {data_patterns: {prompt: {email: mask}}}", "detector 'injection' has no data patterns"),
    ],
)
def test_profile_schema_refuses_bad_data_patterns(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(f"name: p\ndetectors:\n  {body}\n")
    with pytest.raises(ProfileError) as info:
        load_profile_file(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_mask_action_needs_masking_enabled(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("name: p\nmasking: false\ndetectors:\n  dlp: {data_patterns: {prompt: {email: mask}}}\n")
    with pytest.raises(ProfileError, match=r"'mask' needs 'masking: true' \(dlp.data_patterns.prompt.email\)"):
        load_profile_file(path)


def test_custom_patterns_and_groups_are_valid_names(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "name: p\ndetectors:\n  dlp:\n    options: {custom_patterns: [{name: Employee Id, regex: 'EMP-[0-9]{6}'}]}\n"
        "    data_patterns: {prompt: {'custom:Employee Id': report, custom: mask, phone: mask, secret: block}}\n"
    )
    (profile,) = load_profile_file(path)
    s = LocalScanner(ProfileStore([profile]))
    try:
        wire = s.scan("I am EMP-123456", profile="p").response.to_wire()
    finally:
        s.close()
    assert wire["action"] == "allow" and wire["prompt_detected"]["dlp"] is True and "prompt_masked_data" not in wire


def test_stream_scanner_releases_profile_masked_text_masked(scanner: LocalScanner) -> None:
    from interlock.errors import ThreatDetected
    from interlock.streaming import StreamScanner

    chunks = ["Hi, I am bob@co", "rp.com, call me at (415) 5", "55-0132 please"]
    stream = StreamScanner(scanner, "prompt", window=40, overlap=20, mask="type", mask_blocked=False)
    out = "".join(stream.feed(c) for c in chunks) + stream.finish()
    assert out == "Hi, I am <EMAIL_ADDRESS>, call me at <PHONE_NUMBER> please" and stream.masked
    never = StreamScanner(scanner, "prompt", window=40, overlap=20)  # mask=None: never rewrites, so it blocks
    with pytest.raises(ThreatDetected, match="must be masked"):
        "".join(never.feed(c) for c in chunks) + never.finish()
    blocked = StreamScanner(scanner, "prompt", window=40, overlap=20, mask="type", mask_blocked=False)
    with pytest.raises(ThreatDetected):
        blocked.feed(f"pay with {CARD} now, thanks a lot for it") + blocked.finish()


def test_match_limit_overflow_takes_the_detector_action_not_a_group_action() -> None:
    dlp = {"options": {"max_findings": 2}, "data_patterns": {"prompt": {"contact": "mask"}}}
    s = LocalScanner(ProfileStore([Profile(name="p", detectors={"dlp": dlp})]))
    try:
        two = s.scan("a@corp.com b@corp.com", profile="p").response.to_wire()
        three = s.scan("a@corp.com b@corp.com c@corp.com", profile="p").response.to_wire()
    finally:
        s.close()
    assert two["action"] == "allow" and three["action"] == "block"
    assert three["prompt_masked_data"]["data"] == "X" * len("a@corp.com b@corp.com c@corp.com")
