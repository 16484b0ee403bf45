"""The store's contract, run on both backends (SQLite file, real PostgreSQL): items, results, keys, purge, leased
claims, migrations; plus what only one backend has (SQLite upgrade in place, concurrent PostgreSQL starts)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from interlock.errors import ConfigError
from interlock.server.jobs import MAX_ATTEMPTS, JobRunner
from interlock.server.settings import ServerSettings
from interlock.server.store import DuplicateItemError, SqliteStore, Store, migrations, open_store

Opener = Callable[[], Store]


@pytest.fixture(params=["sqlite", "postgres"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens stores on one database of the parametrised backend (each call: a new process' view of it)."""
    if request.param == "sqlite":
        settings = ServerSettings(db=str(tmp_path / "s.db"))
    else:
        settings = ServerSettings(database_url=request.getfixturevalue("postgres_db"), db_pool_size=4)
    opened: list[Store] = []

    def open_one() -> Store:
        opened.append(open_store(settings))
        return opened[-1]

    yield open_one
    for s in opened:
        s.close()


@pytest.fixture
def store(opener: Opener) -> Store:
    return opener()


def test_open_store_picks_the_backend(store: Store) -> None:
    assert store.describe().startswith("sqlite:" if store.dialect == "sqlite" else "postgresql://")
    assert (store.dispatch_lock is not None) == (store.dialect == "sqlite")  # PostgreSQL: leases only


def test_items_complete_once_and_purge(store: Store) -> None:
    store.add_pending("s1", "k", [(1, '{"x": 1}'), (2, '{"x": 2}')])
    store.add_complete("s2", 0, None, '{"r": 0}', '{"p": 0}')
    assert store.pending() == [("s1", 1), ("s1", 2)] and store.pending(limit=1) == [("s1", 1)]
    assert store.count_pending() == 2
    assert store.complete("s1", 1, '{"r": 1}', '{"p": 1}', by="runner-a") is True
    assert store.complete("s1", 1, '{"r": "again"}', "{}") is False  # never overwritten, never duplicated
    assert store.pending_request("s1", 1) is None and store.pending_request("s1", 2) == '{"x": 2}'
    rows = store.items(["s1", "s1", "nope"], "k")
    assert [(r.req_id, r.status, r.response, r.report) for r in rows["s1"]] == [
        (1, "complete", '{"r": 1}', '{"p": 1}'),
        (2, "pending", None, None),
    ]
    assert store.items(["s1"], "someone-else") == {} and store.items(["s1"], None) == {}
    assert [r.response for r in store.items(["s2"], None)["s2"]] == ['{"r": 0}']  # unauthenticated owner
    assert store.items([], "k") == {}
    with pytest.raises(DuplicateItemError):
        store.add_pending("s1", "k", [(3, "{}"), (2, "{}")])
    assert store.count_pending() == 1  # the failed batch left nothing behind
    time.sleep(0.01)
    assert store.purge(3600) == 0
    assert store.purge(0) == 2  # the completed items; pending work is never purged
    assert store.pending() == [("s1", 2)]


def test_keys(store: Store) -> None:
    store.add_key("aaaaaaaaaaaa", "svc", b"\x00salt\xff", b"\x01" * 32, ["default", "strict"])
    time.sleep(0.01)
    store.add_key("bbbbbbbbbbbb", "svc", b"s2", b"d2", [])
    row = store.key("aaaaaaaaaaaa")
    assert row is not None and row.salt == b"\x00salt\xff" and row.digest == b"\x01" * 32
    assert row.profiles == ("default", "strict") and row.active and row.created_at <= time.time()
    assert store.key("cccccccccccc") is None
    assert [k.key_id for k in store.keys()] == ["aaaaaaaaaaaa", "bbbbbbbbbbbb"]
    with pytest.raises(DuplicateItemError):
        store.add_key("aaaaaaaaaaaa", "other", b"", b"", [])
    assert store.revoke_key("svc") == 2 and store.revoke_key("svc") == 0
    assert all(not k.active for k in store.keys())


