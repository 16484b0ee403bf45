"""``RemoteScanner``: the :class:`~interlock.scanner.Scanner` backend for AIRS or a self-hosted Interlock server."""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import Mapping
from typing import Any

import httpx

from interlock.client._async import AsyncAPI
from interlock.client._base import ClientConfig, Limits, VerifyTypes
from interlock.client._sync import SyncAPI
from interlock.scanner import ContentLike, Scanner, ScanResult

__all__ = ["RemoteScanner"]


class RemoteScanner(SyncAPI, AsyncAPI, Scanner):
    """Scan through an AIRS-compatible REST endpoint (the real AIRS API or ``interlock serve``).

    Works everywhere a :class:`~interlock.scanner.Scanner` does (sync and async). Besides the scan methods it
    exposes the raw API: :meth:`submit`, :meth:`results`, :meth:`reports`, :meth:`health`,
    :meth:`wait_for_results` and :meth:`scan_async_and_wait` (async twins are prefixed with ``a``).

    Args:
        api_key: sent as ``x-pan-token`` (default: ``PANW_AI_SEC_API_KEY``).
        api_token: OAuth2 token, sent as ``Authorization: Bearer`` (default: ``PANW_AI_SEC_API_TOKEN``).
            At least one credential is required; when both are set both headers are sent, like the SDK.
        endpoint: base URL (default: ``PANW_AI_SEC_API_ENDPOINT``, else the AIRS US endpoint). ``https`` is
            required except for loopback hosts; ``allow_http=True`` permits ``http`` to any host.
        profile / profile_id: the AI security profile used when a call names none.
        fetch_report: also fetch the threat report of every scan (one extra GET; AIRS rate-limits reports
            to 10 requests per minute). A report that cannot be fetched is logged and left ``None``: the
            verdict is still returned.
        timeout: seconds (or an ``httpx.Timeout``) per HTTP request; default 30 s (connect 10 s).
        verify: TLS verification: ``True`` (``SSL_CERT_FILE``/``SSL_CERT_DIR`` honoured, else certifi), a CA
            bundle path, an ``ssl.SSLContext``, or ``False``.
        max_retries / backoff_base / backoff_max / max_retry_after: see :class:`~interlock.client.RetryPolicy`.
        limits: client-side limits (:class:`~interlock.client.Limits`).
        headers: extra headers for every request (cannot override authentication or the payload hash).

    Raises:
        ConfigError: missing or invalid credentials, endpoint or options.

    Example:
        >>> with RemoteScanner(api_key="...", profile="my-profile") as s:  # doctest: +SKIP
        ...     s.scan("What is the capital of France?").action
        'allow'
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        api_token: str | None = None,
        endpoint: str | None = None,
        profile: str | None = None,
        profile_id: str | None = None,
        fetch_report: bool = False,
        allow_http: bool = False,
        timeout: float | httpx.Timeout | None = 30.0,
        verify: VerifyTypes = True,
        max_retries: int = 5,
        backoff_base: float = 0.1,
        backoff_max: float = 8.0,
        max_retry_after: float = 60.0,
        limits: Limits | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.config = ClientConfig.create(
            api_key=api_key,
            api_token=api_token,
            endpoint=endpoint,
            allow_http=allow_http,
            timeout=timeout,
            verify=verify,
            max_retries=max_retries,
            backoff_base=backoff_base,
            backoff_max=backoff_max,
            max_retry_after=max_retry_after,
            limits=limits,
            headers=headers,
            env=os.environ,
        )
        self.default_profile = profile
        self.default_profile_id = profile_id
        self.fetch_report = bool(fetch_report)
        self._client = None
        self._lock = threading.Lock()
        self._aclients = weakref.WeakKeyDictionary()
        self._closed = False

    @property
    def endpoint(self) -> str:
        """The normalised base URL."""
        return self.config.endpoint

    def __repr__(self) -> str:
        return f"RemoteScanner({self.config!r})"

    def scan(self, content: ContentLike, **kwargs: Any) -> ScanResult:
        return super().scan(content, **self.scan_kwargs(kwargs))

    async def ascan(self, content: ContentLike, **kwargs: Any) -> ScanResult:
        return await super().ascan(content, **self.scan_kwargs(kwargs))

    def close(self) -> None:
        """Close the connection pools. Async pools need :meth:`aclose`; here they are only dropped."""
        self._closed = True
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()
        self._aclients = weakref.WeakKeyDictionary()

    async def aclose(self) -> None:
        """Close the pool of the running event loop, then everything :meth:`close` closes."""
        client = self._aclients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()
        self.close()

    def __enter__(self) -> RemoteScanner:
        return self

    async def __aenter__(self) -> RemoteScanner:
        return self
