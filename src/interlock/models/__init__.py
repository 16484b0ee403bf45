"""AIRS wire-format models (pydantic v2). This package never imports the engine."""

from __future__ import annotations

from interlock.models._base import WireModel, utcnow
from interlock.models.report import *  # noqa: F403
from interlock.models.report import __all__ as _report_all
from interlock.models.request import *  # noqa: F403
from interlock.models.request import __all__ as _request_all
from interlock.models.response import *  # noqa: F403
from interlock.models.response import __all__ as _response_all

#: The SDK's name for :class:`ThreatScanReport`.
ThreatScanReportObject = ThreatScanReport  # noqa: F405

__all__ = sorted([*_report_all, *_request_all, *_response_all, "ThreatScanReportObject", "WireModel", "utcnow"])
