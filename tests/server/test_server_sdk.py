"""Conformance: the unmodified official SDK (blocking and asyncio clients) against ``interlock serve`` over TLS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conformance import check_conformance
from server_harness import Server

pytest.importorskip("aisecurity")

HERE = Path(__file__).parent


def _run_sdk(mode: str, server: Server, key: str) -> dict[str, Any]:
    env = {**os.environ, "SSL_CERT_FILE": str(server.tls.ca)}
    for var in ("PANW_AI_SEC_API_KEY", "PANW_AI_SEC_API_TOKEN", "PANW_AI_SEC_API_ENDPOINT"):
        env.pop(var, None)
    proc = subprocess.run(
        [sys.executable, str(HERE / "sdk_client.py"), mode, server.url, key, "default"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return dict(json.loads(proc.stdout))


@pytest.mark.parametrize("mode", ["inline", "asyncio"])
def test_official_sdk_conformance(server: Server, api_key: str, mode: str) -> None:
    check_conformance(_run_sdk(mode, server, api_key))


def test_official_sdk_wrong_key_is_403(server: Server, api_key: str) -> None:
    code = (
        "import aisecurity, sys\n"
        "from aisecurity.scan.inline.scanner import Scanner\n"
        "from aisecurity.generated_openapi_client import AiProfile\n"
        "from aisecurity.scan.models.content import Content\n"
        "from aisecurity.exceptions import AISecSDKException\n"
        f"aisecurity.init(api_key='ilk_000000000000_{'a' * 43}', api_endpoint='{server.url}')\n"
        "try:\n"
        "    Scanner().sync_scan(ai_profile=AiProfile(profile_name='default'), content=Content(prompt='hi'))\n"
        "except AISecSDKException as exc:\n"
        "    print(str(exc))\n"
    )
    env = {**os.environ, "SSL_CERT_FILE": str(server.tls.ca)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert "(403)" in proc.stdout and "Invalid API Key" in proc.stdout, proc.stdout + proc.stderr[-2000:]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_remote_scanner_conformance(server: Server, api_key: str, mode: str) -> None:
    """The same checks with Interlock's own client (``async`` mode authenticates with a bearer token)."""
    pytest.importorskip("interlock.client")
    env = {**os.environ, "SSL_CERT_FILE": str(server.tls.ca)}
    for var in ("PANW_AI_SEC_API_KEY", "PANW_AI_SEC_API_TOKEN", "PANW_AI_SEC_API_ENDPOINT"):
        env.pop(var, None)
    proc = subprocess.run(
        [sys.executable, str(HERE / "remote_client.py"), mode, server.url, api_key, "default"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    check_conformance(json.loads(proc.stdout))


def test_official_sdk_against_two_worker_processes(db: Path, tls: Any, tmp_path: Path, api_key: str) -> None:
    """``--workers 2``: requests land on either process; results, reports and async work share the database."""
    srv = Server(db=db, tls=tls, log=tmp_path / "server.log", args=["--workers", "2"]).start()
    try:
        check_conformance(_run_sdk("inline", srv, api_key))
    finally:
        srv.stop()
        srv.kill()
