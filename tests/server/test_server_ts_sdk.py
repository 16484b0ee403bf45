"""Conformance: the TypeScript AIRS SDK ``@cdot65/prisma-airs-sdk`` (npm, unmodified, its strict response schemas)
against ``interlock serve`` over TLS, driven by ``ts/client.mjs`` under Node.

``make install`` runs ``npm ci --prefix tests/server/ts`` (versions pinned by the committed package-lock.json).
Skipped only when node or npm is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conformance import check_conformance
from server_fakes import BENIGN_PROMPT, BENIGN_RESPONSE, DLP_RESPONSE, INJECTION
from server_harness import Server

TS = Path(__file__).parent / "ts"
NODE, NPM = shutil.which("node"), shutil.which("npm")

pytestmark = pytest.mark.skipif(
    NODE is None or NPM is None, reason="node/npm not installed: the TypeScript SDK conformance test needs Node >= 18"
)


def _run_ts(server: Server, key: str, token: str | None) -> dict[str, Any]:
    assert NODE is not None
    sdk = TS / "node_modules" / "@cdot65" / "prisma-airs-sdk"
    assert sdk.is_dir(), f"{sdk} missing: run `make install` (it runs npm ci --prefix {TS})"
    spec = {
        "endpoint": server.url,
        "apiKey": key,
        "apiToken": token,
        "profile": "default",
        "texts": {
            "injection": INJECTION,
            "benignPrompt": BENIGN_PROMPT,
            "benignResponse": BENIGN_RESPONSE,
            "dlpResponse": DLP_RESPONSE,
        },
    }
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(server.tls.ca)}
    for var in ("PANW_AI_SEC_API_KEY", "PANW_AI_SEC_API_TOKEN", "PANW_AI_SEC_API_ENDPOINT"):
        env.pop(var, None)
    proc = subprocess.run(
        [NODE, str(TS / "client.mjs")], input=json.dumps(spec), capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return dict(json.loads(proc.stdout))


def test_typescript_sdk_conformance_with_key_and_token(conformance_server: tuple[Server, str]) -> None:
    """Key and token both configured, ``--verify-payload-hash`` on: the SDK keys the hash with the API key (item 5
    of issue 13; the Python SDK keys it with the Authorization value)."""
    srv, key = conformance_server
    check_conformance(_run_ts(srv, key, token=key))
