"""The AIRS-compatible scan API (FastAPI): routes, error handlers, lifespan.

Scans are CPU work: each sync scan and each batch admission runs on a bounded thread pool
(``scan_threads``) so the event loop only does I/O. See ``edge.py`` for what happens before a handler runs
and ``jobs.py`` for async batches.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

import re2
from fastapi import Body, Depends, FastAPI, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import PlainTextResponse, Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from interlock._version import __version__
from interlock.engine.engine import Engine, items_for
from interlock.errors import InvalidRequestError, ProfileError
from interlock.models import (
    AsyncScanObject,
    AsyncScanResponse,
    ScanIdResult,
    ScanRequest,
    ScanResponse,
    ThreatScanReport,
)
from interlock.models._base import utcnow
from interlock.profiles.loader import ProfileStore
from interlock.scanner import LocalScanner, exchange_of
from interlock.server.auth import Principal
from interlock.server.edge import ASYNC, REPORTS, RESULTS, SYNC, EdgeConfig, EdgeMiddleware
from interlock.server.errors import MESSAGES, PROFILE_NOT_FOUND, ApiError, ErrorBody, error_body, error_headers
from interlock.server.health import Readiness, ReadinessReport, install_drain
from interlock.server.jobs import JobRunner, new_scan_id
from interlock.server.metrics import Metrics
from interlock.server.ratelimit import buckets
from interlock.server.settings import ServerSettings
from interlock.server.store import Store, open_store

__all__ = ["SETTINGS_ENV", "ServerState", "app_from_env", "create_app"]

log = logging.getLogger("interlock.server")
SOURCE = "AI-Runtime-API"
MAX_IDS = 5
#: Environment variable carrying the settings from ``interlock serve`` to its worker processes.
SETTINGS_ENV = "INTERLOCK__SETTINGS"
_URL = re2.compile(r"(?i)\b(?:(?:https?|ftp)://|www\.)[^\s]+")
T = TypeVar("T")


def count_urls(request: ScanRequest, limit: int) -> int:
    """URLs in every text of the request, counting stops at ``limit + 1``."""
    n = 0
    for content in request.contents:
        te = content.tool_event
        texts = (content.prompt, content.response, content.code_prompt, content.code_response, content.context)
        for text in (*texts, te.input if te else None, te.output if te else None):
            if text:
                for _ in _URL.finditer(text):
                    n += 1
                    if n > limit:
                        return n
    return n


@dataclass
class ServerState:
    """Everything the handlers share."""

    settings: ServerSettings
    store: Store
    scanner: LocalScanner
    metrics: Metrics
    jobs: JobRunner
    readiness: Readiness
    owns_scanner: bool = True
    inflight: int = 0
    _executor: ThreadPoolExecutor | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def executor(self) -> ThreadPoolExecutor:
        """The bounded scan thread pool (re-created if a previous lifespan shut it down)."""
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.settings.scan_threads, thread_name_prefix="interlock-scan")
            return self._executor

    def shutdown_executor(self) -> None:
        """Wait for in-flight scans, then release the pool."""
        with self._lock:
            pool, self._executor = self._executor, None
        if pool is not None:
            pool.shutdown(wait=True)

    def admit(self, request: ScanRequest, principal: Principal) -> ScanRequest:
        """Check a request before any scanning: profile (404), key binding (403), size limits (413).

        Returns the request with its profile made explicit: one that names none gets the key's profile.
        """
        if request.ai_profile is None:
            request = request.model_copy(update={"ai_profile": principal.implied_profile()})
        profile = self.scanner.profile_for(request)
        if not principal.may_use(profile.name, profile.id):
            raise ApiError(403, f"key not allowed to use profile {profile.name!r}")
        if count_urls(request, self.settings.max_urls) > self.settings.max_urls:
            raise ApiError(413, f"more than {self.settings.max_urls} URLs")
        items_for(exchange_of(request.contents[-1]))  # raises InvalidRequestError(413) on oversized fields
        return request

    def scan_sync(self, request: ScanRequest, principal: Principal) -> bytes:
        """Scan, store and serialise one sync request (runs on the scan thread pool)."""
        request = self.admit(request, principal)
        scan_id = new_scan_id()
        result = self.scanner.run(request, scan_id=scan_id, req_id=0)
        assert result.report is not None  # noqa: S101 - the local engine always builds one
        body = result.response.to_json()
        self.store.add_complete(scan_id, 0, principal.key_id, body, result.report.to_json())
        self.metrics.observe_scan("sync", result.response, result.report)
        return body.encode()

    def accept_batch(self, items: list[AsyncScanObject], principal: Principal) -> bytes:
        """Validate and persist an async batch, then queue it (runs on the scan thread pool)."""
        if not items:
            raise ApiError(400, "empty batch")
        if len(items) > self.settings.max_async_batch:
            raise ApiError(413, f"batch of {len(items)} > {self.settings.max_async_batch} items")
        if len({it.req_id for it in items}) != len(items):
            raise ApiError(400, "req_id values must be unique within a batch")
        admitted = [(it.req_id, self.admit(it.scan_req, principal).to_json()) for it in items]
        scan_id = new_scan_id()
        received = utcnow()
        self.store.add_pending(scan_id, principal.key_id, admitted)
        self.jobs.submit(scan_id, [it.req_id for it in items])
        resp = AsyncScanResponse(received=received, scan_id=scan_id, report_id="R" + scan_id, source=SOURCE)
        return resp.to_json().encode()

    def results(self, scan_ids: list[str], principal: Principal) -> bytes:
        """The ``ScanIdResult`` array for up to five scan ids (400 when one is unknown)."""
        rows = self.store.items(scan_ids, principal.key_id)
        parts: list[str] = []
        for sid in scan_ids:
            if sid not in rows:
                raise ApiError(400, "unknown scan id")
            for row in rows[sid]:
                head = f'{{"source":"{SOURCE}","req_id":{row.req_id},"status":"{row.status}","scan_id":"{sid}"'
                parts.append(head + (f',"result":{row.response}}}' if row.status == "complete" else "}"))
        return ("[" + ",".join(parts) + "]").encode()

    def reports(self, scan_ids: list[str], principal: Principal) -> bytes:
        """The ``ThreatScanReportObject`` array of the completed items of up to five scans."""
        rows = self.store.items(scan_ids, principal.key_id)
        parts: list[str] = []
        for sid in scan_ids:
            if sid not in rows:
                raise ApiError(400, "unknown report id")
            parts.extend(row.report for row in rows[sid] if row.status == "complete" and row.report)
        return ("[" + ",".join(parts) + "]").encode()


# --- helpers ------------------------------------------------------------------------------------------------

_api_key = APIKeyHeader(name="x-pan-token", auto_error=False, description="API key from `interlock keys create`")
_bearer = HTTPBearer(auto_error=False, description="The same key sent as a bearer token")


async def current_principal(
    request: Request,
    _key: Annotated[str | None, Security(_api_key)],
    _token: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> Principal:
    """The caller authenticated by the edge middleware."""
    principal = request.scope.get("state", {}).get("principal")
    if not isinstance(principal, Principal):  # the edge authenticates every API route; never reached normally
        raise ApiError(401, "not authenticated")
    return principal


Caller = Annotated[Principal, Depends(current_principal)]


def _state(request: Request) -> ServerState:
    st: ServerState = request.app.state.interlock
    return st


async def _offload(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn`` on the scan pool; 429 when ``max_inflight`` scans are already running or queued."""
    st = _state(request)
    if st.inflight >= st.settings.max_inflight:
        raise ApiError(429, "too many concurrent scans", retry_after=1.0)
    st.inflight += 1  # only touched on the event loop thread
    try:
        return await asyncio.get_running_loop().run_in_executor(st.executor, fn, *args)
    finally:
        st.inflight -= 1


