"""DLP (sensitive data) detector: validated data patterns with AIRS ``dlp_report`` output."""

from interlock.detectors.dlp.detector import PHONE_ENTITY, CustomPattern, DlpDetector, DlpOptions
from interlock.detectors.dlp.patterns import BUILTIN_PATTERNS, Pattern

__all__ = ["BUILTIN_PATTERNS", "PHONE_ENTITY", "CustomPattern", "DlpDetector", "DlpOptions", "Pattern"]
