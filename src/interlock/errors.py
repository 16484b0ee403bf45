"""Exceptions raised by Interlock.

The hierarchy::

    InterlockError
    ├── ConfigError                 bad configuration (settings, environment)
    │   └── ProfileError            unknown profile, invalid profile, unsupported detector
    ├── InvalidRequestError         a scan request that fails validation or a client-side limit
    ├── DetectorError               a detector failed (normally reported inside a ScanResponse, not raised)
    ├── ThreatDetected              raised by guards/adapters when a scan blocks content
    └── ClientError                 talking to a remote AIRS-compatible endpoint failed
        ├── TransportError          network failure, no HTTP response
        │   └── ScanTimeoutError    the request timed out
        ├── ResponseFormatError     the endpoint answered 200 with a body that is not AIRS JSON
        └── APIStatusError          the endpoint answered with an error status
            ├── BadRequestError         400
            ├── AuthenticationError     401
            ├── PermissionDeniedError   403
            ├── NotFoundError           404
            ├── MethodNotAllowedError   405
            ├── PayloadTooLargeError    413
            ├── UnsupportedMediaTypeError 415
            ├── RateLimitError          429
            └── ServerError             5xx
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from interlock.models import ScanResponse

__all__ = [
    "APIStatusError",
    "AuthenticationError",
    "BadRequestError",
    "ClientError",
    "ConfigError",
    "DetectorError",
    "InterlockError",
    "InvalidRequestError",
    "MethodNotAllowedError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "ProfileError",
    "RateLimitError",
    "ResponseFormatError",
    "ScanTimeoutError",
    "ServerError",
    "ThreatDetected",
    "TransportError",
    "UnsupportedMediaTypeError",
]


class InterlockError(Exception):
    """Base class of every exception Interlock raises."""


class ConfigError(InterlockError):
    """Invalid configuration."""


class ProfileError(ConfigError):
    """A security profile is unknown, malformed, or enables a detector this engine cannot run."""


class InvalidRequestError(InterlockError):
    """A scan request is invalid or exceeds a documented limit (maps to HTTP 400/413)."""

    def __init__(self, message: str, *, status_code: int = 400) -> None:
        super().__init__(message)
        self.status_code = status_code


class DetectorError(InterlockError):
    """A detector failed while scanning."""


class ThreatDetected(InterlockError):
    """Content was blocked by a scan.

    Carries the full AIRS ``ScanResponse`` and which side (``"prompt"``, ``"response"``,
    ``"context"``, ``"tool_event"``) was blocked, so callers can explain or log the decision.
    """

    def __init__(
        self,
        message: str,
        *,
        response: ScanResponse | None = None,
        side: str | None = None,
        result: Any = None,
    ) -> None:
        super().__init__(message)
        self.response = response
        self.side = side
        self.result = result


class ClientError(InterlockError):
    """Talking to a remote scanning endpoint failed."""


class TransportError(ClientError):
    """The request did not get an HTTP response (connection refused, TLS failure, reset)."""


class ScanTimeoutError(TransportError):
    """The request timed out."""


class ResponseFormatError(ClientError):
    """The endpoint answered 200 with a body that does not parse as the expected AIRS model."""


class APIStatusError(ClientError):
    """The endpoint answered with an HTTP error status.

    Attributes:
        status_code: the HTTP status.
        body: the decoded JSON error body when there was one, else the raw text.
        retry_after: seconds to wait, from a 429's ``Retry-After`` header or AIRS ``retry_after``.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body
        self.retry_after = retry_after


class BadRequestError(APIStatusError):
    """400: the request is invalid or malformed."""


class AuthenticationError(APIStatusError):
    """401: no credentials were sent."""


class PermissionDeniedError(APIStatusError):
    """403: the credentials are invalid, revoked or not allowed to use the profile."""


class NotFoundError(APIStatusError):
    """404: unknown path or resource."""


class MethodNotAllowedError(APIStatusError):
    """405: wrong HTTP method."""


class PayloadTooLargeError(APIStatusError):
    """413: the body or the URL count exceeds a limit."""


class UnsupportedMediaTypeError(APIStatusError):
    """415: the request was not ``application/json``."""


class RateLimitError(APIStatusError):
    """429: the request exceeded a rate limit."""


class ServerError(APIStatusError):
    """5xx: the endpoint failed."""


STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaTypeError,
    429: RateLimitError,
}


def error_for_status(status_code: int) -> type[APIStatusError]:
    """Return the exception class that represents an HTTP error status."""
    if status_code >= 500:
        return ServerError
    return STATUS_ERRORS.get(status_code, APIStatusError)
