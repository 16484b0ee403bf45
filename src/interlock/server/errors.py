"""AIRS error bodies: ``{"error": {"message": ...}}`` with the documented message for each status."""

from __future__ import annotations

import json
import math
from typing import Any

from pydantic import BaseModel

__all__ = ["ApiError", "ErrorBody", "MESSAGES", "PROFILE_NOT_FOUND", "error_body", "error_headers"]

MESSAGES: dict[int, str] = {
    400: "Request data is invalid or malformed",
    401: "Not Authenticated",
    403: "Invalid API Key",
    404: "Resource is not found",
    405: "The method is not allowed",
    413: "The request body is too large",
    415: "The media type is not supported",
    429: "Request exceeds limit",
    500: "Internal server error",
    503: "Service unavailable",
}
#: The 404 message for an unknown profile: the documented message, plus the words LiteLLM's guardrail looks for
#: to tell a profile error (fail closed, "check the profile") from any other 404.
PROFILE_NOT_FOUND = MESSAGES[404] + ": profile not found"


class ApiError(Exception):
    """Raised by handlers to answer with an AIRS error.

    Args:
        status: HTTP status.
        reason: why (logged, never sent: the wire message is the documented one).
        retry_after: seconds, for 429.
    """

    def __init__(self, status: int, reason: str = "", retry_after: float | None = None) -> None:
        super().__init__(reason or MESSAGES.get(status, "error"))
        self.status = status
        self.reason = reason
        self.retry_after = retry_after


class RetryAfter(BaseModel):
    """When to retry a rate-limited call."""

    interval: int
    unit: str


class ErrorDetail(BaseModel):
    """The ``error`` object."""

    message: str
    retry_after: RetryAfter | None = None


class ErrorBody(BaseModel):
    """Every error response: ``{"error": {"message": ...}}`` (429 adds ``retry_after``)."""

    error: ErrorDetail


def error_body(status: int, retry_after: float | None = None, message: str | None = None) -> bytes:
    """The JSON bytes of the error body for ``status`` (``message`` replaces the documented one)."""
    err: dict[str, Any] = {
        "message": message or MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    }
    if retry_after is not None:
        err["retry_after"] = {"interval": max(1, math.ceil(retry_after)), "unit": "second"}
    return json.dumps({"error": err}).encode()


def error_headers(retry_after: float | None = None) -> list[tuple[bytes, bytes]]:
    """Headers of an error response (``Retry-After`` when rate limited)."""
    headers = [(b"content-type", b"application/json")]
    if retry_after is not None:
        headers.append((b"retry-after", str(max(1, math.ceil(retry_after))).encode()))
    return headers
