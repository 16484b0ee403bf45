"""The async job runner: a bounded pool of worker threads draining persisted pending items.

Items are persisted (``Store.add_pending``) before the client gets its 200; a dispatcher claims pending items
from the database with a lease (``Store.claim``: so work accepted before a crash or restart is resumed, and
several replicas on one PostgreSQL database share it) and hands their ids to the workers; it renews the leases
of the items it holds every third of ``lease_seconds``. A worker loads the request of a still-pending item,
scans it and stores the result with ``Store.complete``, a conditional update, so an item scanned twice (a crash
between scan and commit, or a lease taken over from a stalled replica) is still stored once. On stop, workers
finish the item they are on; queued items stay pending in the database and their leases are released.
An item claimed more than ``MAX_ATTEMPTS`` times (it kept killing the runners scanning it) completes as an
error instead of being scanned again.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import IO

from interlock.models import ScanRequest, ScanResponse, ThreatScanReport
from interlock.models._base import utcnow
from interlock.scanner import LocalScanner
from interlock.server.store import Store

__all__ = ["MAX_ATTEMPTS", "JobRunner", "failed_result"]

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("interlock.server.jobs")

_STOP = ("", -1)
#: Claims of one item after which it is stored as an error without scanning.
MAX_ATTEMPTS = 5


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

    A dispatcher thread feeds the workers from the database (the source of truth): right away when this
    process accepts a batch, and every ``poll_interval`` seconds otherwise. It claims at most ``2 * workers``
    items at a time, leased to ``runner_id``. On PostgreSQL every replica claims; a replica that dies keeps its
    claims until their lease expires, then another replica takes them over. On SQLite (``--workers N`` on one
    file) only the process holding an exclusive lock on ``store.dispatch_lock`` dispatches; the lock is
    released when that process stops or dies, and the next holder voids the old leases at once. So pending work
    is resumed after a crash, and no item is scanned by two runners at once while its lease runs.

    Args:
        store: the server database.
        scanner: the engine.
        workers: thread count.
        on_done: called with ``(response, report)`` after each stored item (metrics).
        poll_interval: seconds between database polls when nothing wakes the dispatcher.
        lease_seconds: how long a claim lasts without renewal.
    """

    def __init__(
        self,
        store: Store,
        scanner: LocalScanner,
        workers: int,
        on_done: Callable[[ScanResponse, ThreatScanReport], None] | None = None,
        poll_interval: float = 0.25,
        lease_seconds: float = 30.0,
    ) -> None:
        self.store = store
        self.scanner = scanner
        self.workers = workers
        self.on_done = on_done
        self.poll_interval = poll_interval
        self.lease_seconds = lease_seconds
        #: Identifies this runner's leases (and, on completed items, who stored them).
        self.runner_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._attempts: dict[tuple[str, int], int] = {}
        self._renewed = 0.0
        self._queue: queue.Queue[tuple[str, int]] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._inflight: set[tuple[str, int]] = set()
        self._inflight_lock = threading.Lock()
        self._lock_file: IO[str] | None = None

    def start(self) -> int:
        """Start the dispatcher and the workers; return how many items were pending at start."""
        if self._threads:  # already running (nested lifespan)
            return 0
        self._stopping.clear()
        self._queue = queue.Queue()
        self._inflight = set()
        pending = self.store.count_pending()
        if pending:
            log.info("%d pending async item(s) in the database", pending)
        for i in range(self.workers):
            t = threading.Thread(target=self._work, name=f"interlock-async-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        dispatcher = threading.Thread(target=self._dispatch, name="interlock-async-dispatch", daemon=True)
        dispatcher.start()
        self._threads.append(dispatcher)
        return pending

    def submit(self, scan_id: str, req_ids: Iterable[int]) -> None:
        """Signal that a batch was persisted (``Store.add_pending``): the dispatcher picks it up now."""
        self._wake.set()

    def queued(self) -> int:
        """Items handed to the workers and not finished yet."""
        with self._inflight_lock:
            return len(self._inflight)

    def stop(self, timeout: float = 30.0) -> None:
        """Let each worker finish its current item, then stop; queued items stay pending in the database."""
        self._stopping.set()
        self._wake.set()
        for _ in range(self.workers):
            self._queue.put(_STOP)
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        self._threads.clear()
        try:
            self.store.release(self.runner_id)  # queued items: any runner may take them now
        except Exception:  # the database may be gone; the leases then simply expire
            log.exception("releasing async leases failed")
        if self._lock_file is not None:
            self._lock_file.close()  # releases the dispatch lock
            self._lock_file = None

    def _leader(self) -> bool:
        if self._lock_file is not None:
            return True
        path = self.store.dispatch_lock
        if path is None:  # a shared database: leases alone keep runners apart
            return True
        if fcntl is None:  # no advisory locks (Windows): single process assumed
            return True
        f = open(path, "a+")  # noqa: SIM115 - held open while leading
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            return False
        self._lock_file = f
        self.store.release(None)  # the previous holder stopped or died: its leases mean nothing now
        return True

    def _dispatch(self) -> None:
        while not self._stopping.is_set():
            try:
                if self._leader():
                    self._renew()
                    self._fill()
            except Exception:  # a transient database error must not kill the dispatcher
                log.exception("async dispatch failed")
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    def _renew(self) -> None:
        now = time.monotonic()
        if now - self._renewed >= self.lease_seconds / 3:
            with self._inflight_lock:
                holding = bool(self._inflight)
            if holding:
                self.store.renew(self.runner_id, self.lease_seconds)
            self._renewed = now

    def _fill(self) -> None:
        with self._inflight_lock:
            room = 2 * self.workers - len(self._inflight)
        if room <= 0:
            return
        claims = self.store.claim(self.runner_id, room, self.lease_seconds)
        if claims and not self._inflight:
            self._renewed = time.monotonic()  # the claim itself started the lease
        for c in claims:
            item = (c.scan_id, c.req_id)
            with self._inflight_lock:
                self._inflight.add(item)
                self._attempts[item] = c.attempts
            self._queue.put(item)

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item == _STOP or self._stopping.is_set():
                return
            try:
                self.process(*item)
            except Exception:  # keep the worker alive; the item stays pending and is retried
                log.exception("async item %s/%d failed to store", *item)
            finally:
                with self._inflight_lock:
                    self._inflight.discard(item)
                    self._attempts.pop(item, None)
                self._wake.set()

    def process(self, scan_id: str, req_id: int) -> bool:
        """Scan and store one pending item; False when it was no longer pending."""
        raw = self.store.pending_request(scan_id, req_id)
        if raw is None:
            return False
        request = ScanRequest.model_validate_json(raw)
        with self._inflight_lock:
            attempts = self._attempts.get((scan_id, req_id), 1)
        if attempts > MAX_ATTEMPTS:  # every runner that scanned it died: store it as an error, never retry it
            log.error("async item %s/%d was claimed %d times without completing", scan_id, req_id, attempts)
            response, report = failed_result(request, scan_id, req_id)
        else:
            try:
                result = self.scanner.run(request, scan_id=scan_id, req_id=req_id)
                assert result.report is not None  # noqa: S101 - the local engine always builds one
                response, report = result.response, result.report
            except Exception as exc:  # an item that cannot be scanned completes as an error, never stays pending
                log.error("async item %s/%d could not be scanned: %s", scan_id, req_id, type(exc).__name__)
                response, report = failed_result(request, scan_id, req_id)
        stored = self.store.complete(scan_id, req_id, response.to_json(), report.to_json(), by=self.runner_id)
        if stored and self.on_done is not None:
            self.on_done(response, report)
        return stored


def new_scan_id() -> str:
    """A fresh scan id (canonical lowercase UUID)."""
    return str(uuid.uuid4())
