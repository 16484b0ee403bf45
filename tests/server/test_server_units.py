"""Units: key storage and verification, token buckets, the store's exactly-once completion and purge, settings,
and the ``interlock keys`` command."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from interlock.cli.main import main
from interlock.errors import ConfigError
from interlock.server.auth import authenticate, create_key, payload_hash, payload_hash_matches, verify
from interlock.server.ratelimit import TokenBuckets
from interlock.server.settings import ServerSettings
from interlock.server.store import DuplicateItemError, Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "u.db")
    yield s  # type: ignore[misc]
    s.close()


def test_keys_are_stored_hashed_and_verified(store: Store, tmp_path: Path) -> None:
    key, row = create_key(store, "svc", ["default"])
    assert key.startswith(f"ilk_{row.key_id}_") and len(key) == 4 + 12 + 1 + 43
    raw = sqlite3.connect(tmp_path / "u.db").execute("SELECT * FROM api_keys").fetchall()
    assert key.split("_", 2)[2] not in repr(raw) and key not in repr(raw)  # only a salted digest is stored
    principal = verify(store, key)
    assert principal is not None and principal.profiles == ("default",)
    assert principal.may_use("default", "x") and not principal.may_use("other", "y")
    assert verify(store, key[:-1] + ("a" if key[-1] != "a" else "b")) is None
    assert verify(store, "ilk_" + "0" * 12 + "_" + key.split("_", 2)[2]) is None  # unknown id
    other, _ = create_key(store, "svc2")
    assert authenticate(store, key, f"Bearer {key}")[0] == "ok"
    assert authenticate(store, key, f"Bearer {other}")[0] == "invalid"  # two different keys
    assert authenticate(store, None, None) == ("missing", None)
    assert store.revoke_key("svc") == 1 and verify(store, key) is None
    assert store.revoke_key("svc") == 0


def test_same_secret_different_salts(store: Store) -> None:
    a, ra = create_key(store, "a")
    b, rb = create_key(store, "b")
    assert ra.salt != rb.salt and ra.digest != rb.digest and a != b


def test_payload_hash_matches_sdk_rule() -> None:
    import hashlib
    import hmac

    assert payload_hash("k", None, b'{"a": 1}') == hmac.new(b"k", b'{"a": 1}', hashlib.sha256).hexdigest()
    assert payload_hash("k", "Bearer t", b"") == hmac.new(b"Bearer t", b"null", hashlib.sha256).hexdigest()


def test_payload_hash_matches_either_credential() -> None:
    import hashlib
    import hmac

    body = b'{"a": 1}'
    by_key, by_auth = (hmac.new(k, body, hashlib.sha256).hexdigest() for k in (b"k", b"Bearer t"))
    assert payload_hash_matches(by_key, "k", "Bearer t", body)  # TypeScript SDK
    assert payload_hash_matches(by_auth.upper() + " ", "k", "Bearer t", body)  # Python SDK
    assert payload_hash_matches(by_key, "k", None, body) and payload_hash_matches(by_auth, None, "Bearer t", body)
    assert not payload_hash_matches(by_auth, "k", None, body) and not payload_hash_matches(
        by_key, None, "Bearer t", body
    )
    assert not payload_hash_matches(by_key, "k", "Bearer t", body + b" ")
    assert not payload_hash_matches("\u00e9" * 64, "k", "Bearer t", body) and not payload_hash_matches(
        "", "k", None, body
    )


def test_token_bucket() -> None:
    now = [0.0]
    b = TokenBuckets(rate=2.0, burst=3, clock=lambda: now[0])
    assert [b.take("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = b.take("k")
    assert wait == pytest.approx(0.5)
    assert b.take("other") == 0.0
    now[0] = 0.5
    assert b.take("k") == 0.0 and b.take("k") > 0
    assert TokenBuckets(rate=0, burst=0).take("k") == 0.0


def test_store_completes_once_and_purges(store: Store) -> None:
    store.add_pending("s1", "k", [(1, '{"x": 1}'), (2, '{"x": 2}')])
    assert store.pending() == [("s1", 1), ("s1", 2)]
    assert store.complete("s1", 1, '{"r": 1}', '{"p": 1}') is True
    assert store.complete("s1", 1, '{"r": "again"}', "{}") is False  # never overwritten, never duplicated
    assert store.pending_request("s1", 1) is None and store.pending_request("s1", 2) == '{"x": 2}'
    rows = store.items(["s1"], "k")["s1"]
    assert [(r.req_id, r.status, r.response) for r in rows] == [(1, "complete", '{"r": 1}'), (2, "pending", None)]
    assert store.items(["s1"], "someone-else") == {}
    with pytest.raises(DuplicateItemError):
        store.add_pending("s1", "k", [(2, "{}")])
    time.sleep(0.01)
    assert store.purge(0) == 1  # the completed item; pending work is never purged
    assert store.pending() == [("s1", 2)]


def test_settings_env_and_validation(tmp_path: Path) -> None:
    env = {"INTERLOCK_PORT": "9000", "INTERLOCK_RATE_LIMIT": "5", "INTERLOCK_VERIFY_PAYLOAD_HASH": "yes"}
    s = ServerSettings.from_env(env, db=str(tmp_path / "x.db"), port=None)
    assert s.port == 9000 and s.rate_limit == 5.0 and s.rate_burst == 5 and s.verify_payload_hash is True
    assert ServerSettings.from_env(env, port=1234, db="x").port == 1234  # flags win
    with pytest.raises(ConfigError):
        ServerSettings.from_env({"INTERLOCK_PORT": "abc"})
    with pytest.raises(ConfigError):
        ServerSettings(db="x", tls_cert="c.pem")
    with pytest.raises(ConfigError):
        ServerSettings(db="x", max_async_batch=0)
    assert ServerSettings().db.endswith("interlock.db")


def test_keys_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cli.db")
    assert main(["keys", "--db", db, "create", "--name", "ci", "--profile", "default", "--profile", "strict"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("ilk_")
    assert main(["keys", "--db", db, "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["name"] == "ci" and listed[0]["profiles"] == ["default", "strict"]
    assert listed[0]["revoked_at"] is None and key not in json.dumps(listed)
    key_id = listed[0]["key_id"]
    assert main(["keys", "--db", db, "revoke", key_id]) == 0
    assert main(["keys", "--db", db, "revoke", key_id]) == 2
    assert main(["keys", "--db", db, "list"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert main(["keys", "--db", db, "create", "--name", ""]) == 2


def test_key_cache_honours_revocation_after_ttl(store: Store) -> None:
    from interlock.server.auth import KeyCache

    key, _ = create_key(store, "cached")
    cache = KeyCache(ttl=0.05)
    assert cache.verify(store, key) is not None
    store.revoke_key("cached")
    time.sleep(0.1)
    assert cache.verify(store, key) is None
    assert KeyCache(ttl=0).verify(store, key) is None


def test_worker_factory_builds_app_from_parent_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from fastapi import FastAPI

    from interlock.server.app import SETTINGS_ENV, app_from_env

    settings = ServerSettings(db=str(tmp_path / "w.db"), max_async_batch=7)
    monkeypatch.setenv(SETTINGS_ENV, json.dumps(dataclasses.asdict(settings)))
    app = app_from_env()
    assert isinstance(app, FastAPI) and app.state.interlock.settings.max_async_batch == 7
    app.state.interlock.store.close()


def test_only_one_runner_per_database_dispatches(store: Store) -> None:
    """Two server processes on one database: the lock holder dispatches; the other takes over when it stops."""
    from interlock.server.jobs import JobRunner

    seen: list[tuple[str, str, int]] = []

    class Recording(JobRunner):
        def __init__(self, name: str) -> None:
            super().__init__(store, scanner=None, workers=2, poll_interval=0.02)  # type: ignore[arg-type]
            self.name = name

        def process(self, scan_id: str, req_id: int) -> bool:
            if store.pending_request(scan_id, req_id) is None:  # as JobRunner.process: a stale dispatch is a no-op
                return False
            seen.append((self.name, scan_id, req_id))
            return store.complete(scan_id, req_id, "{}", "{}")

    def wait_done() -> None:
        for _ in range(500):
            if store.count_pending() == 0:
                return
            time.sleep(0.01)
        raise AssertionError("pending items were not processed")

    a, b = Recording("a"), Recording("b")
    store.add_pending("s1", "k", [(i, "{}") for i in range(6)])
    a.start()
    for _ in range(500):  # a holds the dispatch lock before b starts
        if a._lock_file is not None:
            break
        time.sleep(0.01)
    b.start()
    wait_done()
    a.stop()
    store.add_pending("s2", "k", [(i, "{}") for i in range(3)])
    wait_done()
    b.stop()
    assert sorted((n, s) for n, s, _ in seen) == [("a", "s1")] * 6 + [("b", "s2")] * 3
    assert len(seen) == len(set(seen)) == 9
