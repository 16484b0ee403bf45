"""A tiny AIRS look-alike on 127.0.0.1 (stdlib ``http.server`` in a thread) for real-socket client tests.

It authenticates like AIRS (``x-pan-token`` or ``Authorization: Bearer``), verifies ``x-payload-hash`` when sent,
answers the five endpoints with canned but request-dependent bodies, and records every request it received.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

KEY = "stub-key"


@dataclass
class Seen:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    client_port: int


@dataclass
class StubState:
    key: str = KEY
    seen: list[Seen] = field(default_factory=list)
    batches: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    polls: dict[str, int] = field(default_factory=dict)
    fail_next_gets: int = 0  # answer that many GETs with 503 first (exercises retries on a real socket)
    delay: threading.Event | None = None  # when set, sync scans wait for this event (read-timeout tests)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _verdict(scan_req: dict[str, Any], scan_id: str) -> dict[str, Any]:
    content = scan_req["contents"][-1]
    prompt = content.get("prompt") or ""
    bad = "ignore all previous instructions" in prompt.lower()
    out: dict[str, Any] = {
        "source": "AI-Runtime-API",
        "report_id": f"R{scan_id}",
        "scan_id": scan_id,
        "profile_name": scan_req["ai_profile"].get("profile_name"),
        "category": "malicious" if bad else "benign",
        "action": "block" if bad else "allow",
        "prompt_detected": {"injection": bad, "dlp": False},
        "response_detected": {},
        "timeout": False,
        "error": False,
        "errors": [],
    }
    if scan_req.get("tr_id") is not None:
        out["tr_id"] = scan_req["tr_id"]
    return out


def _report(scan_id: str, req_id: int, verdict: dict[str, Any]) -> dict[str, Any]:
    bad = verdict["action"] == "block"
    return {
        "report_id": f"R{scan_id}",
        "scan_id": scan_id,
        "req_id": req_id,
        "detection_results": [
            {
                "data_type": "prompt",
                "detection_service": "pi",
                "verdict": "malicious" if bad else "benign",
                "action": verdict["action"],
                "result_detail": {},
            }
        ],
    }


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are written separately: avoid the 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def _reply(self, status: int, payload: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._reply(status, {"error": {"message": message}})

    def _handle(self, method: str) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        seen = Seen(method, parts.path, parts.query, dict(self.headers.items()), body, self.client_address[1])
        with state.lock:
            state.seen.append(seen)
        if parts.path == "/v1/internal/health":
            return self._reply(200) if method == "GET" else self._error(405, "The method is not allowed")
        key, auth = self.headers.get("x-pan-token"), self.headers.get("Authorization")
        if key is None and auth is None:
            return self._error(401, "Not Authenticated")
        if key != state.key and auth != f"Bearer {state.key}":
            return self._error(403, "Invalid API Key")
        sent_hash = self.headers.get("x-payload-hash")
        expected = hmac.new((auth or key or "").encode(), body if method == "POST" else b"null", hashlib.sha256)
        if sent_hash is not None and sent_hash != expected.hexdigest():
            return self._error(400, "payload hash mismatch")
        if method == "GET" and state.fail_next_gets > 0:
            state.fail_next_gets -= 1
            return self._error(503, "try again")
        routes = {
            ("POST", "/v1/scan/sync/request"): self._sync,
            ("POST", "/v1/scan/async/request"): self._async,
            ("GET", "/v1/scan/results"): self._results,
            ("GET", "/v1/scan/reports"): self._reports,
        }
        handler = routes.get((method, parts.path))
        if handler is None:
            return self._error(404 if all(p != parts.path for _, p in routes) else 405, "not found or not allowed")
        if method == "POST":
            if not (self.headers.get("Content-Type") or "").startswith("application/json"):
                return self._error(415, "The media type is not supported")
            try:
                payload = json.loads(body)
            except ValueError:
                return self._error(400, "Request data is invalid or malformed")
            return handler(payload)
        return handler(parse_qs(parts.query))

    def _sync(self, payload: Any) -> None:
        if self.server.state.delay is not None:
            self.server.state.delay.wait(10)
        scan_id = str(uuid.uuid4())
        verdict = _verdict(payload, scan_id)
        with self.server.state.lock:
            self.server.state.batches[scan_id] = [{"req_id": 0, "scan_req": payload}]
        self._reply(200, verdict)

    def _async(self, payload: Any) -> None:
        if not isinstance(payload, list) or not payload:
            return self._error(400, "Request data is invalid or malformed")
        scan_id = str(uuid.uuid4())
        with self.server.state.lock:
            self.server.state.batches[scan_id] = payload
        self._reply(200, {"received": "2025-05-08T15:54:21Z", "scan_id": scan_id, "report_id": f"R{scan_id}"})

    def _results(self, query: dict[str, list[str]]) -> None:
        state = self.server.state
        out = []
        for scan_id in ",".join(query.get("scan_ids", [])).split(","):
            with state.lock:
                items = state.batches.get(scan_id)
                polls = state.polls[scan_id] = state.polls.get(scan_id, 0) + 1
            if items is None:
                return self._error(400, "Request data is invalid or malformed")
            for i, item in enumerate(items):
                entry: dict[str, Any] = {"req_id": item["req_id"], "scan_id": scan_id, "status": "pending"}
                if i < polls:  # one more item completes on every poll
                    entry["status"] = "complete"
                    entry["result"] = _verdict(item["scan_req"], scan_id)
                out.append(entry)
        self._reply(200, out)

    def _reports(self, query: dict[str, list[str]]) -> None:
        out = []
        for report_id in ",".join(query.get("report_ids", [])).split(","):
            items = self.server.state.batches.get(report_id[1:], [])
            out.extend(_report(report_id[1:], it["req_id"], _verdict(it["scan_req"], report_id[1:])) for it in items)
        self._reply(200, out)

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._handle("PUT")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: StubState


@contextmanager
def airs_stub(tls: ssl.SSLContext | None = None) -> Iterator[tuple[str, StubState]]:
    """Run the stub on 127.0.0.1 (an ephemeral port); yields ``(base_url, state)``."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = StubState()
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    scheme = "https" if tls is not None else "http"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}", server.state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
