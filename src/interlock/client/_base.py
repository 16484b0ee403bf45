"""I/O-free core of the remote client (httpx style: the sync and async shells only move bytes).

Everything that does not touch the network lives here: configuration (arguments, then the official SDK's
environment variables), request building and client-side limits, the body serialisation and the
``x-payload-hash`` header exactly as the SDK computes them, response parsing into the wire models, HTTP error
mapping to :mod:`interlock.errors`, and the retry decision.

Serialisation: bodies are ``json.dumps(model.to_wire())`` with the default separators and ``ensure_ascii``,
keys in model field order (which is the SDK's), ``None`` omitted — byte-for-byte what the SDK sends, so the
payload hash is the same one the SDK would compute.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import ipaddress
import json
import logging
import os
import ssl
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import quote, urlsplit

import httpx
import re2
from pydantic import TypeAdapter, ValidationError

from interlock._version import __version__
from interlock.errors import (
    APIStatusError,
    ClientError,
    ConfigError,
    InvalidRequestError,
    ResponseFormatError,
    ScanTimeoutError,
    TransportError,
    error_for_status,
)
from interlock.models import (
    AsyncScanObject,
    AsyncScanResponse,
    ScanContent,
    ScanIdResult,
    ScanRequest,
    ScanResponse,
    ThreatScanReport,
)
from interlock.scanner import ContentLike, ScanResult, build_request, validation_message

__all__ = [
    "ASYNC_SCAN_PATH",
    "DEFAULT_ENDPOINT",
    "ENV_API_ENDPOINT",
    "ENV_API_KEY",
    "ENV_API_TOKEN",
    "HEALTH_PATH",
    "REPORTS_PATH",
    "RESULTS_PATH",
    "SYNC_SCAN_PATH",
    "Call",
    "ClientConfig",
    "Limits",
    "RemoteBase",
    "RetryPolicy",
    "count_urls",
    "encode_body",
    "payload_hash",
]

logger = logging.getLogger("interlock.client")

#: The AIRS US endpoint (the official SDK's default).
DEFAULT_ENDPOINT = "https://service.api.aisecurity.paloaltonetworks.com"
ENV_API_KEY = "PANW_AI_SEC_API_KEY"
ENV_API_TOKEN = "PANW_AI_SEC_API_TOKEN"  # noqa: S105 - an environment variable name, not a secret
ENV_API_ENDPOINT = "PANW_AI_SEC_API_ENDPOINT"

SYNC_SCAN_PATH = "/v1/scan/sync/request"
ASYNC_SCAN_PATH = "/v1/scan/async/request"
RESULTS_PATH = "/v1/scan/results"
REPORTS_PATH = "/v1/scan/reports"
HEALTH_PATH = "/v1/internal/health"

HEADER_API_KEY = "x-pan-token"
HEADER_PAYLOAD_HASH = "x-payload-hash"
MAX_CREDENTIAL_CHARS = 2048
MAX_SCAN_ID_CHARS = 36
USER_AGENT = f"interlock/{__version__} python-httpx/{httpx.__version__}"

#: Statuses a GET is retried on with exponential back-off (the SDK's ``HTTP_FORCE_RETRY_STATUS_CODES``).
RETRY_STATUSES = frozenset({500, 502, 503, 504})
#: Statuses a GET is retried on when the response carries ``Retry-After`` (urllib3 semantics).
RETRY_AFTER_STATUSES = frozenset({429, 503})
#: Transport failures where the request provably never reached the server: safe to retry for any method.
_NOT_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

# Counting URLs on untrusted text: linear-time RE2, no backtracking.
_URL_RE = re2.compile(rb"(?i)https?://[^\s/?#]")  # on UTF-8 bytes: no per-match offset mapping
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_TIME_UNITS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}

T = TypeVar("T")


# --------------------------------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Limits:
    """Client-side limits, checked before anything is sent (a violation raises ``InvalidRequestError``).

    Defaults follow the AIRS documentation and the official SDK (section 9 of the API notes). Byte limits
    use binary units (2 MiB / 5 MiB) for the documented "2 MB" / "5 MB" bodies; a stricter server still
    answers 413, which surfaces as :class:`~interlock.errors.PayloadTooLargeError`.

    Attributes:
        max_text_chars: ``prompt``/``response``/``code_prompt``/``code_response``, each (SDK: 2 MiB chars).
        max_context_chars: ``context`` (SDK: 100 MiB chars).
        max_sync_body_bytes: serialised body of a sync scan (guide: 2 MB).
        max_async_body_bytes: serialised body of an async batch (guide: 5 MB).
        max_urls: http(s) URLs across the texts of one scan request (guide: 100 per request); each item of an
            async batch counts on its own, as the Interlock server does. ``None`` disables.
        max_batch: items per async batch. The latest guide says 25, the SDK README/constant say 5 (unenforced);
            we default to 25 — set 5 for the most conservative behaviour.
        max_ids: ids per results/reports query (1-5 everywhere).
        max_report_id_chars: report id length (SDK: 40; real ids are 37).
    """

    max_text_chars: int = 2 * 1024 * 1024
    max_context_chars: int = 100 * 1024 * 1024
    max_sync_body_bytes: int = 2 * 1024 * 1024
    max_async_body_bytes: int = 5 * 1024 * 1024
    max_urls: int | None = 100
    max_batch: int = 25
    max_ids: int = 5
    max_report_id_chars: int = 40

    def __post_init__(self) -> None:
        for name, value in self.__dict__.items():
            if value is None and name == "max_urls":
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"Limits.{name} must be a positive integer, got {value!r}")


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before retrying.

    GETs (results, reports, health) are retried on 500/502/503/504 with exponential back-off, and on 429/503
    carrying ``Retry-After`` (waiting that long, if not more than ``max_retry_after``). POST scans are never
    retried on an HTTP status: a scan may have been performed and billed. Failures to establish a connection
    are retried for every method (the request never left); other transport errors only for GETs.

    Attributes:
        max_retries: retries after the first attempt (SDK default 5).
        backoff_base: first back-off delay in seconds; doubled on each retry.
        backoff_max: cap for one back-off delay.
        max_retry_after: longest ``Retry-After`` honoured; a longer one is raised to the caller at once.
    """

    max_retries: int = 5
    backoff_base: float = 0.1
    backoff_max: float = 8.0
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if not isinstance(self.max_retries, int) or isinstance(self.max_retries, bool) or self.max_retries < 0:
            raise ConfigError(f"max_retries must be a non-negative integer, got {self.max_retries!r}")
        for name in ("backoff_base", "backoff_max", "max_retry_after"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ConfigError(f"{name} must be a non-negative number, got {value!r}")

    def backoff(self, retry: int) -> float:
        """Delay before retry number ``retry`` (0-based): base, 2*base, 4*base ... capped."""
        return float(min(self.backoff_max, self.backoff_base * (2**retry)))


def _credential(name: str, value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{name} must be a string")
    value = value.strip()
    if not value:
        return None
    if len(value) > MAX_CREDENTIAL_CHARS:
        raise ConfigError(f"{name} is longer than {MAX_CREDENTIAL_CHARS} characters")
    if not value.isascii() or not value.isprintable():
        raise ConfigError(f"{name} must be printable ASCII")
    return value


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_endpoint(endpoint: str, *, allow_http: bool = False) -> str:
    """Validate a base URL and return it without a trailing slash.

    ``https`` is required, as in the official SDK. ``http`` is accepted only for a loopback host
    (``localhost``, ``127.0.0.0/8``, ``::1`` — local testing and sidecars) or when ``allow_http=True``
    is passed explicitly (e.g. a private network between containers): credentials travel in clear text.
    """
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise ConfigError("endpoint must be a non-empty URL")
    text = endpoint.strip()
    try:
        parts = urlsplit(text)
        port = parts.port  # validates the port number
    except ValueError as exc:
        raise ConfigError(f"endpoint is not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme not in ("https", "http") or not host:
        raise ConfigError("endpoint must be an absolute https:// URL")
    if scheme == "http" and not (allow_http or _is_loopback(host)):
        raise ConfigError(
            "endpoint must use https:// (http:// is accepted for loopback hosts, or with allow_http=True)"
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigError("endpoint must not embed credentials; pass api_key or api_token")
    if parts.query or parts.fragment:
        raise ConfigError("endpoint must not have a query string or fragment")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


VerifyTypes = bool | str | os.PathLike[str] | ssl.SSLContext


def ssl_context(verify: VerifyTypes, env: Mapping[str, str]) -> ssl.SSLContext | bool:
    """Resolve ``verify``: a CA bundle file or directory, an ``SSLContext``, or a bool.

    With ``verify=True`` the CA file in ``SSL_CERT_FILE`` (or directory in ``SSL_CERT_DIR``) is used when set,
    else httpx's default (certifi).
    """
    if isinstance(verify, ssl.SSLContext) or verify is False:
        return verify
    if verify is True:
        if env.get("SSL_CERT_FILE"):
            return ssl_context(env["SSL_CERT_FILE"], {})
        if env.get("SSL_CERT_DIR"):
            return ssl_context(env["SSL_CERT_DIR"], {})
        return True
    if isinstance(verify, (str, os.PathLike)):
        path = Path(verify)
        try:
            if path.is_dir():
                return ssl.create_default_context(capath=str(path))
            return ssl.create_default_context(cafile=str(path))
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"cannot load CA certificates from {str(path)!r}: {exc}") from None
    raise ConfigError(f"verify must be a bool, a CA bundle path or an ssl.SSLContext, not {type(verify).__name__}")


def _timeout(value: float | httpx.Timeout | None) -> httpx.Timeout:
    if isinstance(value, httpx.Timeout):
        return value
    if value is None:
        return httpx.Timeout(None)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ConfigError(f"timeout must be a positive number of seconds, an httpx.Timeout or None, got {value!r}")
    return httpx.Timeout(float(value), connect=min(float(value), 10.0))


@dataclass(frozen=True, repr=False)
class ClientConfig:
    """Resolved, validated client settings (never printed with the credentials)."""

    endpoint: str
    api_key: str | None
    api_token: str | None
    timeout: httpx.Timeout
    verify: ssl.SSLContext | bool
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    limits: Limits = field(default_factory=Limits)
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        *,
        api_key: str | None = None,
        api_token: str | None = None,
        endpoint: str | None = None,
        allow_http: bool = False,
        timeout: float | httpx.Timeout | None = 30.0,
        verify: VerifyTypes = True,
        max_retries: int = 5,
        backoff_base: float = 0.1,
        backoff_max: float = 8.0,
        max_retry_after: float = 60.0,
        limits: Limits | None = None,
        headers: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> ClientConfig:
        """Build a config; omitted credentials and endpoint come from the SDK's environment variables."""
        env = os.environ if env is None else env
        key = _credential("api_key", api_key if api_key is not None else env.get(ENV_API_KEY))
        token = _credential("api_token", api_token if api_token is not None else env.get(ENV_API_TOKEN))
        if key is None and token is None:
            raise ConfigError(
                f"an API key or an API token is required: pass api_key=/api_token= or set {ENV_API_KEY} "
                f"or {ENV_API_TOKEN}"
            )
        url = endpoint if endpoint is not None else (env.get(ENV_API_ENDPOINT) or DEFAULT_ENDPOINT)
        extra = dict(headers or {})
        reserved = {HEADER_API_KEY, "authorization", HEADER_PAYLOAD_HASH, "content-type", "content-length"}
        if any(k.lower() in reserved for k in extra):
            raise ConfigError(f"headers must not override {sorted(reserved)}")
        if limits is not None and not isinstance(limits, Limits):
            raise ConfigError("limits must be an interlock.client.Limits")
        return cls(
            endpoint=normalize_endpoint(url, allow_http=allow_http),
            api_key=key,
            api_token=token,
            timeout=_timeout(timeout),
            verify=ssl_context(verify, env),
            retry=RetryPolicy(max_retries, backoff_base, backoff_max, max_retry_after),
            limits=limits or Limits(),
            headers=extra,
        )

    def __repr__(self) -> str:
        creds = [n for n, v in (("api_key", self.api_key), ("api_token", self.api_token)) if v]
        return f"ClientConfig(endpoint={self.endpoint!r}, credentials={creds})"

    @property
    def hash_key(self) -> str:
        """The HMAC key of ``x-payload-hash``: the ``Authorization`` value if a token is set, else the API key."""
        return f"Bearer {self.api_token}" if self.api_token else (self.api_key or "")

    def client_headers(self) -> dict[str, str]:
        """Headers sent on every request (authentication included)."""
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT, **self.headers}
        if self.api_key:
            headers[HEADER_API_KEY] = self.api_key
        if self.api_token:
            headers["Authorization"] = f"Bearer {self.api_token}"
        return headers

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``httpx.Client`` / ``httpx.AsyncClient``."""
        return {"headers": self.client_headers(), "timeout": self.timeout, "verify": self.verify}


# --------------------------------------------------------------------------------------------------- wire helpers


def encode_body(payload: Any) -> bytes:
    """Serialise a JSON body exactly like the SDK: ``json.dumps`` defaults (``", "``/``": "``, ASCII-escaped)."""
    return json.dumps(payload).encode("utf-8")


def payload_hash(key: str, body: bytes | None) -> str:
    """``x-payload-hash``: hex HMAC-SHA256 of the body bytes, or of ``null`` when there is no body (GET)."""
    return hmac.new(key.encode("utf-8"), b"null" if body is None else body, hashlib.sha256).hexdigest()


def count_urls(texts: Iterable[str | None], stop_after: int | None = None) -> int:
    """Count ``http://``/``https://`` URLs in the texts (linear time); stop once ``stop_after`` is exceeded."""
    total = 0
    for text in texts:
        if not text:
            continue
        for _ in _URL_RE.finditer(text.encode("utf-8", "surrogatepass")):
            total += 1
            if stop_after is not None and total > stop_after:
                return total
    return total


def _texts(content: ScanContent) -> Iterable[str | None]:
    yield from (content.prompt, content.response, content.code_prompt, content.code_response, content.context)
    if content.tool_event is not None:
        yield from (content.tool_event.input, content.tool_event.output)


def _retry_after_header(value: str | None, now: float | None = None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN / inf
        return None
    return max(0.0, seconds)


def _retry_after_body(body: Any) -> float | None:
    err = body.get("error") if isinstance(body, dict) else None
    ra = err.get("retry_after") if isinstance(err, dict) else None
    if not isinstance(ra, dict):
        return None
    interval, unit = ra.get("interval"), ra.get("unit", "second")
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or interval < 0:
        return None
    scale = _TIME_UNITS.get(str(unit).lower().rstrip("s"), 1.0)
    return float(interval) * scale


def _error_message(body: Any) -> str | None:
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return str(err["message"])
        if isinstance(body.get("message"), str):
            return str(body["message"])
        if isinstance(err, str):
            return err
    return None


def _decode_error_body(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        text = response.content[:2000].decode("utf-8", "replace")
        return text or None


@dataclass(frozen=True)
class Call(Generic[T]):
    """One API call, ready to send: method, path, query string, body bytes and the response parser.

    ``parse`` receives the decoded JSON of a 200 response; ``None`` means the body is ignored (health).
    """

    method: str
    path: str
    parse: Callable[[Any], T] | None
    body: bytes | None = None
    query: str | None = None
    what: str = "response"

    @property
    def idempotent(self) -> bool:
        """GETs may be retried on a server error; POST scans may not."""
        return self.method == "GET"

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


_SCAN_RESPONSE: TypeAdapter[ScanResponse] = TypeAdapter(ScanResponse)
_ASYNC_RESPONSE: TypeAdapter[AsyncScanResponse] = TypeAdapter(AsyncScanResponse)
_RESULTS: TypeAdapter[list[ScanIdResult]] = TypeAdapter(list[ScanIdResult])
_REPORTS: TypeAdapter[list[ThreatScanReport]] = TypeAdapter(list[ThreatScanReport])
_ASYNC_ITEM: TypeAdapter[AsyncScanObject] = TypeAdapter(AsyncScanObject)


# --------------------------------------------------------------------------------------------------- base


class RemoteBase:
    """All I/O-free behaviour of the remote client; the shells call these methods around the network."""

    config: ClientConfig

    # -- building calls ------------------------------------------------------------------------------------

    def _check_content(self, content: ScanContent, where: str) -> None:
        lim = self.config.limits
        for name in ("prompt", "response", "code_prompt", "code_response"):
            value = getattr(content, name)
            if value is not None and len(value) > lim.max_text_chars:
                raise InvalidRequestError(
                    f"{where}.{name} has {len(value)} characters; the limit is {lim.max_text_chars}", status_code=413
                )
        if content.context is not None and len(content.context) > lim.max_context_chars:
            raise InvalidRequestError(
                f"{where}.context has {len(content.context)} characters; the limit is {lim.max_context_chars}",
                status_code=413,
            )

    def _check_request(self, request: ScanRequest, where: str = "request") -> None:
        if not isinstance(request, ScanRequest):
            raise InvalidRequestError(f"{where} must be a ScanRequest, not {type(request).__name__}")
        for i, content in enumerate(request.contents):
            self._check_content(content, f"{where}.contents[{i}]")

    def _check_urls(self, contents: Iterable[ScanContent]) -> None:
        limit = self.config.limits.max_urls
        if limit is None:
            return
        n = count_urls((t for c in contents for t in _texts(c)), stop_after=limit)
        if n > limit:
            raise InvalidRequestError(f"a scan request contains more than {limit} URLs", status_code=413)

    def _check_body(self, body: bytes, limit: int, kind: str) -> None:
        if len(body) > limit:
            raise InvalidRequestError(
                f"the {kind} request body is {len(body)} bytes; the limit is {limit}", status_code=413
            )

    def scan_call(self, request: ScanRequest) -> Call[ScanResponse]:
        """``POST /v1/scan/sync/request`` (limits checked; raises InvalidRequestError)."""
        self._check_request(request)
        self._check_urls(request.contents)
        body = encode_body(request.to_wire())
        self._check_body(body, self.config.limits.max_sync_body_bytes, "sync scan")
        return Call("POST", SYNC_SCAN_PATH, _SCAN_RESPONSE.validate_python, body=body, what="ScanResponse")

    def batch_items(self, items: Sequence[AsyncScanObject | ScanRequest | Mapping[str, Any]]) -> list[AsyncScanObject]:
        """Normalise an async batch: ``ScanRequest``s get ``req_id`` = position + 1; ids must be unique."""
        if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Sequence):
            raise InvalidRequestError("an async batch must be a list of AsyncScanObject or ScanRequest")
        if not items:
            raise InvalidRequestError("an async batch must not be empty")
        limit = self.config.limits.max_batch
        if len(items) > limit:
            raise InvalidRequestError(f"an async batch holds at most {limit} items, got {len(items)}")
        out: list[AsyncScanObject] = []
        for i, item in enumerate(items):
            if isinstance(item, ScanRequest):
                item = AsyncScanObject(req_id=i + 1, scan_req=item)
            elif isinstance(item, Mapping):
                try:
                    item = _ASYNC_ITEM.validate_python(dict(item))
                except ValidationError as exc:
                    raise InvalidRequestError(f"batch[{i}]: {validation_message(exc)}") from None
            elif not isinstance(item, AsyncScanObject):
                raise InvalidRequestError(f"batch[{i}] must be an AsyncScanObject or a ScanRequest")
            self._check_request(item.scan_req, f"batch[{i}].scan_req")
            out.append(item)
        ids = [o.req_id for o in out]
        if len(set(ids)) != len(ids):
            raise InvalidRequestError("req_id values must be unique within a batch")
        return out

    def submit_call(self, items: Sequence[AsyncScanObject]) -> Call[AsyncScanResponse]:
        """``POST /v1/scan/async/request`` for already normalised items (see :meth:`batch_items`)."""
        for o in items:
            self._check_urls(o.scan_req.contents)
        body = encode_body([o.to_wire() for o in items])
        self._check_body(body, self.config.limits.max_async_body_bytes, "async scan")
        return Call("POST", ASYNC_SCAN_PATH, _ASYNC_RESPONSE.validate_python, body=body, what="AsyncScanResponse")

    def _ids(self, ids: str | Sequence[str], kind: str) -> list[str]:
        values = [ids] if isinstance(ids, str) else list(ids) if isinstance(ids, Sequence) else None
        if values is None:
            raise InvalidRequestError(f"{kind} must be a string or a list of strings")
        limit = self.config.limits.max_ids
        if not 1 <= len(values) <= limit:
            raise InvalidRequestError(f"{kind}: give 1 to {limit} ids, got {len(values)}")
        for v in values:
            if not isinstance(v, str) or not v:
                raise InvalidRequestError(f"{kind} must be non-empty strings")
        return values

    def results_call(self, scan_ids: str | Sequence[str]) -> Call[list[ScanIdResult]]:
        """``GET /v1/scan/results?scan_ids=a,b`` (1-5 canonical UUIDs)."""
        ids = self._ids(scan_ids, "scan_ids")
        for v in ids:
            if len(v) > MAX_SCAN_ID_CHARS or not _is_uuid(v):
                raise InvalidRequestError(f"scan id {v[:40]!r} is not a UUID")
        return Call("GET", RESULTS_PATH, _RESULTS.validate_python, query=_list_query("scan_ids", ids), what="results")

    def reports_call(self, report_ids: str | Sequence[str]) -> Call[list[ThreatScanReport]]:
        """``GET /v1/scan/reports?report_ids=a,b`` (1-5 ids of at most 40 characters)."""
        ids = self._ids(report_ids, "report_ids")
        limit = self.config.limits.max_report_id_chars
        for v in ids:
            if len(v) > limit:
                raise InvalidRequestError(f"report id {v[:limit]!r}... is longer than {limit} characters")
        return Call("GET", REPORTS_PATH, _REPORTS.validate_python, query=_list_query("report_ids", ids), what="reports")

    def health_call(self) -> Call[None]:
        """``GET /v1/internal/health`` (200 with any body is healthy)."""
        return Call("GET", HEALTH_PATH, None, what="health")

    def request_kwargs(self, call: Call[Any]) -> dict[str, Any]:
        """Arguments for ``client.build_request``: URL, per-request headers and body."""
        url = self.config.endpoint + call.path + (f"?{call.query}" if call.query else "")
        headers = {HEADER_PAYLOAD_HASH: payload_hash(self.config.hash_key, call.body)}
        if call.body is not None:
            headers["Content-Type"] = "application/json"
        return {"method": call.method, "url": url, "headers": headers, "content": call.body}

    # -- responses --------------------------------------------------------------------------------------------

    def status_error(self, call: Call[Any], response: httpx.Response) -> APIStatusError:
        """The typed exception for a non-200 response (status, parsed body and ``retry_after`` attached)."""
        body = _decode_error_body(response)
        status = response.status_code
        retry_after = _retry_after_header(response.headers.get("retry-after"))
        if retry_after is None:
            retry_after = _retry_after_body(body)
        message = _error_message(body)
        reason = response.reason_phrase or ""
        text = f"{call} answered {status} {reason}".rstrip() + (f": {message}" if message else "")
        if 200 <= status < 300:
            text += " (AIRS answers 200 on success)"
        return error_for_status(status)(text, status_code=status, body=body, retry_after=retry_after)

    def parse_response(self, call: Call[T], response: httpx.Response) -> T:
        """Decode a response: exactly 200 is success, anything else raises the typed error."""
        if response.status_code != 200:
            raise self.status_error(call, response)
        if call.parse is None:
            return None  # type: ignore[return-value]
        try:
            data = json.loads(response.content)
        except ValueError:
            raise ResponseFormatError(f"{call} answered 200 with a body that is not JSON") from None
        try:
            return call.parse(data)
        except ValidationError as exc:
            detail = validation_message(exc)
            raise ResponseFormatError(f"{call} answered 200 with an invalid {call.what}: {detail}") from None

    def transport_error(self, call: Call[Any], exc: httpx.HTTPError) -> ClientError:
        """Map an httpx exception (no usable response) to ``TransportError`` / ``ScanTimeoutError``."""
        if isinstance(exc, httpx.TimeoutException):
            return ScanTimeoutError(f"{call} timed out ({type(exc).__name__})")
        if isinstance(exc, httpx.DecodingError):
            return ResponseFormatError(f"{call}: the response could not be decoded ({exc})")
        return TransportError(f"{call} failed: {type(exc).__name__}: {exc}")

    def retry_delay(
        self,
        call: Call[Any],
        retry: int,
        *,
        response: httpx.Response | None = None,
        error: httpx.HTTPError | None = None,
    ) -> float | None:
        """Seconds to wait before retry number ``retry`` (0-based), or ``None`` to give up now."""
        policy = self.config.retry
        if retry >= policy.max_retries:
            return None
        if error is not None:
            if isinstance(error, _NOT_SENT_ERRORS) or (call.idempotent and isinstance(error, httpx.TransportError)):
                return policy.backoff(retry)
            return None
        if response is None or not call.idempotent:
            return None
        status = response.status_code
        if status in RETRY_AFTER_STATUSES:
            wait = _retry_after_header(response.headers.get("retry-after"))
            if wait is not None:
                return wait if wait <= policy.max_retry_after else None
        if status in RETRY_STATUSES:
            return policy.backoff(retry)
        return None

    def log_retry(self, call: Call[Any], retry: int, delay: float, cause: str) -> None:
        """Log a retry (method, path and cause only — never headers or bodies)."""
        logger.info(
            "retrying %s after %s in %.2fs (retry %d/%d)", call, cause, delay, retry + 1, self.config.retry.max_retries
        )

    # -- scanning helpers ----------------------------------------------------------------------------------

    default_profile: str | None = None
    default_profile_id: str | None = None

    def scan_kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Apply the scanner's default profile when a call names none."""
        if kwargs.get("profile") is None and kwargs.get("profile_id") is None:
            if self.default_profile is not None or self.default_profile_id is not None:
                return {**kwargs, "profile": self.default_profile, "profile_id": self.default_profile_id}
        return kwargs

    def batch_requests(
        self, contents: Sequence[ContentLike | ScanRequest | AsyncScanObject], kwargs: dict[str, Any]
    ) -> list[AsyncScanObject | ScanRequest]:
        """Turn contents into requests (``AsyncScanObject``/``ScanRequest`` items are kept as they are)."""
        if isinstance(contents, (str, bytes, Mapping)) or not isinstance(contents, Sequence):
            raise InvalidRequestError("contents must be a list")
        kwargs = self.scan_kwargs(kwargs)
        return [c if isinstance(c, (AsyncScanObject, ScanRequest)) else build_request(c, **kwargs) for c in contents]

    def assemble(
        self,
        items: Sequence[AsyncScanObject],
        results: Sequence[ScanIdResult],
        reports: Sequence[ThreatScanReport] | None,
    ) -> list[ScanResult]:
        """Pair each submitted item with its result (by ``req_id``), in submission order."""
        by_req = {r.req_id: r for r in results}
        out = []
        for item in items:
            found = by_req.get(item.req_id)
            if found is None or found.result is None:
                raise ResponseFormatError(f"the results have no completed scan for req_id {item.req_id}")
            report = self.pick_report(reports, item.req_id) if reports is not None else None
            out.append(ScanResult(response=found.result, content=item.scan_req.contents[-1], report=report))
        return out

    @staticmethod
    def report_failed(report_id: str, exc: ClientError) -> None:
        """Log a report that could not be fetched (the scan result is returned without it)."""
        logger.warning("could not fetch threat report %s: %s", report_id, type(exc).__name__)

    # -- polling -------------------------------------------------------------------------------------------

    @staticmethod
    def poller(scan_id: str, timeout: float, interval: float, expected: Iterable[int] | None = None) -> Poller:
        """A :class:`Poller` for ``wait_for_results`` (validates the arguments)."""
        for name, value in (("timeout", timeout), ("interval", interval)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise InvalidRequestError(f"{name} must be a positive number of seconds")
        return Poller(scan_id, float(timeout), float(interval), None if expected is None else frozenset(expected))

    @staticmethod
    def results_done(results: Sequence[ScanIdResult], expected: Iterable[int] | None = None) -> bool:
        """True when every item is ``complete`` (and, if given, every expected ``req_id`` is among them)."""
        if not results or any(r.status != "complete" for r in results):
            return False
        if expected is not None:
            return set(expected) <= {r.req_id for r in results}
        return True

    @staticmethod
    def pick_report(reports: Sequence[ThreatScanReport], req_id: int = 0) -> ThreatScanReport | None:
        """The report entry of ``req_id`` (sync scans use 0); a lone entry without ``req_id`` also matches."""
        for r in reports:
            if r.req_id == req_id:
                return r
        if len(reports) == 1 and reports[0].req_id is None:
            return reports[0]
        return None


class Poller:
    """Deadline bookkeeping for polling ``results`` (the shells only sleep)."""

    def __init__(self, scan_id: str, timeout: float, interval: float, expected: frozenset[int] | None) -> None:
        self.scan_id = scan_id
        self.timeout = timeout
        self.interval = interval
        self.expected = expected
        self.deadline = time.monotonic() + timeout
        self.pending = -1

    def done(self, results: Sequence[ScanIdResult]) -> bool:
        """True when every expected item is complete."""
        self.pending = sum(1 for r in results if r.status != "complete")
        return RemoteBase.results_done(results, self.expected)

    def next_delay(self, retry_after: float | None = None) -> float:
        """How long to sleep before the next poll; raises ``ScanTimeoutError`` once the deadline has passed."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            state = f"{self.pending} item(s) pending" if self.pending >= 0 else "no results yet"
            raise ScanTimeoutError(f"scan {self.scan_id} not complete after {self.timeout:g}s ({state})")
        wait = self.interval if retry_after is None else max(retry_after, self.interval)
        return min(wait, remaining)


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _list_query(name: str, values: Sequence[str]) -> str:
    """OpenAPI ``form``/``explode: false``: one parameter, elements percent-encoded, commas literal."""
    return f"{name}=" + ",".join(quote(v, safe="") for v in values)
