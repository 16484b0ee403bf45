"""Conformance: the unmodified official SDK (blocking and asyncio clients) against ``interlock serve`` over TLS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from server_fakes import SSN
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


def check_conformance(out: dict[str, Any]) -> None:
    """Verdicts, ids, echoes and retrieval of sync and async scans, as parsed by a client."""
    sync = out["sync"]
    inj, dlp, benign = sync["injection"], sync["dlp"], sync["benign"]
    assert inj["action"] == "block" and inj["category"] == "malicious"
    assert inj["prompt_detected"]["injection"] is True
    assert dlp["action"] == "block" and dlp["response_detected"]["dlp"] is True
    masked = dlp["response_masked_data"]
    assert SSN not in masked["data"] and "X" * 4 in masked["data"]
    assert masked["pattern_detections"] and masked["pattern_detections"][0]["locations"]
    assert benign["action"] == "allow" and benign["category"] == "benign"
    assert not any(benign["prompt_detected"].values()) and not any(benign["response_detected"].values())
    for name, r in sync.items():
        assert r["tr_id"] == f"tr-{name}" and r["session_id"] == "s-1"
        assert r["report_id"] == "R" + r["scan_id"]
        assert r["error"] is False and r["timeout"] is False and r["errors"] == []
    assert len({r["scan_id"] for r in sync.values()}) == 3

    batch = out["async"]
    assert batch["report_id"] == "R" + batch["scan_id"]
    results = out["results"]
    assert [r["req_id"] for r in results] == [1, 2, 3]
    assert all(r["status"] == "complete" and r["scan_id"] == batch["scan_id"] for r in results)
    by_req = {r["req_id"]: r["result"] for r in results}
    assert by_req[1]["action"] == "block" and by_req[1]["prompt_detected"]["injection"] is True
    assert by_req[2]["response_detected"]["dlp"] is True and SSN not in json.dumps(by_req[2])
    assert by_req[3]["action"] == "allow"
    assert [by_req[i]["tr_id"] for i in (1, 2, 3)] == ["async-1", "async-2", "async-3"]

    sync_results = out["sync_results"]
    assert [r["req_id"] for r in sync_results] == [0, 0, 0]
    expected_ids = [sync[n]["scan_id"] for n in ("injection", "dlp", "benign")]
    assert [r["result"]["scan_id"] for r in sync_results] == expected_ids
    assert all(r["status"] == "complete" for r in sync_results)

    reports = out["reports"]
    assert len(reports) == 6  # three batch items + three sync scans
    assert sorted(r["req_id"] for r in reports if r["scan_id"] == batch["scan_id"]) == [1, 2, 3]
    inj_report = next(r for r in reports if r["scan_id"] == inj["scan_id"])
    assert inj_report["req_id"] == 0 and inj_report["transaction_id"] == "tr-injection"
    assert inj_report["report_id"] == "R" + inj["scan_id"]
    services = {(d["data_type"], d["detection_service"], d["verdict"]) for d in inj_report["detection_results"]}
    assert ("prompt", "pi", "malicious") in services
    dlp_report = next(r for r in reports if r["scan_id"] == dlp["scan_id"])
    assert any(
        d["detection_service"] == "dlp" and d["verdict"] == "malicious" and d["data_type"] == "response"
        for d in dlp_report["detection_results"]
    )
    assert SSN not in json.dumps(reports)


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
