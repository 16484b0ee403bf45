"""Topic guardrails: blocked and allow-only semantics, lexical matching, options, embeddings hook, wire shape."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from interlock.detectors.topic_guardrails import TopicGuardrailsDetector, TopicGuardrailsOptions
from interlock.detectors.topic_guardrails.lexical import LexicalIndex, content_tokens
from interlock.engine.base import ScanItem
from interlock.engine.registry import validate_options
from interlock.errors import ProfileError
from interlock.profiles import ProfileStore
from interlock.profiles.loader import load_profile_file
from interlock.scanner import LocalScanner
from tests.sdk_models import sdk
from tests.unit.detectors.airs_wire import local_scanner, result_detail, scan_wire

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "docs" / "examples" / "topics-profile.yaml"

CRYPTO = {
    "name": "Crypto",
    "description": "Buying, selling or predicting prices of cryptocurrency such as bitcoin and ethereum",
    "examples": ["should I buy bitcoin now", "will ethereum go up", "best crypto wallet for trading coins"],
}
COOKING = {
    "name": "Cooking",
    "description": "Recipes, cooking techniques, ingredients and kitchen equipment",
    "examples": ["how long should I bake chicken", "substitute for eggs in a cake recipe", "sharpen a kitchen knife"],
}


def detect(det: TopicGuardrailsDetector, text: str, data_type: str = "prompt") -> tuple[bool, dict[str, list[str]]]:
    r = det.detect(ScanItem(text=text, field=data_type, data_type=data_type))  # type: ignore[arg-type]
    return r.detected, r.categories


def make(**options: object) -> TopicGuardrailsDetector:
    return TopicGuardrailsDetector(TopicGuardrailsOptions.model_validate({"embeddings": "off", **options}))


def test_blocked_topic_matches_paraphrase() -> None:
    det = make(blocked_topics=[CRYPTO])
    detected, cats = detect(det, "Do you think bitcoin prices will rise next month? Should I buy?")
    assert detected and cats == {"blocked_topics": ["Crypto"]}


@pytest.mark.parametrize(
    "text",
    [
        "What's the weather like in Paris?",
        "Please summarise this meeting transcript.",
        "hi",
        "Write a haiku about rain",
    ],
)
def test_blocked_topic_hard_negatives(text: str) -> None:
    assert detect(make(blocked_topics=[CRYPTO]), text) == (False, {})


def test_allowed_list_is_allow_only() -> None:
    det = make(allowed_topics=[COOKING])
    assert detect(det, "Can you give me a cake recipe without eggs?") == (False, {"allowed_topics": ["Cooking"]})
    detected, cats = detect(det, "Explain the theory of relativity to me")
    assert detected and cats == {}
    # small talk is not off-topic unless configured so
    assert detect(det, "thanks a lot!")[0] is False
    strict = make(allowed_topics=[COOKING], allow_small_talk=False)
    assert detect(strict, "thanks a lot!")[0] is True


def test_blocked_wins_over_allowed_and_report_shape() -> None:
    det = make(allowed_topics=[COOKING], blocked_topics=[CRYPTO])
    r = det.detect(
        ScanItem(text="Should I buy bitcoin with the money I saved on recipes?", field="prompt", data_type="prompt")
    )
    assert r.detected
    report = r.detail["topic_guardrails_report"]
    assert report["blocked_topic_list"] == "matched"
    assert report["blockedTopics"] == ["Crypto"]
    assert set(report) == {"allowed_topic_list", "blocked_topic_list", "allowedTopics", "blockedTopics"}
    parsed = sdk.TgReportObject.from_dict(report)
    assert parsed.blocked_topics == ["Crypto"]


def test_long_text_matches_by_window() -> None:
    det = make(blocked_topics=[CRYPTO])
    filler = "The weekly meeting covered the office move, parking and the new coffee machine. " * 30
    assert detect(det, filler + "Also, should I buy bitcoin now or wait for ethereum to go up? " + filler)[0]
    assert not detect(det, filler)[0]


def test_lexical_index_basics() -> None:
    assert content_tokens("The Recipes are cooking!") == ["recip", "cook"]
    index = LexicalIndex([("a", "bitcoin price prediction"), ("b", "chocolate cake recipe")])
    scores = index.scores(content_tokens("bitcoin price tomorrow"))
    assert scores["a"] > 0.3 and scores.get("b", 0.0) == 0.0


class FakeEncoder:
    """Maps texts to 2-d unit vectors by keyword, standing in for the optional embedding model."""

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        keys = ("coin", "crypto", "ethereum")
        return [[1.0, 0.0] if any(k in t.lower() for k in keys) else [0.0, 1.0] for t in texts]


def test_semantic_scores_are_used_when_an_encoder_is_present() -> None:
    opts = TopicGuardrailsOptions.model_validate({"blocked_topics": [CRYPTO]})
    det = TopicGuardrailsDetector(opts, encoder=FakeEncoder())
    assert det.semantic
    # no lexical overlap with the Crypto references, but the (fake) embedding puts it on the topic
    assert detect(det, "dogecoin moon soon?")[0]
    assert not detect(det, "lovely weather today")[0]


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"blocked_topics": [CRYPTO, CRYPTO]},
        {"blocked_topics": [{"name": "x", "description": "the of and"}]},
        {"blocked_topics": [{"name": "x", "description": "ok", "bogus": 1}]},
        {"blocked_topics": [CRYPTO], "threshold": 0},
    ],
)
def test_bad_options_are_profile_errors(options: dict[str, object]) -> None:
    with pytest.raises(ProfileError):
        validate_options("topic_violation", options)


def test_example_profile_loads_and_scans() -> None:
    profiles = load_profile_file(EXAMPLE)
    assert [p.name for p in profiles] == ["banking-assistant"]
    scanner = LocalScanner(ProfileStore(profiles))
    try:
        ok = scanner.scan("My debit card was declined, can you check my account?", profile="banking-assistant")
        assert not ok.blocked
        bad = scanner.scan("Which shares should I buy to get rich quickly?", profile="banking-assistant")
        assert bad.blocked
        off = scanner.scan("Write me a poem about the sea", profile="banking-assistant")
        assert off.blocked
    finally:
        scanner.close()


def test_wire_output_parses_with_sdk() -> None:
    scanner = local_scanner("topic_violation", {"blocked_topics": [CRYPTO], "allowed_topics": [COOKING]})
    try:
        result, response, report = scan_wire(scanner, {"prompt": "Should I buy bitcoin now?"})
        assert result.blocked and response["prompt_detected"]["topic_violation"] is True
        details = response["prompt_detection_details"]["topic_guardrails_details"]
        assert details["blocked_topics"] == ["Crypto"]
        tg = result_detail(report)["topic_guardrails_report"]
        assert tg["blockedTopics"] == ["Crypto"] and tg["blocked_topic_list"] == "matched"
        parsed = sdk.ScanResponse.from_dict(response)
        assert parsed.prompt_detection_details.topic_guardrails_details.blocked_topics == ["Crypto"]
        parsed_report = sdk.ThreatScanReportObject.from_dict(report)
        assert parsed_report.detection_results[0].result_detail.topic_guardrails_report.blocked_topics == ["Crypto"]
    finally:
        scanner.close()
