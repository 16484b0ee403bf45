"""Asyncio shell of the remote client: the twin of :mod:`interlock.client._sync` (keep them in step)."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import httpx

from interlock.client._base import Call, RemoteBase
from interlock.errors import ClientError, RateLimitError
from interlock.models import AsyncScanObject, AsyncScanResponse, ScanIdResult, ScanRequest, ThreatScanReport
from interlock.scanner import ContentLike, ScanResult

__all__ = ["AsyncAPI"]

T = TypeVar("T")


class AsyncAPI(RemoteBase):
    """The async methods of :class:`~interlock.client.RemoteScanner`.

    One ``httpx.AsyncClient`` per event loop (an httpx async pool is bound to the loop that created it), reused
    for every call made on that loop; clients of loops that are gone are dropped with them.
    """

    fetch_report: bool
    _aclients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient]
    _closed: bool

    def _ahttp(self) -> httpx.AsyncClient:
        if self._closed:
            raise ClientError("the RemoteScanner is closed")
        loop = asyncio.get_running_loop()
        client = self._aclients.get(loop)
        if client is None:
            client = self._aclients[loop] = httpx.AsyncClient(**self.config.client_kwargs())
        return client

    async def _asend(self, call: Call[T]) -> T:
        client = self._ahttp()
        retry = 0
        while True:
            try:
                response = await client.send(client.build_request(**self.request_kwargs(call)))
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
            await asyncio.sleep(delay)
            retry += 1

    async def _afetch_reports(self, report_id: str) -> list[ThreatScanReport]:
        try:
            return await self.areports(report_id)
        except ClientError as exc:  # the verdict matters more than its report: keep the result
            self.report_failed(report_id, exc)
            return []

    async def ascan_request(self, request: ScanRequest) -> ScanResult:
        """Async :meth:`~interlock.client.RemoteScanner.scan_request`."""
        response = await self._asend(self.scan_call(request))
        report = self.pick_report(await self._afetch_reports(response.report_id)) if self.fetch_report else None
        return ScanResult(response=response, content=request.contents[-1], report=report)

    async def asubmit(self, items: Sequence[AsyncScanObject | ScanRequest | Mapping[str, Any]]) -> AsyncScanResponse:
        """Async :meth:`~interlock.client.RemoteScanner.submit`."""
        return await self._asend(self.submit_call(self.batch_items(items)))

    async def aresults(self, scan_ids: str | Sequence[str]) -> list[ScanIdResult]:
        """Async :meth:`~interlock.client.RemoteScanner.results`."""
        return await self._asend(self.results_call(scan_ids))

    async def areports(self, report_ids: str | Sequence[str]) -> list[ThreatScanReport]:
        """Async :meth:`~interlock.client.RemoteScanner.reports`."""
        return await self._asend(self.reports_call(report_ids))

    async def ahealth(self) -> None:
        """Async :meth:`~interlock.client.RemoteScanner.health`."""
        await self._asend(self.health_call())

    async def await_for_results(
        self,
        scan_id: str,
        *,
        timeout: float = 60.0,
        interval: float = 2.0,
        expected: Sequence[int] | None = None,
    ) -> list[ScanIdResult]:
        """Async :meth:`~interlock.client.RemoteScanner.wait_for_results`."""
        poller = self.poller(scan_id, timeout, interval, expected)
        while True:
            try:
                results = await self.aresults(scan_id)
            except RateLimitError as exc:
                await asyncio.sleep(poller.next_delay(exc.retry_after))
                continue
            if poller.done(results):
                return results
            await asyncio.sleep(poller.next_delay())

    async def ascan_async_and_wait(
        self,
        contents: Sequence[ContentLike | ScanRequest | AsyncScanObject],
        *,
        timeout: float = 60.0,
        interval: float = 2.0,
        fetch_report: bool | None = None,
        **kwargs: Any,
    ) -> list[ScanResult]:
        """Async :meth:`~interlock.client.RemoteScanner.scan_async_and_wait`."""
        items = self.batch_items(self.batch_requests(contents, kwargs))
        accepted = await self._asend(self.submit_call(items))
        results = await self.await_for_results(
            accepted.scan_id, timeout=timeout, interval=interval, expected=[o.req_id for o in items]
        )
        want = self.fetch_report if fetch_report is None else fetch_report
        report_id = accepted.report_id or f"R{accepted.scan_id}"
        reports = await self._afetch_reports(report_id) if want else None
        return self.assemble(items, results, reports)
