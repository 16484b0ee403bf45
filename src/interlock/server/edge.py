"""The edge: a pure ASGI middleware that does everything that must happen before any work.

For every request: a request id (``x-request-id``, echoed), path normalisation (``//v1/...`` -> ``/v1/...``,
the SDK does not strip a trailing slash from its base URL), a JSON access log line and metrics.

For the four scan API routes, in this order: authentication (401/403), the per-key rate limit (429), for POSTs
the media type (415) and the body limit (413: ``Content-Length`` first, then counting bytes as they stream in,
so an oversized body is never buffered past the limit), and optionally the ``x-payload-hash`` check (400; keyed
with either credential the request carries, see :func:`~interlock.server.auth.payload_hash_matches`).
The body is then replayed to the application. Wrong methods and unknown paths pass through to the router
(405/404).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from interlock.server.auth import KeyCache, authenticate, payload_hash_matches
from interlock.server.errors import error_body, error_headers
from interlock.server.metrics import Metrics
from interlock.server.ratelimit import TokenBuckets
from interlock.server.store import Store

__all__ = ["EdgeMiddleware", "EdgeConfig", "SCAN_ROUTES"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SYNC, ASYNC, RESULTS, REPORTS = (
    "/v1/scan/sync/request",
    "/v1/scan/async/request",
    "/v1/scan/results",
    "/v1/scan/reports",
)
#: (method, path) of the authenticated API -> kind.
SCAN_ROUTES = {("POST", SYNC): "sync", ("POST", ASYNC): "async", ("GET", RESULTS): "query", ("GET", REPORTS): "query"}
KNOWN_PATHS = {SYNC, ASYNC, RESULTS, REPORTS, "/v1/internal/health", "/livez", "/readyz", "/metrics"} | {
    "/openapi.json",
    "/docs",
}

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("interlock.server.access")


@dataclass
class EdgeConfig:
    """What the edge enforces."""

    store: Store
    metrics: Metrics
    scan_buckets: TokenBuckets
    query_buckets: TokenBuckets
    sync_body_limit: int
    async_body_limit: int
    verify_payload_hash: bool = False
    access_log: bool = True
    key_cache_seconds: float = 1.0


class _Reject(Exception):
    def __init__(self, status: int, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.retry_after = status, reason, retry_after


class _Disconnected(Exception):
    pass


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope["headers"]:
        if k == name:
            return str(v.decode("latin-1"))
    return None


def _json_media(content_type: str | None) -> bool:
    if content_type is None:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class EdgeMiddleware:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, config: EdgeConfig) -> None:
        self.app = app
        self.cfg = config
        self.key_cache = KeyCache(config.key_cache_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path.startswith("//"):
            path = "/" + path.lstrip("/")
            scope = {**scope, "path": path, "raw_path": path.encode()}
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        t0 = time.perf_counter()
        status_box = [500]
        started = [False]

        async def send_wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                started[0] = True
                status_box[0] = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        method = scope["method"]
        kind = SCAN_ROUTES.get((method, path))
        reason = ""
        bytes_in = 0
        try:
            if kind is not None:
                receive, bytes_in = await self._guard(scope, receive, kind, path, state)
            await self.app(scope, receive, send_wrapped)
        except _Reject as rej:
            reason = rej.reason
            await self._reject(send_wrapped, rej)
        except _Disconnected:
            status_box[0] = 499
            reason = "client disconnected"
        except Exception:  # the app's error handler already answered 500 if it could
            logging.getLogger("interlock.server").exception("unhandled error (request %s)", request_id)
            if not started[0]:
                await self._reject(send_wrapped, _Reject(500, "unhandled error"))
        elapsed = time.perf_counter() - t0
        route = path if path in KNOWN_PATHS else "other"
        self.cfg.metrics.observe_request(route, method, status_box[0], elapsed)
        if self.cfg.access_log and access_log.isEnabledFor(logging.INFO):
            principal = state.get("principal")
            entry = {
                "event": "access",
                "request_id": request_id,
                "method": method,
                "path": route,
                "status": status_box[0],
                "duration_ms": round(elapsed * 1000, 3),
                "bytes_in": bytes_in,
                "key_id": principal.key_id if principal is not None else None,
                "client": (scope.get("client") or ("", 0))[0],
            }
            if reason or state.get("reason"):
                entry["reason"] = reason or state.get("reason")
            access_log.info(json.dumps(entry))

    async def _guard(
        self, scope: Scope, receive: Receive, kind: str, path: str, state: dict[str, Any]
    ) -> tuple[Receive, int]:
        api_key = _header(scope, b"x-pan-token")
        authorization = _header(scope, b"authorization")
        outcome, principal = authenticate(self.cfg.store, api_key, authorization, self.key_cache)
        if outcome == "missing":
            raise _Reject(401, "no credentials")
        if principal is None:
            raise _Reject(403, "invalid or revoked credentials")
        state["principal"] = principal
        buckets = self.cfg.query_buckets if kind == "query" else self.cfg.scan_buckets
        wait = buckets.take(principal.key_id)
        if wait > 0:
            raise _Reject(429, "rate limit", retry_after=wait)
        body = b""
        if scope["method"] == "POST":
            if not _json_media(_header(scope, b"content-type")):
                raise _Reject(415, "content-type is not application/json")
            limit = self.cfg.sync_body_limit if kind == "sync" else self.cfg.async_body_limit
            length = _header(scope, b"content-length")
            if length is not None:
                if not length.strip().isdigit():
                    raise _Reject(400, "bad content-length")
                if int(length) > limit:
                    raise _Reject(413, f"content-length {length} > {limit}")
            body = await _read_body(receive, limit)
        if self.cfg.verify_payload_hash:
            sent = _header(scope, b"x-payload-hash")
            if sent is not None and not payload_hash_matches(sent, api_key, authorization, body):
                raise _Reject(400, "x-payload-hash mismatch")
        if scope["method"] != "POST":
            return receive, 0
        replayed = [False]

        async def replay() -> Message:
            if not replayed[0]:
                replayed[0] = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay, len(body)

    @staticmethod
    async def _reject(send: Send, rej: _Reject) -> None:
        body = error_body(rej.status, rej.retry_after)
        headers = [*error_headers(rej.retry_after), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": rej.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _Reject(413, f"body exceeds {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