def _parse_ids(request: Request, name: str, report: bool) -> list[str]:
    values = [p.strip() for v in request.query_params.getlist(name) for p in v.split(",")]
    if not values or len(values) > MAX_IDS or any(not v for v in values):
        raise ApiError(400, f"{name}: 1-{MAX_IDS} ids required")
    out: list[str] = []
    for v in values:
        raw = v[1:] if report and v[:1] in ("R", "r") else v
        if (report and v[:1] not in ("R", "r")) or len(raw) != 36:
            raise ApiError(400, f"{name}: malformed id")
        try:
            canonical = str(uuid.UUID(raw))
        except ValueError:
            raise ApiError(400, f"{name}: malformed id") from None
        if canonical != raw.lower():
            raise ApiError(400, f"{name}: malformed id")
        if canonical not in out:
            out.append(canonical)
    return out


def _ids_param(name: str, description: str, max_length: int, pattern: str) -> dict[str, Any]:
    return {
        "parameters": [
            {
                "name": name,
                "in": "query",
                "required": True,
                "description": description,
                "style": "form",
                "explode": False,
                "schema": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_IDS,
                    "items": {"type": "string", "maxLength": max_length, "pattern": pattern},
                },
            }
        ]
    }


_UUID_RE = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: {"model": ErrorBody, "description": MESSAGES[c]} for c in codes}


def _json(body: bytes) -> Response:
    return Response(content=body, media_type="application/json")