def test_another_process_sees_writes_at_once(opener: Opener) -> None:
    a, b = opener(), opener()
    a.add_pending("s1", "k", [(0, "{}")])
    a.add_key("aaaaaaaaaaaa", "svc", b"s", b"d", [])
    assert b.pending() == [("s1", 0)] and b.key("aaaaaaaaaaaa") is not None
    assert b.complete("s1", 0, '{"r": 0}', "{}")
    a.revoke_key("svc")
    assert a.items(["s1"], "k")["s1"][0].status == "complete"
    key = b.key("aaaaaaaaaaaa")
    assert key is not None and not key.active


def test_leases_keep_claimers_apart_until_they_expire(opener: Opener) -> None:
    a, b = opener(), opener()
    a.add_pending("s1", "k", [(i, "{}") for i in range(5)])
    got_a = a.claim("A", 3, lease_seconds=30)
    assert [(c.scan_id, c.req_id, c.attempts) for c in got_a] == [("s1", 0, 1), ("s1", 1, 1), ("s1", 2, 1)]
    got_b = b.claim("B", 10, lease_seconds=0.3)
    assert [c.req_id for c in got_b] == [3, 4]  # A's items are skipped while its lease runs
    assert b.claim("B", 10, lease_seconds=0.3) == []
    assert a.renew("A", 30) == 3 and a.renew("nobody", 30) == 0
    time.sleep(0.4)  # B's leases expire (B "died"): A takes its items over, the second claim of each
    assert [(c.req_id, c.attempts) for c in a.claim("A", 10, 30)] == [(3, 2), (4, 2)]
    assert a.complete("s1", 3, '{"by": "A"}', "{}", by="A")
    assert not b.complete("s1", 3, '{"by": "B"}', "{}", by="B")  # B was only slow: its late result is dropped
    assert a.items(["s1"], "k")["s1"][3].response == '{"by": "A"}'
    assert a.release("A") == 4  # pending items held by A (0, 1, 2, 4)
    assert [c.req_id for c in b.claim("B", 10, 30)] == [0, 1, 2, 4]
    assert a.release(None) == 4 and a.renew("B", 30) == 0


