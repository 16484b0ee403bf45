"""Configuration, serialisation and the payload hash (no network)."""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl

import httpx
import pytest
import trustme
from hypothesis import given, settings, strategies as st

from interlock.client import (
    DEFAULT_ENDPOINT,
    ClientConfig,
    Limits,
    RemoteScanner,
    count_urls,
    encode_body,
    payload_hash,
)
from interlock.client._base import RemoteBase, _retry_after_body, _retry_after_header, normalize_endpoint
from interlock.errors import ConfigError
from interlock.models import AsyncScanObject, ScanRequest

from .conftest import KEY, TOKEN, canned

sdk_utils = pytest.importorskip("aisecurity.utils", reason="pan-aisecurity not installed")
sdk_models = pytest.importorskip("aisecurity.generated_openapi_client.models")
sdk_api = pytest.importorskip("aisecurity.generated_openapi_client.urllib3.api_client")


# ------------------------------------------------------------------------------------------------ credentials


def test_credentials_from_arguments_win_over_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANW_AI_SEC_API_KEY", "env-key")
    monkeypatch.setenv("PANW_AI_SEC_API_ENDPOINT", "https://env.example.com/")
    cfg = ClientConfig.create(api_key="arg-key")
    assert cfg.api_key == "arg-key"
    assert cfg.endpoint == "https://env.example.com"


def test_env_vars_used_when_arguments_omitted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANW_AI_SEC_API_KEY", "env-key")
    monkeypatch.setenv("PANW_AI_SEC_API_TOKEN", "env-token")
    cfg = ClientConfig.create()
    assert (cfg.api_key, cfg.api_token, cfg.endpoint) == ("env-key", "env-token", DEFAULT_ENDPOINT)
    headers = cfg.client_headers()
    assert headers["x-pan-token"] == "env-key"
    assert headers["Authorization"] == "Bearer env-token"


def test_missing_credentials_is_a_clear_config_error() -> None:
    with pytest.raises(ConfigError, match="PANW_AI_SEC_API_KEY"):
        RemoteScanner()
    with pytest.raises(ConfigError, match="API key or an API token"):
        RemoteScanner(api_key="", api_token="  ")


@pytest.mark.parametrize("bad", ["k" * 2049, "key\nX-Injected: 1", "clé"])
def test_invalid_credentials_rejected(bad: str) -> None:
    with pytest.raises(ConfigError):
        RemoteScanner(api_key=bad)
    with pytest.raises(ConfigError):
        RemoteScanner(api_token=bad)


def test_credential_at_the_limit_is_accepted() -> None:
    assert RemoteScanner(api_key="k" * 2048).config.api_key == "k" * 2048


def test_repr_never_shows_credentials() -> None:
    s = RemoteScanner(api_key=KEY, api_token=TOKEN)
    assert KEY not in repr(s) and TOKEN not in repr(s) and KEY not in repr(s.config)
    assert "api_key" in repr(s)


def test_reserved_headers_cannot_be_overridden() -> None:
    with pytest.raises(ConfigError):
        RemoteScanner(api_key=KEY, headers={"X-Pan-Token": "other"})
    assert RemoteScanner(api_key=KEY, headers={"X-App": "a"}).config.client_headers()["X-App"] == "a"


# ------------------------------------------------------------------------------------------------ endpoint


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://service.api.aisecurity.paloaltonetworks.com/", DEFAULT_ENDPOINT),
        ("  HTTPS://Example.com:8443//  ", "https://example.com:8443"),
        ("https://gw.example.com/airs/", "https://gw.example.com/airs"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://localhost:9", "http://localhost:9"),
        ("http://[::1]:8080", "http://[::1]:8080"),
    ],
)
def test_endpoint_normalised(given: str, expected: str) -> None:
    assert normalize_endpoint(given) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "http://example.com",  # clear text to a remote host
        "http://10.0.0.1:8080",
        "ftp://example.com",
        "example.com",
        "https://",
        "https://user:pw@example.com",
        "https://example.com/?x=1",
        "https://example.com:99999",
        "",
    ],
)
def test_bad_endpoint_rejected(bad: str) -> None:
    with pytest.raises(ConfigError):
        RemoteScanner(api_key=KEY, endpoint=bad)


def test_allow_http_opt_in() -> None:
    s = RemoteScanner(api_key=KEY, endpoint="http://interlock:8080/", allow_http=True)
    assert s.endpoint == "http://interlock:8080"


@pytest.mark.parametrize(
    "kwargs",
    [{"timeout": 0}, {"timeout": "30"}, {"max_retries": -1}, {"backoff_base": -1.0}, {"verify": 3}],
)
def test_bad_options_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        RemoteScanner(api_key=KEY, **kwargs)  # type: ignore[arg-type]


def test_bad_limits_rejected() -> None:
    with pytest.raises(ConfigError):
        Limits(max_batch=0)
    assert Limits(max_urls=None).max_urls is None


def test_timeout_default_and_custom() -> None:
    assert ClientConfig.create(api_key=KEY).timeout == httpx.Timeout(30.0, connect=10.0)
    assert ClientConfig.create(api_key=KEY, timeout=5).timeout == httpx.Timeout(5.0)
    t = httpx.Timeout(1.0, read=60.0)
    assert ClientConfig.create(api_key=KEY, timeout=t).timeout is t


