"""Property tests: DLP scanning never raises, and masking keeps length and only touches detected spans."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from interlock.masking import mask_text
from interlock.profiles import Profile, ProfileStore
from interlock.scanner import LocalScanner

_SCANNER = LocalScanner(
    ProfileStore(
        [Profile(name="dlp-props", detectors={"dlp": {"action": "block", "options": {"min_confidence": "low"}}})]
    )
)

#: fragments that make the detectors fire (and nearly fire), mixed with arbitrary Unicode
_FRAGMENTS = st.sampled_from(
    [
        "4111 1111 1111 1111",
        "4111-1111-1111-1112",
        "536-90-4399",
        "000-12-3456",
        "GB82 WEST 1234 5698 7654 32",
        "john.doe@example.com",
        "@@",
        "(415) 555-2671",
        "+44 20 7946 0958",
        "10.0.0.1",
        "2001:db8::1",
        "AKIA2OGYBAH6STMMNXNN",
        "password=Xk9#mP2$vL7q",
        "api_key=",
        "-----BEGIN PRIVATE KEY-----",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghij",
        "SSN",
        "card",
        "routing 021000021",
        "=" * 5,
        "9" * 20,
    ]
)
_TEXT = st.lists(st.one_of(st.text(max_size=40), _FRAGMENTS), max_size=30).map("".join)
_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(_TEXT)
def test_dlp_scan_never_raises_and_masks_in_place(text: str) -> None:
    if not text.strip():
        return
    result = _SCANNER.scan({"prompt": text}, profile="dlp-props")
    assert result.response.error is False
    masked = result.response.prompt_masked_data
    spans = [(f.start, f.end) for f in result.findings if f.mask and f.field == "prompt"]
    if masked is None:
        assert spans == []
        return
    assert len(masked.data) == len(text)
    inside = [False] * len(text)
    for start, end in spans:
        assert 0 <= start < end <= len(text)
        for i in range(start, end):
            inside[i] = True
    for i, (a, b) in enumerate(zip(text, masked.data, strict=True)):
        assert (b == "X") if inside[i] else (a == b)
    locations = {tuple(loc) for p in masked.pattern_detections for loc in p.locations}
    assert locations == set(spans)


@st.composite
def _text_and_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]]]:
    text = draw(st.text(max_size=200))
    n = len(text)
    spans = draw(
        st.lists(
            st.tuples(st.integers(-5, n + 5), st.integers(-5, n + 5), st.sampled_from(["Card", "Email", "Secret"])),
            max_size=8,
        )
    )
    return text, spans


@_SETTINGS
@given(_text_and_spans())
def test_mask_text_x_keeps_length_and_only_changes_spans(case: tuple[str, list[tuple[int, int, str]]]) -> None:
    text, spans = case
    out = mask_text(text, spans, "x")
    assert len(out) == len(text)
    covered = {i for s, e, _ in spans for i in range(max(0, s), min(len(text), e))}
    for i, (a, b) in enumerate(zip(text, out, strict=True)):
        assert b == ("X" if i in covered else a)


@_SETTINGS
@given(_text_and_spans(), st.sampled_from(["type", "hash"]))
def test_token_strategies_keep_the_unmasked_text(case: tuple[str, list[tuple[int, int, str]]], strategy: str) -> None:
    text, spans = case
    out = mask_text(text, spans, strategy)  # type: ignore[arg-type]
    covered = {i for s, e, _ in spans for i in range(max(0, s), min(len(text), e))}
    kept = "".join(c for i, c in enumerate(text) if i not in covered)
    # every unmasked character survives, in order
    it = iter(out)
    assert all(c in it for c in kept)
    if not covered:
        assert out == text
