"""HTTP client for the AIRS scan API or a self-hosted Interlock server (imports httpx; loaded lazily).

Example:
    >>> from interlock.client import RemoteScanner
    >>> scanner = RemoteScanner(api_key="...", endpoint="https://127.0.0.1:8443")  # doctest: +SKIP
"""

from __future__ import annotations

from interlock.client._base import (
    DEFAULT_ENDPOINT,
    ENV_API_ENDPOINT,
    ENV_API_KEY,
    ENV_API_TOKEN,
    ClientConfig,
    Limits,
    RetryPolicy,
    count_urls,
    encode_body,
    payload_hash,
)
from interlock.client._scanner import RemoteScanner

__all__ = [
    "DEFAULT_ENDPOINT",
    "ENV_API_ENDPOINT",
    "ENV_API_KEY",
    "ENV_API_TOKEN",
    "ClientConfig",
    "Limits",
    "RemoteScanner",
    "RetryPolicy",
    "count_urls",
    "encode_body",
    "payload_hash",
]
