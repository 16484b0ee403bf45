"""Drive the unmodified official SDK against a server; prints one JSON document of what came back.

Usage: python sdk_client.py inline|asyncio ENDPOINT API_KEY PROFILE
(``SSL_CERT_FILE`` names the throwaway CA). Run in its own process: ``aisecurity.init`` is global state.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import aisecurity  # noqa: E402
from aisecurity.generated_openapi_client import AiProfile, AsyncScanObject, ScanRequest  # noqa: E402
from aisecurity.generated_openapi_client.models.metadata import Metadata  # noqa: E402
from aisecurity.generated_openapi_client.models.scan_request_contents_inner import (  # noqa: E402
    ScanRequestContentsInner,
)
from aisecurity.scan.models.content import Content  # noqa: E402
from server_fakes import BENIGN_PROMPT, BENIGN_RESPONSE, DLP_RESPONSE, INJECTION  # noqa: E402


def _dump(obj: Any) -> Any:
    if isinstance(obj, list):
        return [_dump(o) for o in obj]
    return json.loads(obj.model_dump_json(exclude_none=True))


def _batch(profile: AiProfile) -> list[AsyncScanObject]:
    texts = [{"prompt": INJECTION}, {"prompt": BENIGN_PROMPT, "response": DLP_RESPONSE}, {"prompt": BENIGN_PROMPT}]
    return [
        AsyncScanObject(
            req_id=i + 1,
            scan_req=ScanRequest(tr_id=f"async-{i + 1}", ai_profile=profile, contents=[ScanRequestContentsInner(**t)]),
        )
        for i, t in enumerate(texts)
    ]


def _cases() -> list[tuple[str, Content]]:
    return [
        ("injection", Content(prompt=INJECTION)),
        ("dlp", Content(prompt=BENIGN_PROMPT, response=DLP_RESPONSE)),
        ("benign", Content(prompt=BENIGN_PROMPT, response=BENIGN_RESPONSE)),
    ]


def run_inline(profile: AiProfile) -> dict[str, Any]:
    from aisecurity.scan.inline.scanner import Scanner

    scanner = Scanner()
    out: dict[str, Any] = {"sync": {}}
    meta = Metadata(app_name="conformance", app_user="alice", ai_model="demo")
    for name, content in _cases():
        r = scanner.sync_scan(ai_profile=profile, content=content, tr_id=f"tr-{name}", session_id="s-1", metadata=meta)
        out["sync"][name] = _dump(r)
    a = scanner.async_scan(_batch(profile))
    out["async"] = _dump(a)
    out["results"] = _poll(lambda: scanner.query_by_scan_ids([a.scan_id]))
    ids = [out["sync"][n]["scan_id"] for n in ("injection", "dlp", "benign")]
    out["sync_results"] = _dump(scanner.query_by_scan_ids(ids))
    out["reports"] = _dump(scanner.query_by_report_ids([a.report_id, *("R" + i for i in ids)]))
    return out


def _poll(fn: Any) -> Any:
    for _ in range(200):
        res = _dump(fn())
        if res and all(r.get("status") == "complete" for r in res):
            return res
        time.sleep(0.05)
    return res


async def _apoll(fn: Any) -> Any:
    for _ in range(200):
        res = _dump(await fn())
        if res and all(r.get("status") == "complete" for r in res):
            return res
        await asyncio.sleep(0.05)
    return res


async def run_asyncio(profile: AiProfile) -> dict[str, Any]:
    from aisecurity.scan.asyncio.scanner import Scanner

    scanner = Scanner()
    out: dict[str, Any] = {"sync": {}}
    try:
        for name, content in _cases():
            r = await scanner.sync_scan(ai_profile=profile, content=content, tr_id=f"tr-{name}", session_id="s-1")
            out["sync"][name] = _dump(r)
        a = await scanner.async_scan(_batch(profile))
        out["async"] = _dump(a)
        out["results"] = await _apoll(lambda: scanner.query_by_scan_ids([a.scan_id]))
        ids = [out["sync"][n]["scan_id"] for n in ("injection", "dlp", "benign")]
        out["sync_results"] = _dump(await scanner.query_by_scan_ids(ids))
        out["reports"] = _dump(await scanner.query_by_report_ids([a.report_id, *("R" + i for i in ids)]))
    finally:
        await scanner.close()
    return out


def main() -> None:
    mode, endpoint, key, profile_name = sys.argv[1:5]
    aisecurity.init(api_key=key, api_endpoint=endpoint)
    profile = AiProfile(profile_name=profile_name)
    out = run_inline(profile) if mode == "inline" else asyncio.run(run_asyncio(profile))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
