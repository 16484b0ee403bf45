"""Drive Interlock's own ``RemoteScanner`` against a server; prints the same JSON document as sdk_client.py.

Usage: python remote_client.py sync|async ENDPOINT API_KEY PROFILE
The ``async`` mode sends the key as a bearer token (``Authorization: Bearer``) instead of ``x-pan-token``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from server_fakes import BENIGN_PROMPT, BENIGN_RESPONSE, DLP_RESPONSE, INJECTION  # noqa: E402

from interlock.client import RemoteScanner  # noqa: E402
from interlock.models import AiProfile, AsyncScanObject, ScanContent, ScanRequest  # noqa: E402

CASES: list[tuple[str, dict[str, str]]] = [
    ("injection", {"prompt": INJECTION}),
    ("dlp", {"prompt": BENIGN_PROMPT, "response": DLP_RESPONSE}),
    ("benign", {"prompt": BENIGN_PROMPT, "response": BENIGN_RESPONSE}),
]


def _batch(profile: str) -> list[AsyncScanObject]:
    texts = [{"prompt": INJECTION}, {"prompt": BENIGN_PROMPT, "response": DLP_RESPONSE}, {"prompt": BENIGN_PROMPT}]
    return [
        AsyncScanObject(
            req_id=i + 1,
            scan_req=ScanRequest(
                tr_id=f"async-{i + 1}",
                ai_profile=AiProfile(profile_name=profile),
                contents=[ScanContent.model_validate(t)],
            ),
        )
        for i, t in enumerate(texts)
    ]


def _wire(items: Any) -> Any:
    return [i.to_wire() for i in items] if isinstance(items, list) else items.to_wire()


def run_sync(scanner: RemoteScanner, profile: str) -> dict[str, Any]:
    out: dict[str, Any] = {"sync": {}}
    for name, content in CASES:
        r = scanner.scan(content, profile=profile, tr_id=f"tr-{name}", session_id="s-1")
        out["sync"][name] = r.response.to_wire()
    a = scanner.submit(_batch(profile))
    out["async"] = a.to_wire()
    out["results"] = _wire(scanner.wait_for_results(a.scan_id, timeout=30, interval=0.05))
    ids = [out["sync"][n]["scan_id"] for n in ("injection", "dlp", "benign")]
    out["sync_results"] = _wire(scanner.results(ids))
    out["reports"] = _wire(scanner.reports([a.report_id or "R" + a.scan_id, *("R" + i for i in ids)]))
    return out


async def run_async(scanner: RemoteScanner, profile: str) -> dict[str, Any]:
    out: dict[str, Any] = {"sync": {}}
    for name, content in CASES:
        r = await scanner.ascan(content, profile=profile, tr_id=f"tr-{name}", session_id="s-1")
        out["sync"][name] = r.response.to_wire()
    a = await scanner.asubmit(_batch(profile))
    out["async"] = a.to_wire()
    out["results"] = _wire(await scanner.await_for_results(a.scan_id, timeout=30, interval=0.05))
    ids = [out["sync"][n]["scan_id"] for n in ("injection", "dlp", "benign")]
    out["sync_results"] = _wire(await scanner.aresults(ids))
    out["reports"] = _wire(await scanner.areports([a.report_id or "R" + a.scan_id, *("R" + i for i in ids)]))
    await scanner.aclose()
    return out


def main() -> None:
    mode, endpoint, key, profile = sys.argv[1:5]
    if mode == "sync":
        with RemoteScanner(api_key=key, endpoint=endpoint) as scanner:
            out = run_sync(scanner, profile)
    else:
        out = asyncio.run(run_async(RemoteScanner(api_token=key, endpoint=endpoint), profile))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