def _error_response(
    request: Request, status: int, reason: str, retry_after: float | None = None, message: str | None = None
) -> Response:
    request.scope.setdefault("state", {})["reason"] = reason
    headers = {k.decode(): v.decode() for k, v in error_headers(retry_after)}
    return Response(content=error_body(status, retry_after, message), status_code=status, headers=headers)


# --- app ----------------------------------------------------------------------------------------------------


def create_app(settings: ServerSettings | None = None, scanner: LocalScanner | None = None) -> FastAPI:
    """Build the server application.

    Args:
        settings: configuration (default: from ``INTERLOCK_*`` environment variables).
        scanner: the engine to use (default: a ``LocalScanner`` over the built-in profiles plus
            ``settings.profiles``).
    """
    cfg = settings if settings is not None else ServerSettings.from_env()
    store = open_store(cfg)
    engine_scanner = scanner or LocalScanner(
        profiles=ProfileStore.default(cfg.profiles), engine=Engine(max_workers=cfg.engine_threads)
    )
    try:
        for name in cfg.warm_profile_names or ():
            engine_scanner.profiles.get(name)  # an unknown --warm-profiles name would never become ready
    except ProfileError:
        store.close()
        raise
    metrics = Metrics()
    jobs = JobRunner(
        store,
        engine_scanner,
        cfg.async_workers,
        on_done=lambda r, p: metrics.observe_scan("async", r, p),
        lease_seconds=cfg.lease_seconds,
    )
    readiness = Readiness(store, cfg.redis_url)
    state = ServerState(
        settings=cfg,
        store=store,
        scanner=engine_scanner,
        metrics=metrics,
        jobs=jobs,
        readiness=readiness,
        owns_scanner=scanner is None,
    )
    metrics.gauges["interlock_async_queued_items"] = lambda: float(jobs.queued())
    metrics.gauges["interlock_scans_inflight"] = lambda: float(state.inflight)  # requests on the scan pool

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(jobs.start)
        purge = asyncio.create_task(_purge_loop(state))
        names = cfg.warm_profile_names or [p.name for p in engine_scanner.profiles]
        # in the background: the port opens now (liveness), /readyz says ready once every profile is warm
        warm = asyncio.create_task(asyncio.to_thread(readiness.warm, names, _warmer(engine_scanner)))
        restore_signal = install_drain(readiness, cfg.drain_seconds)
        log.info("interlock server started (db %s); warming %d profile(s)", store.describe(), len(names))
        try:
            yield
        finally:
            readiness.drain()
            restore_signal()
            await warm
            purge.cancel()
            await asyncio.to_thread(jobs.stop, cfg.shutdown_timeout)
            await asyncio.to_thread(state.shutdown_executor)
            left = await asyncio.to_thread(store.count_pending)
            if state.owns_scanner:
                engine_scanner.close()
            readiness.close()
            store.close()
            log.info("interlock server stopped; %d async item(s) left pending", left)

    app = FastAPI(
        title="Interlock scan API",
        version=__version__,
        description="Self-hosted, wire-compatible implementation of the AIRS 'API Intercept' scan API.",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.interlock = state
    app.add_middleware(
        EdgeMiddleware,
        config=EdgeConfig(
            store=store,
            metrics=metrics,
            scan_buckets=buckets(cfg.rate_limit, cfg.rate_burst, cfg.redis_url, "scan"),
            query_buckets=buckets(cfg.query_rate_limit, cfg.query_rate_burst, cfg.redis_url, "query"),
            sync_body_limit=cfg.sync_body_limit,
            async_body_limit=cfg.async_body_limit,
            verify_payload_hash=cfg.verify_payload_hash,
            access_log=cfg.access_log,
        ),
    )
    _handlers(app)
    _routes(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def app_from_env() -> FastAPI:
    """Factory used by uvicorn worker processes: settings come from the parent in ``INTERLOCK__SETTINGS``."""
    raw = os.environ.get(SETTINGS_ENV)
    settings = ServerSettings(**json.loads(raw)) if raw else ServerSettings.from_env()
    return create_app(settings)


def _warmer(scanner: LocalScanner) -> Callable[[str], dict[str, float]]:
    def warm_one(name: str) -> dict[str, float]:
        return scanner.warm([name])[name]

    return warm_one


async def _purge_loop(state: ServerState) -> None:
    while True:
        await asyncio.sleep(state.settings.purge_interval)
        try:
            n = await asyncio.to_thread(state.store.purge, state.settings.retention_seconds)
            if n:
                log.info("purged %d scan item(s) older than %ds", n, state.settings.retention_seconds)
        except Exception:
            log.exception("purge failed")


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        locs = sorted({".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()})[:5]
        return _error_response(request, 400, "validation: " + ", ".join(locs))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        status = exc.status_code if exc.status_code in MESSAGES else (500 if exc.status_code >= 500 else 400)
        resp = _error_response(request, status, f"http {exc.status_code}")
        if exc.headers:
            resp.headers.update(exc.headers)
        return resp

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> Response:
        return _error_response(request, exc.status, exc.reason, exc.retry_after)

    @app.exception_handler(InvalidRequestError)
    async def _bad(request: Request, exc: InvalidRequestError) -> Response:
        return _error_response(request, exc.status_code, str(exc)[:200])

    @app.exception_handler(ProfileError)
    async def _profile(request: Request, exc: ProfileError) -> Response:
        return _error_response(request, 404, "unknown profile", message=PROFILE_NOT_FOUND)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.error("unhandled %s", type(exc).__name__, exc_info=exc)
        return _error_response(request, 500, type(exc).__name__)


def _routes(app: FastAPI) -> None:
    scan_errors = _errors(400, 401, 403, 404, 413, 415, 429, 500)
    query_errors = _errors(400, 401, 403, 429, 500)

    @app.post(
        SYNC,
        response_model=ScanResponse,
        responses=scan_errors,
        summary="Scan one prompt/response/tool event and wait for the verdict",
        tags=["scan"],
    )
    async def sync_scan(request: Request, body: ScanRequest, principal: Caller) -> Response:
        return _json(await _offload(request, _state(request).scan_sync, body, principal))

    @app.post(
        ASYNC,
        response_model=AsyncScanResponse,
        responses=scan_errors,
        summary="Queue a batch of scans; returns one scan id for the batch",
        tags=["scan"],
    )
    async def async_scan(
        request: Request,
        body: Annotated[list[AsyncScanObject], Body()],
        principal: Caller,
    ) -> Response:
        return _json(await _offload(request, _state(request).accept_batch, body, principal))

    @app.get(
        RESULTS,
        response_model=list[ScanIdResult],
        responses=query_errors,
        summary="Results by scan id (one element per batch item)",
        tags=["scan"],
        openapi_extra=_ids_param("scan_ids", "1-5 scan ids, comma-joined", 36, _UUID_RE),
    )
    async def scan_results(request: Request, principal: Caller) -> Response:
        ids = _parse_ids(request, "scan_ids", report=False)
        return _json(await asyncio.to_thread(_state(request).results, ids, principal))

    @app.get(
        REPORTS,
        response_model=list[ThreatScanReport],
        responses=query_errors,
        summary="Threat reports by report id (R + scan id)",
        tags=["scan"],
        openapi_extra=_ids_param("report_ids", "1-5 report ids, comma-joined", 37, "^[Rr]" + _UUID_RE[1:]),
    )
    async def scan_reports(request: Request, principal: Caller) -> Response:
        ids = _parse_ids(request, "report_ids", report=True)
        return _json(await asyncio.to_thread(_state(request).reports, ids, principal))

    @app.get(
        "/v1/internal/health",
        response_class=Response,
        responses={200: {"description": "alive (empty body)"}},
        tags=["ops"],
    )
    async def health() -> Response:
        return Response(status_code=200)

    @app.get(
        "/livez",
        responses={200: {"description": "the process answers (restart it when this fails)"}},
        tags=["ops"],
    )
    async def livez() -> dict[str, str]:
        return {"status": "alive"}

    @app.get(
        "/readyz",
        response_model=ReadinessReport,
        responses={503: {"model": ReadinessReport, "description": "starting, draining, or a check failed"}},
        tags=["ops"],
        summary="Whether this replica can take traffic (database, Redis when configured, warmed detectors)",
    )
    async def readyz(request: Request) -> Response:
        report = await asyncio.to_thread(_state(request).readiness.report)
        return Response(
            content=report.model_dump_json(exclude_none=True),
            status_code=200 if report.ready else 503,
            media_type="application/json",
        )

    @app.get(
        "/metrics",
        response_class=PlainTextResponse,
        responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
        tags=["ops"],
    )
    async def metrics(request: Request) -> Response:
        return PlainTextResponse(_state(request).metrics.render(), media_type="text/plain; version=0.0.4")


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    # FastAPI documents its own 422; this API answers every validation error with 400.
    for path in schema.get("paths", {}).values():
        for op in path.values():
            op.get("responses", {}).pop("422", None)
    comps = schema.get("components", {}).get("schemas", {})
    comps.pop("HTTPValidationError", None)
    comps.pop("ValidationError", None)
    app.openapi_schema = schema
    return schema
