"""Fuzzing the served OpenAPI with schemathesis (in-process ASGI), plus raw malformed bodies with hypothesis.

Bounded example counts keep this well under a minute. The property: never a 5xx, never a hang, and every
answer is one the OpenAPI document declares, with the declared shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings, strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from interlock.engine import registry
from interlock.profiles import DetectorPolicy, Profile, ProfileStore
from interlock.scanner import LocalScanner
from interlock.server import ServerSettings, create_app
from interlock.server.auth import create_key
from interlock.server.store import Store

KEY: dict[str, str] = {}


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    saved = registry.BUILTIN.get("word")
    registry.BUILTIN["word"] = "fakes:WordDetector"
    registry.detector_class.cache_clear()
    db = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    store = Store(db)
    KEY["key"] = create_key(store, "fuzz")[0]
    store.close()
    profiles = ProfileStore([Profile(name="default", detectors={"word": DetectorPolicy(options={"mask": True})})])
    app = create_app(ServerSettings(db=str(db), max_async_batch=5), scanner=LocalScanner(profiles))
    with TestClient(app):  # runs the lifespan (async workers) for the module
        yield app
    if saved is None:
        registry.BUILTIN.pop("word", None)
    else:
        registry.BUILTIN["word"] = saved
    registry.detector_class.cache_clear()


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=lambda m: m.value)
def test_openapi_fuzz(fuzz_app: FastAPI, mode: Any) -> None:
    """Every API operation, positive and negative examples, checked against the served OpenAPI."""
    api_schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app).include(path_regex="^/v1/")
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 5
    for op in operations:
        if mode == schemathesis.GenerationMode.NEGATIVE and op.path == "/v1/internal/health":
            continue  # nothing to make invalid

        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        @given(case=op.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            case.call_and_validate(headers={"x-pan-token": KEY["key"]}, checks=CHECKS)

        run()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
ODD_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=[]),  # surrogates, controls, RTL marks, NUL...
    max_size=300,
)


def _body(draw_value: Any) -> bytes:
    return json.dumps(draw_value).encode()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(
    path=st.sampled_from(["/v1/scan/sync/request", "/v1/scan/async/request"]),
    body=st.one_of(
        st.binary(max_size=200),  # not JSON at all
        JSON.map(_body),  # JSON of the wrong shape
        ODD_TEXT.map(lambda t: _body({"ai_profile": {"profile_name": "default"}, "contents": [{"prompt": t}]})),
        ODD_TEXT.map(
            lambda t: _body(
                [{"req_id": 1, "scan_req": {"ai_profile": {"profile_name": t}, "contents": [{"response": t}]}}]
            )
        ),
        st.integers(min_value=0, max_value=3).map(
            lambda n: _body({"ai_profile": {"profile_name": "default"}, "contents": [{"prompt": "x" * (10**n) * 1000}]})
        ),
        ODD_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),  # invalid UTF-8 sequences
    ),
)
def test_raw_bodies_never_5xx(fuzz_app: FastAPI, path: str, body: bytes) -> None:
    client = TestClient(fuzz_app, raise_server_exceptions=False)  # the module fixture runs the lifespan
    r = client.post(path, content=body, headers={"x-pan-token": KEY["key"], "content-type": "application/json"})
    assert r.status_code in (200, 400, 404, 413), r.text
    if r.status_code != 200:
        assert set(r.json()) == {"error"} and isinstance(r.json()["error"]["message"], str)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(query=st.text(max_size=120), name=st.sampled_from(["scan_ids", "report_ids"]))
def test_odd_query_strings_never_5xx(fuzz_app: FastAPI, query: str, name: str) -> None:
    path = "/v1/scan/results" if name == "scan_ids" else "/v1/scan/reports"
    client = TestClient(fuzz_app, raise_server_exceptions=False)
    r = client.get(path, params={name: query}, headers={"x-pan-token": KEY["key"]})
    assert r.status_code == 400 and r.json() == {"error": {"message": "Request data is invalid or malformed"}}
