"""Helpers for detector tests: run one detector through ``LocalScanner`` and parse the wire output with the SDK."""

from __future__ import annotations

from typing import Any

from interlock.models import ScanRequest
from interlock.profiles import ProfileStore
from interlock.profiles.model import DetectorPolicy, Profile
from interlock.scanner import LocalScanner, ScanResult
from tests.sdk_models import sdk_parse


def local_scanner(detector: str, options: dict[str, Any] | None = None, action: str = "block") -> LocalScanner:
    """A LocalScanner whose only profile (``"test"``) enables just ``detector``."""
    profile = Profile(
        name="test",
        detectors={detector: DetectorPolicy(action=action, options=options or {})},  # type: ignore[arg-type]
    )
    return LocalScanner(ProfileStore([profile]))


def scan_wire(scanner: LocalScanner, contents: dict[str, Any]) -> tuple[ScanResult, dict[str, Any], dict[str, Any]]:
    """Scan one ``contents`` element; return the result and the response/report wire dicts, both SDK-parsed."""
    request = ScanRequest.model_validate({"ai_profile": {"profile_name": "test"}, "contents": [contents]})
    result = scanner.run(request)
    response = result.response.to_wire()
    report = result.report.to_wire()
    sdk_parse("ScanResponse", response)
    sdk_parse("ThreatScanReportObject", report)
    return result, response, report


def result_detail(report: dict[str, Any], data_type: str = "prompt") -> dict[str, Any]:
    """The ``result_detail`` of the first detection result of ``data_type``."""
    for entry in report["detection_results"]:
        if entry["data_type"] == data_type:
            return entry["result_detail"]  # type: ignore[no-any-return]
    raise AssertionError(f"no {data_type} detection result in {report}")