def test_concurrent_claimers_never_share_an_item(opener: Opener) -> None:
    stores = [opener() for _ in range(3)]
    stores[0].add_pending("s1", "k", [(i, "{}") for i in range(120)])
    got: dict[str, list[int]] = {}

    def drain(name: str, st: Store) -> None:
        mine = got.setdefault(name, [])
        while claims := st.claim(name, 7, lease_seconds=60):
            mine.extend(c.req_id for c in claims)

    threads = [threading.Thread(target=drain, args=(f"r{i}", st)) for i, st in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    every = [r for mine in got.values() for r in mine]
    assert sorted(every) == list(range(120))  # each item claimed exactly once across the three claimers


def test_migrations_are_versioned_and_idempotent(opener: Opener) -> None:
    first = opener()
    shipped = migrations(first.dialect)
    assert first.schema_version() == len(shipped) >= 1
    first.add_pending("s1", "k", [(0, "{}")])
    assert opener().schema_version() == len(shipped)  # reopening applies nothing twice and keeps the data
    assert first.pending() == [("s1", 0)]


def test_a_newer_schema_is_refused(opener: Opener) -> None:
    store = opener()
    with store._tx() as cur:
        cur.execute(store._sql("INSERT INTO schema_version (version, name, applied_at) VALUES (?, 'future', 0)"), (99,))
    with pytest.raises(ConfigError, match="newer"):
        opener()


def test_runners_on_one_database_complete_every_item_once(opener: Opener) -> None:
    """Two runners (replicas) on one database; one stops mid-way: every item is stored once."""
    seen: list[tuple[str, str, int]] = []
    lock = threading.Lock()

    class Recording(JobRunner):
        def __init__(self, name: str, store: Store) -> None:
            super().__init__(store, scanner=None, workers=2, poll_interval=0.02, lease_seconds=5)  # type: ignore[arg-type]
            self.name = name

        def process(self, scan_id: str, req_id: int) -> bool:
            if self.store.pending_request(scan_id, req_id) is None:
                return False
            time.sleep(0.01)
            if self.store.complete(scan_id, req_id, f'"{self.name}"', "{}", by=self.runner_id):
                with lock:
                    seen.append((self.name, scan_id, req_id))
                return True
            return False

    sa, sb = opener(), opener()
    a, b = Recording("a", sa), Recording("b", sb)
    sa.add_pending("s1", "k", [(i, "{}") for i in range(40)])
    a.start()
    for _ in range(500):  # on SQLite, a holds the dispatch lock (b waits for it); on PostgreSQL both claim
        if sa.dispatch_lock is None or a._lock_file is not None:
            break
        time.sleep(0.01)
    b.start()
    for _ in range(500):
        if len(seen) >= 10:
            break
        time.sleep(0.01)
    a.stop()  # releases what it had queued: b takes it at once
    for _ in range(1000):
        if sb.count_pending() == 0:
            break
        time.sleep(0.01)
    b.stop()
    assert sorted(r for _, _, r in seen) == list(range(40))
    assert {n for n, _, _ in seen} == {"a", "b"}


def test_an_item_that_keeps_killing_runners_completes_as_an_error(store: Store) -> None:
    from interlock.models import ScanRequest

    req = ScanRequest.model_validate({"ai_profile": {"profile_name": "default"}, "contents": [{"prompt": "hi"}]})
    store.add_pending("s1", "k", [(0, req.to_json())])
    for _ in range(MAX_ATTEMPTS):  # each claimer died mid-scan: its lease expired
        assert store.claim("dead", 1, lease_seconds=0.0)
        time.sleep(0.005)

    class NoScan:
        def run(self, *a: object, **k: object) -> None:
            raise AssertionError("a poisoned item must not be scanned again")

    runner = JobRunner(store, NoScan(), workers=1)  # type: ignore[arg-type]
    (claim,) = store.claim(runner.runner_id, 1, 30)
    runner._attempts[("s1", 0)] = claim.attempts
    assert claim.attempts == MAX_ATTEMPTS + 1 and runner.process("s1", 0)
    (row,) = store.items(["s1"], "k")["s1"]
    assert row.status == "complete" and row.response is not None and '"error":true' in row.response


def test_sqlite_database_from_before_migrations_is_upgraded(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:  # the schema Interlock created before versioned migrations
        conn.executescript(migrations("sqlite")[0].sql)
        conn.execute(
            "INSERT INTO scan_items (scan_id, req_id, owner, kind, status, request, received_at)"
            " VALUES ('old', 0, 'k', 'async', 'pending', '{}', 1.0)"
        )
    store = SqliteStore(db)
    try:
        assert store.schema_version() == len(migrations("sqlite"))
        assert [(c.scan_id, c.attempts) for c in store.claim("r", 5, 30)] == [("old", 1)]
    finally:
        store.close()


def test_postgres_replicas_starting_together_migrate_once(postgres_db: str) -> None:
    settings = ServerSettings(database_url=postgres_db, db_pool_size=2)
    opened: list[Store] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            opened.append(open_store(settings))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        assert not errors and len(opened) == 4
        rows = opened[0]._read("SELECT version FROM schema_version ORDER BY version")
        assert [r[0] for r in rows] == [m.version for m in migrations("postgres")]
    finally:
        for s in opened:
            s.close()


def test_postgres_url_errors_are_config_errors() -> None:
    pytest.importorskip("psycopg", reason="psycopg not installed (pip install 'interlock[postgres]')")
    with pytest.raises(ConfigError, match="postgresql://"):
        ServerSettings(database_url="mysql://x/y")
    env = {"INTERLOCK_DATABASE_URL": "postgresql://u:secret@127.0.0.1:1/none", "INTERLOCK_LEASE_SECONDS": "7"}
    settings = ServerSettings.from_env(env)
    assert settings.lease_seconds == 7.0
    from interlock.server.store.postgres import PostgresStore

    refused = r"cannot connect to postgresql://u:\*\*\*@127\.0\.0\.1:1/none: .*refused"
    with pytest.raises(ConfigError, match=refused) as info:
        PostgresStore(settings.database_url, connect_timeout=0.5)
    assert "secret" not in str(info.value)


def test_keys_command_on_postgres(postgres_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    from interlock.cli.main import main
    from interlock.server.auth import verify

    assert main(["keys", "--database-url", postgres_db, "create", "--name", "shared"]) == 0
    key = capsys.readouterr().out.strip()
    store = open_store(ServerSettings(database_url=postgres_db))
    try:
        assert verify(store, key) is not None  # what any replica on this database now accepts
        assert main(["keys", "--database-url", postgres_db, "revoke", "shared"]) == 0
        assert verify(store, key) is None
    finally:
        store.close()
    assert main(["keys", "--database-url", "mysql://x", "list"]) == 2
