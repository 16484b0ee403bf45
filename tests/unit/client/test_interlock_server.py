"""RemoteScanner against the real Interlock server (``interlock.server``, uvicorn in a thread on 127.0.0.1).

The server verifies ``x-payload-hash`` here. The server tests' deterministic stand-in for the ``injection`` detector
is registered for this module only, so the verdicts do not depend on the real detectors' models.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

pytest.importorskip("fastapi", reason="server extra not installed")
uvicorn = pytest.importorskip("uvicorn", reason="server extra not installed")
server_app = pytest.importorskip("interlock.server.app", reason="interlock.server not available")

from interlock.client import Limits, RemoteScanner  # noqa: E402
from interlock.engine import registry  # noqa: E402
from interlock.errors import (  # noqa: E402
    BadRequestError,
    InvalidRequestError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
)
from interlock.profiles.loader import ProfileStore  # noqa: E402
from interlock.profiles.model import DetectorPolicy, Profile  # noqa: E402
from interlock.scanner import LocalScanner  # noqa: E402
from interlock.server.auth import create_key  # noqa: E402
from interlock.server.settings import ServerSettings  # noqa: E402
from interlock.server.store import Store  # noqa: E402
from tests.server.server_fakes import INJECTION  # noqa: E402

PROFILE = "client-e2e"


@pytest.fixture(scope="module")
def interlock_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A running server; yields ``(base_url, api_key)``."""
    mp = pytest.MonkeyPatch()
    mp.setitem(registry.BUILTIN, "injection", "tests.server.server_fakes:FakeInjection")
    registry.detector_class.cache_clear()
    db = tmp_path_factory.mktemp("srv") / "server.db"
    store = Store(str(db))
    try:
        key = create_key(store, "client-tests")[0]
    finally:
        store.close()
    settings = ServerSettings(db=str(db), verify_payload_hash=True, access_log=False, async_workers=2)
    scanner = LocalScanner(ProfileStore([Profile(name=PROFILE, detectors={"injection": DetectorPolicy()})]))
    app = server_app.create_app(settings, scanner=scanner)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("interlock server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", key
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
        mp.undo()
        registry.detector_class.cache_clear()


def _scanner(srv: tuple[str, str], **kwargs: object) -> RemoteScanner:
    url, key = srv
    return RemoteScanner(api_key=key, endpoint=url, profile=PROFILE, backoff_base=0.0, **kwargs)  # type: ignore[arg-type]


def test_sync_scan_results_reports_health(interlock_server: tuple[str, str]) -> None:
    with _scanner(interlock_server, fetch_report=True) as s:
        s.health()
        benign = s.scan("What is the capital of France?", tr_id="t-1")
        blocked = s.scan(INJECTION)
        assert benign.action == "allow" and benign.response.tr_id == "t-1"
        assert blocked.blocked and blocked.detected() == {"prompt": ["injection"]}
        assert blocked.report is not None and blocked.report.report_id == blocked.response.report_id
        results = s.results([benign.response.scan_id, blocked.response.scan_id])
        assert [r.status for r in results] == ["complete", "complete"]
        assert results[1].result is not None and results[1].result.action == "block"


async def test_async_api_and_bearer_token(interlock_server: tuple[str, str]) -> None:
    url, key = interlock_server
    async with RemoteScanner(api_token=key, endpoint=url, profile=PROFILE) as s:
        results = await s.ascan_async_and_wait(["hello", INJECTION, "bye"], interval=0.05, timeout=60)
        assert [r.action for r in results] == ["allow", "block", "allow"]
        single = await s.ascan_batch([INJECTION, "fine"])
        assert [r.action for r in single] == ["block", "allow"]


def test_server_errors_are_typed(interlock_server: tuple[str, str]) -> None:
    url, _ = interlock_server
    with pytest.raises(PermissionDeniedError):
        RemoteScanner(api_key="ilk_000000000000_" + "x" * 43, endpoint=url).scan("hi", profile=PROFILE)
    with _scanner(interlock_server) as s:
        with pytest.raises((NotFoundError, BadRequestError)):
            s.scan("hi", profile="no-such-profile")
        with pytest.raises(BadRequestError):
            s.results("00000000-0000-4000-8000-000000000000")  # unknown scan id
        # Client limits off: the server's own 2 MiB limit answers 413.
        roomy = _scanner(interlock_server, limits=Limits(max_text_chars=10**8, max_sync_body_bytes=10**8))
        with pytest.raises(PayloadTooLargeError):
            roomy.scan("a" * (2 * 1024 * 1024 + 10))
        with pytest.raises(InvalidRequestError):  # ... which the default client limits catch before sending
            s.scan("a" * (2 * 1024 * 1024 + 10))
        roomy.close()
