"""The server answers the built-in ``default`` profile's DLP actions on the wire (issue #13): contact data in a
prompt is masked and allowed, with the detection reported; cards, secrets and national ids block; a personal-data
leak in a response blocks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interlock.masking import mask_text
from interlock.scanner import LocalScanner
from interlock.server import ServerSettings, create_app
from interlock.server.auth import create_key
from interlock.server.store import Store
from tests.dlp_examples import BLOCKED_PROMPTS, MASKED_PROMPTS, RESPONSE_LEAKS
from tests.sdk_models import sdk_parse


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = ServerSettings(db=str(tmp_path_factory.mktemp("dlp") / "api.db"))
    store = Store(settings.db)
    key = create_key(store, "main")[0]
    store.close()
    with TestClient(create_app(settings, scanner=LocalScanner()), headers={"x-pan-token": key}) as c:
        yield c


def _scan(client: TestClient, content: dict[str, str]) -> dict[str, Any]:
    body = {"ai_profile": {"profile_name": "default"}, "contents": [content]}
    resp = client.post("/v1/scan/sync/request", json=body)
    assert resp.status_code == 200, resp.text
    out: dict[str, Any] = resp.json()
    sdk_parse("ScanResponse", out)
    return out


@pytest.mark.parametrize(("prompt", "masked"), MASKED_PROMPTS)
def test_contact_data_in_prompt_is_masked_allowed_and_reported(client: TestClient, prompt: str, masked: str) -> None:
    body = _scan(client, {"prompt": prompt})
    assert (body["action"], body["category"], body["prompt_detected"]["dlp"]) == ("allow", "malicious", True)
    md = body["prompt_masked_data"]
    spans = sorted((loc[0], loc[1], p["pattern"]) for p in md["pattern_detections"] for loc in p["locations"])
    assert mask_text(prompt, spans, "type") == masked and len(md["data"]) == len(prompt)
    reports = client.get("/v1/scan/reports", params={"report_ids": body["report_id"]}).json()
    (dlp,) = [d for d in reports[0]["detection_results"] if d["detection_service"] == "dlp"]
    assert (dlp["verdict"], dlp["action"]) == ("malicious", "allow")
    assert dlp["result_detail"]["dlp_report"]["data_pattern_rule1_verdict"] == "MATCHED"


@pytest.mark.parametrize("prompt", BLOCKED_PROMPTS)
def test_cards_secrets_and_national_ids_in_prompt_block(client: TestClient, prompt: str) -> None:
    body = _scan(client, {"prompt": prompt})
    assert body["action"] == "block" and body["prompt_detected"]["dlp"] is True


@pytest.mark.parametrize("leak", RESPONSE_LEAKS)
def test_personal_data_in_response_blocks(client: TestClient, leak: str) -> None:
    body = _scan(client, {"prompt": "How do I reach Bob?", "response": leak})
    assert body["action"] == "block" and body["response_detected"]["dlp"] is True
    masked = body["response_masked_data"]["data"]
    assert len(masked) == len(leak) and "bob@corp.com" not in masked and "555-0132" not in masked
