"""API keys: creation, salted storage and constant-time verification.

A key looks like ``ilk_<key id>_<secret>``: the 12-hex-digit key id is a public lookup handle (one indexed
read), the 43-character secret carries 256 random bits. Only ``HMAC-SHA256(per-key salt, secret)`` is stored.
A fast keyed hash is enough here because the secret is full-entropy random (nothing to brute-force, unlike a
password); the comparison uses :func:`hmac.compare_digest`.

The same key is accepted as ``x-pan-token: <key>`` (API key) or ``Authorization: Bearer <key>`` (token); when a
client sends both (the official SDK does if configured with both), both must be valid.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from interlock.models.request import AiProfile
from interlock.profiles.loader import DEFAULT_PROFILE
from interlock.server.store import KeyRow, Store

__all__ = ["AuthOutcome", "Principal", "authenticate", "create_key", "payload_hash", "payload_hash_matches"]

PREFIX = "ilk"
_KEY_RE = re.compile(r"^ilk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
MAX_CREDENTIAL = 2048


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: the key's public id, name and allowed profiles (empty = any)."""

    key_id: str
    name: str
    profiles: tuple[str, ...]

    def may_use(self, profile_name: str, profile_id: str) -> bool:
        """True when the key is not bound to profiles or is bound to this one (by name or id)."""
        return not self.profiles or profile_name in self.profiles or profile_id in self.profiles

    def implied_profile(self) -> AiProfile:
        """The profile of a request that names none: the key's (the first when bound to several), else default."""
        if not self.profiles:
            return AiProfile(profile_name=DEFAULT_PROFILE)
        first = self.profiles[0]
        try:
            uuid.UUID(first)
        except ValueError:
            return AiProfile(profile_name=first)
        return AiProfile(profile_id=first)


AuthOutcome = Literal["ok", "missing", "invalid"]


def _digest(salt: bytes, secret: str) -> bytes:
    return hmac.new(salt, secret.encode("ascii"), hashlib.sha256).digest()


def create_key(store: Store, name: str, profiles: Sequence[str] = ()) -> tuple[str, KeyRow]:
    """Create and store a key; return the full key (shown once) and its stored row."""
    if not name or len(name) > 100:
        raise ValueError("key name must be 1-100 characters")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_bytes(16)
    store.add_key(key_id, name, salt, _digest(salt, secret), profiles)
    row = store.key(key_id)
    assert row is not None  # noqa: S101 - just inserted
    return f"{PREFIX}_{key_id}_{secret}", row


class KeyCache:
    """Remembers successful verifications for ``ttl`` seconds (saves a database read per request).

    Entries are keyed by a SHA-256 of the presented key, never the key. A revocation takes effect within ``ttl``.
    """

    def __init__(self, ttl: float = 1.0, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[bytes, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def verify(self, store: Store, key: str) -> Principal | None:
        """Like :func:`verify`, through the cache."""
        if self.ttl <= 0:
            return verify(store, key)
        h = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
        now = time.monotonic()
        hit = self._entries.get(h)
        if hit is not None and hit[1] > now:
            return hit[0]
        found = verify(store, key)
        if found is not None:
            with self._lock:
                if len(self._entries) >= self.max_entries:
                    self._entries.clear()
                self._entries[h] = (found, now + self.ttl)
        return found


def verify(store: Store, key: str) -> Principal | None:
    """Return the principal of a valid, unrevoked key, else None."""
    m = _KEY_RE.match(key)
    if m is None:
        return None
    row = store.key(m.group(1))
    if row is None or not row.active:
        return None
    if not hmac.compare_digest(_digest(row.salt, m.group(2)), row.digest):
        return None
    return Principal(row.key_id, row.name, row.profiles)


def authenticate(
    store: Store, api_key: str | None, authorization: str | None, cache: KeyCache | None = None
) -> tuple[AuthOutcome, Principal | None]:
    """Check the ``x-pan-token`` and ``Authorization`` header values.

    Returns ``("missing", None)`` when neither is present (HTTP 401), ``("invalid", None)`` when one is wrong or
    revoked (HTTP 403), else ``("ok", principal)``.
    """
    candidates: list[str] = []
    if api_key is not None:
        candidates.append(api_key.strip())
    if authorization is not None:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return "invalid", None
        candidates.append(token.strip())
    if not candidates:
        return "missing", None
    principal: Principal | None = None
    for cand in candidates:
        if not cand or len(cand) > MAX_CREDENTIAL:
            return "invalid", None
        found = cache.verify(store, cand) if cache is not None else verify(store, cand)
        if found is None or (principal is not None and principal.key_id != found.key_id):
            return "invalid", None
        principal = found
    return "ok", principal


def payload_hash(api_key: str | None, authorization: str | None, body: bytes) -> str:
    """The ``x-payload-hash`` the SDK sends: HMAC-SHA256 keyed by the Authorization value, else the API key."""
    key = authorization if authorization is not None else (api_key or "")
    return hmac.new(key.encode("utf-8"), body if body else b"null", hashlib.sha256).hexdigest()


def payload_hash_matches(sent: str, api_key: str | None, authorization: str | None, body: bytes) -> bool:
    """True when ``sent`` is the body's HMAC keyed with either credential the request carries.

    The official Python SDK keys it with the Authorization value when it has a token, the TypeScript SDK
    (``@cdot65/prisma-airs-sdk``) always with the API key, so with both headers either key is accepted. Every
    candidate is compared, each in constant time.
    """
    got = sent.strip().lower().encode("latin-1", "replace")
    candidates = [payload_hash(None, authorization, body)] if authorization is not None else []
    if api_key is not None:
        candidates.append(payload_hash(api_key, None, body))
    results = [hmac.compare_digest(got, want.encode("ascii")) for want in candidates]
    return any(results)
