"""Conformance: LiteLLM's built-in ``panw_prisma_airs`` guardrail (litellm 1.106, unmodified) against
``interlock serve`` over TLS, its hooks driven in a separate process (``litellm_client.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from server_fakes import BENIGN_PROMPT, SSN

pytest.importorskip("litellm", reason="litellm is in the conformance extra (pip install -e '.[conformance]')")

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def litellm_run(request: pytest.FixtureRequest, tls: Any) -> dict[str, Any]:
    env = {**os.environ, "SSL_CERT_FILE": str(tls.ca), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    for var in ("PANW_PRISMA_AIRS_API_KEY", "PANW_PRISMA_AIRS_API_BASE"):
        env.pop(var, None)
    # started first: it imports LiteLLM (seconds) while the server boots, then reads where to connect
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "litellm_client.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        srv, key = request.getfixturevalue("conformance_server")  # key bound to no profile
        out, err = proc.communicate(json.dumps({"endpoint": srv.url, "api_key": key}), timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err[-3000:]
    return dict(json.loads(out))


def test_litellm_downloads_nothing(litellm_run: dict[str, Any]) -> None:
    assert litellm_run["outbound"] == []


def test_litellm_without_profile_name_scans_with_the_default_profile(litellm_run: dict[str, Any]) -> None:
    """No ``profile_name``: LiteLLM sends no ai_profile (item 3 of issue 13)."""
    assert litellm_run["no_profile_benign"] == {"outcome": "allowed", "prompt": BENIGN_PROMPT}
    blocked = litellm_run["no_profile_injection"]
    assert blocked["outcome"] == "blocked" and blocked["http_status"] == 400
    assert blocked["code"] == "panw_prisma_airs_blocked" and blocked["category"] == "malicious"
    assert blocked["profile_name"] == "default" and blocked["scan_id"]


def test_litellm_prompt_and_response_hooks(litellm_run: dict[str, Any]) -> None:
    named = litellm_run["named_profile_injection"]
    assert named["outcome"] == "blocked" and named["code"] == "panw_prisma_airs_blocked"
    resp = litellm_run["response_blocked"]
    assert resp["outcome"] == "blocked" and resp["code"] == "panw_prisma_airs_response_blocked"
    masked = litellm_run["response_masked"]
    assert masked["outcome"] == "allowed" and SSN not in masked["response"] and "XXXX" in masked["response"]


def test_litellm_mcp_call_without_arguments(litellm_run: dict[str, Any]) -> None:
    """A tool_event with only metadata is accepted and its tool name scanned (item 4)."""
    assert litellm_run["mcp_no_arguments_benign"] == {"outcome": "allowed"}
    bad = litellm_run["mcp_no_arguments_injection"]
    assert bad["outcome"] == "blocked" and bad["code"] == "panw_prisma_airs_blocked"


def test_litellm_recognises_an_unknown_profile(litellm_run: dict[str, Any]) -> None:
    """LiteLLM reports a profile error only when the error says "profile not found" (item 6)."""
    err = litellm_run["unknown_profile"]
    assert err["outcome"] == "blocked" and err["http_status"] == 500
    assert err["code"] == "panw_prisma_airs_config_error" and err["category"] == "config_error"
