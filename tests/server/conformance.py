"""What every AIRS client must see from the server, checked on the JSON a client parsed (shared by the
conformance tests of the official SDK, ``RemoteScanner`` and the TypeScript SDK)."""

from __future__ import annotations

import json
from typing import Any

from server_fakes import SSN


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
