"""The async job runner: a bounded pool of worker threads draining persisted pending items.

Items are persisted (``Store.add_pending``) before the client gets its 200; only their ids travel through the
in-memory queue. At start every pending item in the database is queued again (work accepted before a crash or
restart). A worker loads the request of a still-pending item, scans it and stores the result with
``Store.complete`` — a conditional update, so an item scanned twice (crash between scan and commit) is still
stored once. On stop, workers finish the item they are on; queued items stay pending in the database.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable

from interlock.models import ScanRequest, ScanResponse, ThreatScanReport
from interlock.models._base import utcnow
from interlock.scanner import LocalScanner
from interlock.server.store import Store

__all__ = ["JobRunner", "failed_result"]

log = logging.getLogger("interlock.server.jobs")

_STOP = ("", -1)


def failed_result(request: ScanRequest, scan_id: str, req_id: int) -> tuple[ScanResponse, ThreatScanReport]:
    """The stored outcome of an item that could not be scanned at all (e.g. its profile was removed)."""
    now = utcnow()
    response = ScanResponse(
        source="AI-Runtime-API",
        report_id="R" + scan_id,
        scan_id=scan_id,
        tr_id=request.tr_id,
        session_id=request.session_id,
        transaction_id=request.transaction_id,
        category="error",
        action="block",
        created_at=now,
        completed_at=now,
        error=True,
    )
    report = ThreatScanReport(
        source="AI-Runtime-API",
        report_id="R" + scan_id,
        scan_id=scan_id,
        req_id=req_id,
        transaction_id=request.tr_id,
        session_id=request.session_id,
        detection_results=[],
    )
    return response, report


class JobRunner:
    """Processes pending async items with ``workers`` threads.

    Args:
        store: the server database.
        scanner: the engine.
        workers: thread count.
        on_done: called with ``(response, report)`` after each stored item (metrics).
    """

    def __init__(
        self,
        store: Store,
        scanner: LocalScanner,
        workers: int,
        on_done: Callable[[ScanResponse, ThreatScanReport], None] | None = None,
    ) -> None:
        self.store = store
        self.scanner = scanner
        self.workers = workers
        self.on_done = on_done
        self._queue: queue.Queue[tuple[str, int]] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    def start(self) -> int:
        """Queue the pending items found in the database and start the workers; return how many were resumed."""
        if self._threads:  # already running (nested lifespan)
            return 0
        self._stopping.clear()
        self._queue = queue.Queue()  # the database is the source of truth: re-read it
        resumed = self.store.pending()
        for item in resumed:
            self._queue.put(item)
        if resumed:
            log.info("resuming %d pending async item(s)", len(resumed))
        for i in range(self.workers):
            t = threading.Thread(target=self._work, name=f"interlock-async-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        return len(resumed)

    def submit(self, scan_id: str, req_ids: Iterable[int]) -> None:
        """Queue the items of a batch that ``Store.add_pending`` has persisted."""
        for req_id in req_ids:
            self._queue.put((scan_id, req_id))

    def queued(self) -> int:
        """Items waiting in memory (not counting the ones being scanned)."""
        return self._queue.qsize()

    def stop(self, timeout: float = 30.0) -> None:
        """Let each worker finish its current item, then stop; queued items stay pending in the database."""
        self._stopping.set()
        for _ in self._threads:
            self._queue.put(_STOP)
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        self._threads.clear()

    def _work(self) -> None:
        while True:
            scan_id, req_id = self._queue.get()
            if (scan_id, req_id) == _STOP or self._stopping.is_set():
                return
            try:
                self.process(scan_id, req_id)
            except Exception:  # keep the worker alive; the item stays pending and is retried at restart
                log.exception("async item %s/%d failed to store", scan_id, req_id)

    def process(self, scan_id: str, req_id: int) -> bool:
        """Scan and store one pending item; False when it was no longer pending."""
        raw = self.store.pending_request(scan_id, req_id)
        if raw is None:
            return False
        request = ScanRequest.model_validate_json(raw)
        try:
            result = self.scanner.run(request, scan_id=scan_id, req_id=req_id)
            response, report = result.response, result.report
            assert report is not None  # noqa: S101 - the local engine always builds one
        except Exception as exc:  # an item that cannot be scanned completes as an error, never stays pending
            log.error("async item %s/%d could not be scanned: %s", scan_id, req_id, type(exc).__name__)
            response, report = failed_result(request, scan_id, req_id)
        stored = self.store.complete(scan_id, req_id, response.to_json(), report.to_json())
        if stored and self.on_done is not None:
            self.on_done(response, report)
        return stored


def new_scan_id() -> str:
    """A fresh scan id (canonical lowercase UUID)."""
    return str(uuid.uuid4())
