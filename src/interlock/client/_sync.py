"""Blocking shell of the remote client: sends the calls built by :mod:`interlock.client._base` with httpx."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import httpx

from interlock.client._base import Call, RemoteBase
from interlock.errors import ClientError, RateLimitError
from interlock.models import AsyncScanObject, AsyncScanResponse, ScanIdResult, ScanRequest, ThreatScanReport
from interlock.scanner import ContentLike, ScanResult

__all__ = ["SyncAPI"]

T = TypeVar("T")


class SyncAPI(RemoteBase):
    """The blocking methods of :class:`~interlock.client.RemoteScanner` (one ``httpx.Client``, reused)."""

    fetch_report: bool
    _client: httpx.Client | None
    _lock: threading.Lock
    _closed: bool

    def _http(self) -> httpx.Client:
        if self._closed:
            raise ClientError("the RemoteScanner is closed")
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = httpx.Client(**self.config.client_kwargs())
                client = self._client
        return client

    def _send(self, call: Call[T]) -> T:
        client = self._http()
        retry = 0
        while True:
            try:
                response = client.send(client.build_request(**self.request_kwargs(call)))
            except httpx.HTTPError as exc:
                delay = self.retry_delay(call, retry, error=exc)
                if delay is None:
                    raise self.transport_error(call, exc) from exc
                self.log_retry(call, retry, delay, type(exc).__name__)
            else:
                delay = self.retry_delay(call, retry, response=response)
                if delay is None:
                    return self.parse_response(call, response)
                self.log_retry(call, retry, delay, f"HTTP {response.status_code}")
            time.sleep(delay)
            retry += 1

    def _fetch_reports(self, report_id: str) -> list[ThreatScanReport]:
        try:
            return self.reports(report_id)
        except ClientError as exc:  # the verdict matters more than its report: keep the result
            self.report_failed(report_id, exc)
            return []

    def scan_request(self, request: ScanRequest) -> ScanResult:
        """Scan with ``POST /v1/scan/sync/request``; attaches the threat report when ``fetch_report`` is set."""
        response = self._send(self.scan_call(request))
        report = self.pick_report(self._fetch_reports(response.report_id)) if self.fetch_report else None
        return ScanResult(response=response, content=request.contents[-1], report=report)

    def submit(self, items: Sequence[AsyncScanObject | ScanRequest | Mapping[str, Any]]) -> AsyncScanResponse:
        """Queue a batch with ``POST /v1/scan/async/request``; returns the batch's ``scan_id``/``report_id``."""
        return self._send(self.submit_call(self.batch_items(items)))

    def results(self, scan_ids: str | Sequence[str]) -> list[ScanIdResult]:
        """``GET /v1/scan/results`` for 1-5 scan ids (one element per batch item)."""
        return self._send(self.results_call(scan_ids))

    def reports(self, report_ids: str | Sequence[str]) -> list[ThreatScanReport]:
        """``GET /v1/scan/reports`` for 1-5 report ids (``"R" + scan_id``)."""
        return self._send(self.reports_call(report_ids))

    def health(self) -> None:
        """``GET /v1/internal/health``; returns when healthy, raises a ``ClientError`` otherwise."""
        self._send(self.health_call())

    def wait_for_results(
        self,
        scan_id: str,
        *,
        timeout: float = 60.0,
        interval: float = 2.0,
        expected: Sequence[int] | None = None,
    ) -> list[ScanIdResult]:
        """Poll ``results`` until every item is ``complete`` (raises ``ScanTimeoutError`` after ``timeout``).

        A 429 while polling waits for its ``retry_after`` (within the deadline) instead of failing.
        Note: AIRS allows 10 results/reports requests per minute; keep ``interval`` >= 6 s for long waits.
        """
        poller = self.poller(scan_id, timeout, interval, expected)
        while True:
            try:
                results = self.results(scan_id)
            except RateLimitError as exc:
                time.sleep(poller.next_delay(exc.retry_after))
                continue
            if poller.done(results):
                return results
            time.sleep(poller.next_delay())

    def scan_async_and_wait(
        self,
        contents: Sequence[ContentLike | ScanRequest | AsyncScanObject],
        *,
        timeout: float = 60.0,
        interval: float = 2.0,
        fetch_report: bool | None = None,
        **kwargs: Any,
    ) -> list[ScanResult]:
        """Scan a batch through the async API and wait; results are in input order.

        Items may be contents (as for :meth:`scan`, with the same keyword arguments), ``ScanRequest`` or
        ``AsyncScanObject``.
        """
        items = self.batch_items(self.batch_requests(contents, kwargs))
        accepted = self._send(self.submit_call(items))
        results = self.wait_for_results(
            accepted.scan_id, timeout=timeout, interval=interval, expected=[o.req_id for o in items]
        )
        want = self.fetch_report if fetch_report is None else fetch_report
        report_id = accepted.report_id or f"R{accepted.scan_id}"
        reports = self._fetch_reports(report_id) if want else None
        return self.assemble(items, results, reports)