def test_verify_ca_bundle_and_ssl_cert_file(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    ca = trustme.CA()
    pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    assert isinstance(ClientConfig.create(api_key=KEY, verify=str(pem)).verify, ssl.SSLContext)
    assert ClientConfig.create(api_key=KEY).verify is True
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))
    assert isinstance(ClientConfig.create(api_key=KEY).verify, ssl.SSLContext)
    assert ClientConfig.create(api_key=KEY, verify=False).verify is False
    with pytest.raises(ConfigError, match="CA certificates"):
        ClientConfig.create(api_key=KEY, verify=str(tmp_path / "missing.pem"))


# ------------------------------------------------------------------------------------------------ wire


def _sdk_body(request: object, model: str = "ScanRequest") -> object:
    """What the SDK's API client passes to ``json.dumps``/the hash: its models, built like ``sync_scan`` does."""
    cls = getattr(sdk_models, model)
    built = [cls.model_validate(r) for r in request] if isinstance(request, list) else cls.model_validate(request)
    return sdk_api.ApiClient().sanitize_for_serialization(built)


@pytest.mark.parametrize("fixture", ["sync_request.json", "sync_request_tool_event.json"])
def test_body_bytes_equal_the_sdk_serialisation(fixture: str) -> None:
    data = canned(fixture)
    ours = encode_body(ScanRequest.model_validate(data).to_wire())
    assert ours == json.dumps(_sdk_body(data)).encode()
    assert ours == json.dumps(data).encode()


def test_non_ascii_is_escaped_like_the_sdk() -> None:
    data = {"ai_profile": {"profile_name": "p"}, "contents": [{"prompt": 'naïve ☃ 𝄞 "q"\n'}]}
    body = encode_body(ScanRequest.model_validate(data).to_wire())
    assert body.isascii() and b"\\u2603" in body and b"\\ud834\\udd1e" in body
    assert body == json.dumps(_sdk_body(data)).encode()


def test_async_body_matches_the_sdk() -> None:
    items = canned("async_request.json")
    ours = encode_body([AsyncScanObject.model_validate(i).to_wire() for i in items])
    assert ours == json.dumps(_sdk_body(items, "AsyncScanObject")).encode()


@pytest.mark.parametrize(("key", "token"), [(KEY, None), (None, TOKEN), (KEY, TOKEN)])
def test_payload_hash_equals_the_sdk_helper(key: str | None, token: str | None) -> None:
    cfg = ClientConfig.create(api_key=key, api_token=token)
    expected_key = f"Bearer {token}" if token else key
    assert cfg.hash_key == expected_key
    body_dict = _sdk_body(canned("sync_request.json"))
    body = encode_body(ScanRequest.model_validate(canned("sync_request.json")).to_wire())
    assert payload_hash(cfg.hash_key, body) == sdk_utils.Utils.generate_payload_hash(expected_key, body_dict)
    assert payload_hash(cfg.hash_key, None) == sdk_utils.Utils.generate_payload_hash(expected_key, None)
    assert payload_hash(cfg.hash_key, None) == hmac.new(expected_key.encode(), b"null", hashlib.sha256).hexdigest()
    assert payload_hash(cfg.hash_key, body) != payload_hash(cfg.hash_key, body + b" ")


# ------------------------------------------------------------------------------------------------ helpers


def test_count_urls() -> None:
    assert count_urls(["see https://a.example/x and HTTP://b.example", None, "ftp://c http:// x"]) == 2
    assert count_urls(["http://a " * 500], stop_after=100) == 101
    assert count_urls(["no links here, just https: text and www.example.com"]) == 0
    assert count_urls(["lone surrogate \ud800 then https://ü.example/ and http://x"]) == 2


def test_retry_after_parsing() -> None:
    assert _retry_after_header("5") == 5.0
    assert _retry_after_header("-3") == 0.0
    assert _retry_after_header("soon") is None
    assert _retry_after_header("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == pytest.approx(10.0)
    assert _retry_after_body({"error": {"message": "x", "retry_after": {"interval": 5, "unit": "minute"}}}) == 300
    assert _retry_after_body({"error": {"retry_after": {"interval": 2, "unit": "seconds"}}}) == 2
    assert _retry_after_body({"error": {"retry_after": {"interval": "5"}}}) is None
    assert _retry_after_body(["not", "a", "dict"]) is None


def test_retry_policy_backoff_is_exponential_and_capped() -> None:
    base = RemoteBase()
    base.config = ClientConfig.create(api_key=KEY, backoff_base=0.1, backoff_max=0.5)
    assert [base.config.retry.backoff(i) for i in range(5)] == [0.1, 0.2, 0.4, 0.5, 0.5]


@settings(max_examples=60, deadline=None)
@given(
    prompt=st.text(min_size=1, max_size=200),
    response=st.one_of(st.none(), st.text(min_size=1, max_size=200)),
    tr_id=st.one_of(st.none(), st.text(max_size=20)),
)
def test_body_and_hash_match_the_sdk_for_any_text(prompt: str, response: str | None, tr_id: str | None) -> None:
    data: dict[str, object] = {"ai_profile": {"profile_name": "p"}, "contents": [{"prompt": prompt}]}
    if response is not None:
        data["contents"] = [{"prompt": prompt, "response": response}]
    if tr_id is not None:
        data = {"tr_id": tr_id, **data}
    base = RemoteBase()
    base.config = ClientConfig.create(api_key=KEY, endpoint="https://a.example")
    call = base.scan_call(ScanRequest.model_validate(data))
    assert call.body is not None and call.body.isascii()
    assert json.loads(call.body) == data
    sdk_body = _sdk_body(data)
    assert call.body == json.dumps(sdk_body).encode()
    sent_hash = base.request_kwargs(call)["headers"]["x-payload-hash"]
    assert sent_hash == sdk_utils.Utils.generate_payload_hash(KEY, sdk_body)
