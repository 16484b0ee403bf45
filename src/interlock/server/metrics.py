"""Prometheus text-format metrics, kept in memory (no dependency).

Exposed at ``GET /metrics``: request counts by route/method/status, a request-latency histogram by route,
scan verdicts by detector, data type and verdict, and the number of pending async items.
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict
from collections.abc import Callable

from interlock.models import ScanResponse, ThreatScanReport

__all__ = ["Metrics"]

_REQ = "interlock_http_requests_total"
_LAT = "interlock_http_request_duration_seconds"
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _labels(**labels: str) -> str:
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
    return "{" + inner + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Metrics:
    """Counters and histograms, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, str], int] = defaultdict(int)
        self.latency: dict[str, list[int]] = {}
        self.latency_sum: dict[str, float] = defaultdict(float)
        self.latency_count: dict[str, int] = defaultdict(int)
        self.verdicts: dict[tuple[str, str, str], int] = defaultdict(int)
        self.scans: dict[tuple[str, str, str], int] = defaultdict(int)
        self.gauges: dict[str, Callable[[], float]] = {}

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one HTTP request and record its latency."""
        with self._lock:
            self.requests[(route, method, str(status))] += 1
            counts = self.latency.setdefault(route, [0] * (len(BUCKETS) + 1))
            counts[bisect.bisect_left(BUCKETS, seconds)] += 1
            self.latency_sum[route] += seconds
            self.latency_count[route] += 1

    def observe_scan(self, mode: str, response: ScanResponse, report: ThreatScanReport) -> None:
        """Count a finished scan's category/action and each detector's verdict."""
        with self._lock:
            self.scans[(mode, response.category, response.action)] += 1
            for dr in report.detection_results or ():
                self.verdicts[(str(dr.detection_service), str(dr.data_type), str(dr.verdict))] += 1

    def render(self) -> str:
        """The exposition text."""
        out: list[str] = []
        with self._lock:
            out += [
                "# HELP interlock_http_requests_total HTTP requests.",
                "# TYPE interlock_http_requests_total counter",
            ]
            for (route, method, status), n in sorted(self.requests.items()):
                out.append(f"{_REQ}{_labels(route=route, method=method, status=status)} {n}")
            out += [
                "# HELP interlock_http_request_duration_seconds HTTP request latency.",
                "# TYPE interlock_http_request_duration_seconds histogram",
            ]
            for route, counts in sorted(self.latency.items()):
                cumulative = 0
                for bound, n in zip((*BUCKETS, float("inf")), counts, strict=True):
                    cumulative += n
                    le = "+Inf" if bound == float("inf") else repr(bound)
                    out.append(f"{_LAT}_bucket{_labels(route=route, le=le)} {cumulative}")
                out.append(f"{_LAT}_sum{_labels(route=route)} {self.latency_sum[route]:.6f}")
                out.append(f"{_LAT}_count{_labels(route=route)} {self.latency_count[route]}")
            out += ["# HELP interlock_scans_total Finished scans.", "# TYPE interlock_scans_total counter"]
            for (mode, category, action), n in sorted(self.scans.items()):
                out.append(f"interlock_scans_total{_labels(mode=mode, category=category, action=action)} {n}")
            out += [
                "# HELP interlock_detector_verdicts_total Detector verdicts.",
                "# TYPE interlock_detector_verdicts_total counter",
            ]
            for (service, data_type, verdict), n in sorted(self.verdicts.items()):
                labels = _labels(detector=service, data_type=data_type, verdict=verdict)
                out.append(f"interlock_detector_verdicts_total{labels} {n}")
            gauges = dict(self.gauges)
        for name, fn in sorted(gauges.items()):
            out += [f"# TYPE {name} gauge", f"{name} {fn():g}"]
        return "\n".join(out) + "\n"
