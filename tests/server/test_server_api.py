"""The scan API in-process (ASGI): status codes, error bodies, limits, auth, ids, metrics, OpenAPI."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interlock.engine import registry
from interlock.profiles import DetectorPolicy, Profile, ProfileStore
from interlock.scanner import LocalScanner
from interlock.server import ServerSettings, create_app
from interlock.server.auth import create_key
from interlock.server.store import Store

SECRET_TEXT = "evil plan 8f3a9c"


@pytest.fixture
def fake_detectors(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(registry.BUILTIN, "word", "fakes:WordDetector")
    # a failing detector must report under a wire feature name (errors[].feature is an enum)
    monkeypatch.setitem(registry.BUILTIN, "source_code", "fakes:BrokenDetector")
    registry.detector_class.cache_clear()
    yield
    registry.detector_class.cache_clear()


def make_scanner() -> LocalScanner:
    return LocalScanner(
        ProfileStore(
            [
                Profile(name="default", detectors={"word": DetectorPolicy()}),
                Profile(name="t", detectors={"word": DetectorPolicy(options={"word": "evil", "mask": True})}),
                Profile(name="other", detectors={"word": DetectorPolicy()}),
                Profile(name="flaky", detectors={"word": DetectorPolicy(), "source_code": DetectorPolicy()}),
            ]
        )
    )


class Api:
    def __init__(self, tmp: Path, **settings: Any) -> None:
        self.settings = ServerSettings(db=str(tmp / "api.db"), **settings)
        self.app = create_app(self.settings, scanner=make_scanner())
        store = Store(self.settings.db)
        self.key = create_key(store, "main")[0]
        self.bound_key = create_key(store, "bound", ["other"])[0]
        self.revoked_key = create_key(store, "gone")[0]
        store.revoke_key("gone")
        store.close()
        self.client = TestClient(self.app, headers={"x-pan-token": self.key}, raise_server_exceptions=False)

    def sync(self, body: Any, **kw: Any) -> Any:
        return self.client.post("/v1/scan/sync/request", json=body, **kw)


@pytest.fixture
def api(tmp_path: Path, fake_detectors: None) -> Iterator[Api]:
    a = Api(tmp_path)
    with a.client:
        yield a


def req(prompt: str | None = "hello", profile: str = "t", **extra: Any) -> dict[str, Any]:
    content = {"prompt": prompt} if prompt is not None else {}
    return {"ai_profile": {"profile_name": profile}, "contents": [content], **extra}


def assert_error(resp: Any, status: int, message: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body: dict[str, Any] = resp.json()
    assert body["error"]["message"] == message
    assert resp.headers["content-type"].startswith("application/json")
    return body


def test_sync_scan_verdict_echo_and_retrieval(api: Api) -> None:
    r = api.sync(req(SECRET_TEXT, tr_id="tx-1", session_id="s-9", metadata={"app_name": "a", "app_user": "u"}))
    assert r.status_code == 200
    body = r.json()
    assert body["action"] == "block" and body["category"] == "malicious"
    assert body["tr_id"] == "tx-1" and body["session_id"] == "s-9" and body["profile_name"] == "t"
    assert body["report_id"] == "R" + body["scan_id"] and str(uuid.UUID(body["scan_id"])) == body["scan_id"]
    assert body["prompt_masked_data"]["data"].startswith("XXXX")
    res = api.client.get("/v1/scan/results", params={"scan_ids": body["scan_id"]}).json()
    expected = {"source": "AI-Runtime-API", "req_id": 0, "status": "complete", "scan_id": body["scan_id"]}
    assert res == [{**expected, "result": body}]
    rep = api.client.get("/v1/scan/reports", params={"report_ids": body["report_id"]}).json()
    assert len(rep) == 1 and rep[0]["req_id"] == 0 and rep[0]["transaction_id"] == "tx-1"
    assert rep[0]["session_id"] == "s-9"


def test_benign_and_detector_error_are_200(api: Api) -> None:
    ok = api.sync(req("good morning")).json()
    assert ok["action"] == "allow" and ok["error"] is False
    flaky = api.sync(req("good morning", profile="flaky"))
    assert flaky.status_code == 200
    assert flaky.json()["error"] is True and flaky.json()["action"] == "block"  # fail closed


def test_async_batch_completes_and_is_queryable(api: Api) -> None:
    batch = [{"req_id": 7, "scan_req": req("fine")}, {"req_id": 3, "scan_req": req(SECRET_TEXT, tr_id="b")}]
    r = api.client.post("/v1/scan/async/request", json=batch)
    assert r.status_code == 200
    acc = r.json()
    assert acc["report_id"] == "R" + acc["scan_id"] and acc["received"].endswith("Z")
    for _ in range(200):
        res = api.client.get("/v1/scan/results", params={"scan_ids": acc["scan_id"]}).json()
        if all(x["status"] == "complete" for x in res):
            break
        time.sleep(0.02)
    assert [x["req_id"] for x in res] == [3, 7]
    assert [x["result"]["action"] for x in res] == ["block", "allow"]
    assert res[0]["result"]["tr_id"] == "b" and res[0]["result"]["scan_id"] == acc["scan_id"]
    rep = api.client.get("/v1/scan/reports", params={"report_ids": acc["report_id"]}).json()
    assert sorted(x["req_id"] for x in rep) == [3, 7]


def test_query_ids_comma_joined_repeated_and_validated(api: Api) -> None:
    a = api.sync(req("one")).json()["scan_id"]
    b = api.sync(req("two")).json()["scan_id"]
    joined = api.client.get(f"/v1/scan/results?scan_ids={a},{b}").json()
    repeated = api.client.get(f"/v1/scan/results?scan_ids={a}&scan_ids={b}").json()
    assert [x["scan_id"] for x in joined] == [a, b] == [x["scan_id"] for x in repeated]
    assert len(api.client.get(f"/v1/scan/reports?report_ids=R{a},R{b}").json()) == 2
    bad = [
        "/v1/scan/results",
        "/v1/scan/results?scan_ids=",
        "/v1/scan/results?scan_ids=" + ",".join(str(uuid.uuid4()) for _ in range(6)),
        "/v1/scan/results?scan_ids=not-a-uuid",
        f"/v1/scan/results?scan_ids={a}0",
        f"/v1/scan/results?scan_ids={uuid.uuid4()}",  # unknown
        f"/v1/scan/reports?report_ids={a}",  # missing the R
        f"/v1/scan/reports?report_ids=R{uuid.uuid4()}",
        "/v1/scan/reports?report_ids=R" + "x" * 36,
    ]
    for url in bad:
        assert_error(api.client.get(url), 400, "Request data is invalid or malformed")


def test_scans_are_private_to_their_key(api: Api, tmp_path: Path) -> None:
    sid = api.sync(req("mine")).json()["scan_id"]
    store = Store(api.settings.db)
    other = create_key(store, "other-tenant")[0]
    store.close()
    r = api.client.get("/v1/scan/results", params={"scan_ids": sid}, headers={"x-pan-token": other})
    assert_error(r, 400, "Request data is invalid or malformed")


@pytest.mark.parametrize(
    "body",
    [
        {"ai_profile": {"profile_name": "t"}},  # no contents
        {"ai_profile": {"profile_name": "t"}, "contents": []},
        {"ai_profile": {"profile_name": "t"}, "contents": [{}]},
        {"ai_profile": {"profile_name": "t"}, "contents": [{"prompt": ""}]},
        {"ai_profile": {"profile_name": "t"}, "contents": [{"prompt": 5}]},
        {"ai_profile": {}, "contents": [{"prompt": "x"}]},
        {"ai_profile": {"profile_id": "nope"}, "contents": [{"prompt": "x"}]},
        {"ai_profile": {"profile_name": "p" * 101}, "contents": [{"prompt": "x"}]},
        {"ai_profile": {"profile_name": "t"}, "contents": [{"prompt": "x"}], "tr_id": 12},
        [1, 2],
        "text",
    ],
)
def test_invalid_bodies_are_400(api: Api, body: Any) -> None:
    assert_error(api.sync(body), 400, "Request data is invalid or malformed")


def test_tool_event_with_only_metadata_is_scanned(api: Api) -> None:
    """LiteLLM's MCP tool call without arguments: the tool and server names are what is scanned."""
    md = {"ecosystem": "mcp", "method": "tools/call", "server_name": "files", "tool_invoked": "evil_exec"}
    r = api.sync(req(None, tr_id="mcp") | {"contents": [{"tool_event": {"metadata": md}}]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["action"] == "block" and body["tool_detected"]["metadata"] == md
    assert body["tool_detected"]["verdict"] == "malicious" and "input_detected" in body["tool_detected"]
    ok = api.sync(req(None) | {"contents": [{"tool_event": {"metadata": {**md, "tool_invoked": "list"}}}]})
    assert ok.json()["action"] == "allow"
    empty = api.sync(req(None) | {"contents": [{"tool_event": {}}]})
    assert_error(empty, 400, "Request data is invalid or malformed")


def test_malformed_json_is_400(api: Api) -> None:
    json_type = {"content-type": "application/json"}
    r = api.client.post("/v1/scan/sync/request", content=b'{"ai_profile": ', headers=json_type)
    assert_error(r, 400, "Request data is invalid or malformed")


def test_missing_ai_profile_uses_the_keys_profile_else_default(api: Api) -> None:
    """Deliberate extension (docs/server.md): LiteLLM without profile_name sends no ai_profile."""
    store = Store(api.settings.db)
    two = create_key(store, "two", ["flaky", "other"])[0]
    flaky_id = api.app.state.interlock.scanner.profiles.get("flaky").id
    by_id = create_key(store, "by-id", [flaky_id])[0]
    store.close()
    bare = {"contents": [{"prompt": SECRET_TEXT}], "tr_id": "np"}
    unbound = api.sync(bare).json()
    assert unbound["profile_name"] == "default" and unbound["action"] == "block" and unbound["tr_id"] == "np"
    assert api.sync(bare, headers={"x-pan-token": api.bound_key}).json()["profile_name"] == "other"
    assert api.sync(bare, headers={"x-pan-token": two}).json()["profile_name"] == "flaky"  # the first binding
    assert api.sync(bare, headers={"x-pan-token": by_id}).json()["profile_name"] == "flaky"
    r = api.client.post("/v1/scan/async/request", json=[{"req_id": 1, "scan_req": bare}], headers={"x-pan-token": two})
    sid = r.json()["scan_id"]
    for _ in range(200):
        res = api.client.get("/v1/scan/results", params={"scan_ids": sid}, headers={"x-pan-token": two}).json()
        if res[0]["status"] == "complete":
            break
        time.sleep(0.02)
    assert res[0]["result"]["profile_name"] == "flaky" and res[0]["result"]["tr_id"] == "np"


def test_missing_ai_profile_without_a_default_profile_is_404(tmp_path: Path, fake_detectors: None) -> None:
    settings = ServerSettings(db=str(tmp_path / "nodefault.db"))
    app = create_app(settings, scanner=LocalScanner(ProfileStore([Profile(name="t", detectors={})])))
    store = Store(settings.db)
    key = create_key(store, "k")[0]
    store.close()
    with TestClient(app, headers={"x-pan-token": key}, raise_server_exceptions=False) as client:
        r = client.post("/v1/scan/sync/request", json={"contents": [{"prompt": "x"}]})
    assert_error(r, 404, "Resource is not found: profile not found")


def test_unknown_profile_is_404_saying_profile_not_found(api: Api) -> None:
    """AIRS shape and status; LiteLLM recognises a profile error by the words "profile not found"."""
    not_found = "Resource is not found: profile not found"
    assert_error(api.sync(req(profile="nope")), 404, not_found)
    r = api.sync({"ai_profile": {"profile_id": str(uuid.uuid4())}, "contents": [{"prompt": "x"}]})
    assert_error(r, 404, not_found)
    batch = [{"req_id": 1, "scan_req": req(profile="nope")}]
    assert_error(api.client.post("/v1/scan/async/request", json=batch), 404, not_found)
    assert_error(api.client.get("/v1/nothing"), 404, "Resource is not found")  # other 404s keep the plain message


def test_auth_401_403_and_profile_binding(api: Api) -> None:
    bare = TestClient(api.app, raise_server_exceptions=False)
    assert_error(bare.post("/v1/scan/sync/request", json=req()), 401, "Not Authenticated")
    assert_error(bare.get(f"/v1/scan/results?scan_ids={uuid.uuid4()}"), 401, "Not Authenticated")
    for key in ("wrong", api.revoked_key, api.key[:-1] + ("A" if api.key[-1] != "A" else "B"), "ilk_x" * 500):
        assert_error(api.sync(req(), headers={"x-pan-token": key}), 403, "Invalid API Key")
    bearer = {"authorization": f"Bearer {api.key}", "x-pan-token": ""}
    assert api.client.post("/v1/scan/sync/request", json=req(), headers=bearer).status_code == 403  # empty key
    ok = bare.post("/v1/scan/sync/request", json=req(), headers={"authorization": f"Bearer {api.key}"})
    assert ok.status_code == 200
    basic = bare.post("/v1/scan/sync/request", json=req(), headers={"authorization": "Basic abc"})
    assert_error(basic, 403, "Invalid API Key")
    bound = {"x-pan-token": api.bound_key}
    assert_error(api.sync(req(profile="t"), headers=bound), 403, "Invalid API Key")
    assert api.sync(req(profile="other"), headers=bound).status_code == 200
    batch = [{"req_id": 1, "scan_req": req(profile="other")}, {"req_id": 2, "scan_req": req(profile="t")}]
    assert_error(api.client.post("/v1/scan/async/request", json=batch, headers=bound), 403, "Invalid API Key")
    assert bare.get("/v1/internal/health").status_code == 200 and bare.get("/v1/internal/health").content == b""


def test_method_path_and_media_type(api: Api) -> None:
    assert_error(api.client.get("/v1/scan/sync/request"), 405, "The method is not allowed")
    assert_error(api.client.put("/v1/scan/results"), 405, "The method is not allowed")
    assert_error(api.client.get("/v1/nothing"), 404, "Resource is not found")
    assert_error(api.client.post("/v2/scan/sync/request", json=req()), 404, "Resource is not found")
    r = api.client.post("/v1/scan/sync/request", content=json.dumps(req()), headers={"content-type": "text/plain"})
    assert_error(r, 415, "The media type is not supported")
    r = api.client.post("/v1/scan/sync/request", content=json.dumps(req()).encode(), headers={"content-type": ""})
    assert_error(r, 415, "The media type is not supported")
    ok = api.client.post(
        "/v1/scan/sync/request", content=json.dumps(req()), headers={"content-type": "application/json; charset=utf-8"}
    )
    assert ok.status_code == 200
    # the SDK does not strip a trailing / from its base URL
    assert api.client.post("http://testserver//v1/scan/sync/request", json=req()).status_code == 200


def test_body_and_count_limits(tmp_path: Path, fake_detectors: None) -> None:
    a = Api(tmp_path, sync_body_limit=4096, async_body_limit=8192, max_async_batch=3, max_urls=5)
    with a.client:
        assert_error(a.sync(req("y" * 5000)), 413, "The request body is too large")

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
            yield b'{"ai_profile": {"profile_name": "t"}, "contents": [{"prompt": "'
            for _ in range(100):
                yield b"z" * 100
            yield b'"}]}'

        r = a.client.post("/v1/scan/sync/request", content=chunks(), headers={"content-type": "application/json"})
        assert_error(r, 413, "The request body is too large")
        urls = " ".join(f"https://example{i}.com/x" for i in range(6))
        assert_error(a.sync(req(urls)), 413, "The request body is too large")
        assert a.sync(req(" ".join(urls.split()[:5]))).status_code == 200
        batch = [{"req_id": i, "scan_req": req()} for i in range(4)]
        assert_error(a.client.post("/v1/scan/async/request", json=batch), 413, "The request body is too large")
        assert_error(a.client.post("/v1/scan/async/request", json=[]), 400, "Request data is invalid or malformed")
        dup = [{"req_id": 1, "scan_req": req()}, {"req_id": 1, "scan_req": req()}]
        assert_error(a.client.post("/v1/scan/async/request", json=dup), 400, "Request data is invalid or malformed")
        big = [{"req_id": i, "scan_req": req("q" * 3000)} for i in range(3)]
        assert_error(a.client.post("/v1/scan/async/request", json=big), 413, "The request body is too large")


def test_rate_limit_429(tmp_path: Path, fake_detectors: None) -> None:
    a = Api(tmp_path, rate_limit=0.01, rate_burst=2, query_rate_limit=0.01, query_rate_burst=1)
    with a.client:
        assert a.sync(req()).status_code == 200
        assert a.sync(req()).status_code == 200
        r = a.sync(req())
        body = assert_error(r, 429, "Request exceeds limit")
        assert body["error"]["retry_after"]["unit"] == "second" and body["error"]["retry_after"]["interval"] >= 1
        assert int(r.headers["retry-after"]) >= 1
        # other keys have their own bucket
        assert a.sync(req(profile="other"), headers={"x-pan-token": a.bound_key}).status_code == 200
        sid = str(uuid.uuid4())
        assert a.client.get(f"/v1/scan/results?scan_ids={sid}").status_code == 400
        assert a.client.get(f"/v1/scan/results?scan_ids={sid}").status_code == 429


def test_too_many_concurrent_scans_is_429(tmp_path: Path, fake_detectors: None) -> None:
    a = Api(tmp_path, max_inflight=1)
    with a.client:
        a.app.state.interlock.inflight = 1  # as if one scan were running
        body = assert_error(a.sync(req()), 429, "Request exceeds limit")
        assert body["error"]["retry_after"] == {"interval": 1, "unit": "second"}
        a.app.state.interlock.inflight = 0
        assert a.sync(req()).status_code == 200


def test_payload_hash_verification(tmp_path: Path, fake_detectors: None) -> None:
    a = Api(tmp_path, verify_payload_hash=True)
    with a.client:
        body = json.dumps(req()).encode()
        good = hmac.new(a.key.encode(), body, hashlib.sha256).hexdigest()
        headers = {"content-type": "application/json"}
        ok = a.client.post("/v1/scan/sync/request", content=body, headers={**headers, "x-payload-hash": good})
        assert ok.status_code == 200
        r = a.client.post("/v1/scan/sync/request", content=body, headers={**headers, "x-payload-hash": "0" * 64})
        assert_error(r, 400, "Request data is invalid or malformed")
        assert a.client.post("/v1/scan/sync/request", content=body, headers=headers).status_code == 200  # optional
        # both credentials: the Python SDK keys with the Authorization value, the TypeScript SDK with the API key
        both = {**headers, "authorization": f"Bearer {a.key}"}
        for hash_key in (f"Bearer {a.key}", a.key):
            sent = hmac.new(hash_key.encode(), body, hashlib.sha256).hexdigest()
            r = a.client.post("/v1/scan/sync/request", content=body, headers={**both, "x-payload-hash": sent})
            assert r.status_code == 200, (hash_key, r.text)
        for sent in (hmac.new(b"Bearer ", body, hashlib.sha256).hexdigest(), b"\xe9" * 64):
            r = a.client.post("/v1/scan/sync/request", content=body, headers={**both, "x-payload-hash": sent})
            assert_error(r, 400, "Request data is invalid or malformed")
        sid = str(uuid.uuid4())
        get_hash = hmac.new(a.key.encode(), b"null", hashlib.sha256).hexdigest()
        r = a.client.get(f"/v1/scan/results?scan_ids={sid}", headers={"x-payload-hash": get_hash})
        assert r.status_code == 400 and r.json() == {"error": {"message": "Request data is invalid or malformed"}}


def test_request_id_metrics_and_access_log_hygiene(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="interlock.server.access"):
        r = api.sync(req(SECRET_TEXT), headers={"x-request-id": "abc-123"})
        other = api.sync(req("fine"))
    assert r.headers["x-request-id"] == "abc-123"
    assert len(other.headers["x-request-id"]) == 32
    lines = [json.loads(rec.getMessage()) for rec in caplog.records if rec.name == "interlock.server.access"]
    assert [x["request_id"] for x in lines] == ["abc-123", other.headers["x-request-id"]]
    assert all(x["status"] == 200 and x["key_id"] for x in lines)
    text = caplog.text
    # the whole secret part of the key (it may itself contain "_": a one-character piece would match anything)
    assert SECRET_TEXT not in text and api.key not in text and api.key.split("_", 2)[2] not in text
    metrics = api.client.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    m = metrics.text
    assert 'interlock_http_requests_total{route="/v1/scan/sync/request",method="POST",status="200"} 2' in m
    assert 'interlock_scans_total{mode="sync",category="malicious",action="block"} 1' in m
    assert 'interlock_detector_verdicts_total{detector="word",data_type="prompt",verdict="malicious"} 1' in m
    assert 'interlock_http_request_duration_seconds_count{route="/v1/scan/sync/request"} 2' in m


def test_openapi_document(api: Api) -> None:
    doc = api.client.get("/openapi.json").json()
    paths = doc["paths"]
    assert set(paths) >= {"/v1/scan/sync/request", "/v1/scan/async/request", "/v1/scan/results", "/v1/scan/reports"}
    sync = paths["/v1/scan/sync/request"]["post"]
    assert "422" not in sync["responses"]
    assert {"200", "400", "401", "403", "404", "413", "415", "429", "500"} <= set(sync["responses"])
    assert "ScanRequest" in json.dumps(sync["requestBody"]) and "ScanResponse" in json.dumps(sync["responses"]["200"])
    results = paths["/v1/scan/results"]["get"]
    param = results["parameters"][0]
    assert param["name"] == "scan_ids" and param["explode"] is False and param["schema"]["maxItems"] == 5
    schemes = doc["components"]["securitySchemes"]
    assert any(s.get("name") == "x-pan-token" for s in schemes.values())
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    assert "HTTPValidationError" not in doc["components"]["schemas"]
