"""Parse JSON with the official SDK's own models (``pan-aisecurity``, a test-only dependency)."""

from __future__ import annotations

from typing import Any

import pytest

sdk = pytest.importorskip("aisecurity.generated_openapi_client.models", reason="pan-aisecurity not installed")

SDK_MODELS = {
    "ScanRequest": sdk.ScanRequest,
    "ScanResponse": sdk.ScanResponse,
    "AsyncScanObject": sdk.AsyncScanObject,
    "AsyncScanResponse": sdk.AsyncScanResponse,
    "ScanIdResult": sdk.ScanIdResult,
    "ThreatScanReportObject": sdk.ThreatScanReportObject,
}


def sdk_parse(kind: str, data: Any) -> Any:
    """Parse ``data`` (a dict, or a list for array responses) with the SDK model ``kind``; raises on failure."""
    model = SDK_MODELS[kind]
    if isinstance(data, list):
        out = [model.from_dict(item) for item in data]
        assert all(o is not None for o in out)
        return out
    parsed = model.from_dict(data)
    assert parsed is not None
    return parsed
