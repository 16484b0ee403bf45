"""Prompt-injection and jailbreak detection (AIRS ``injection``).

``PromptInjectionDetector`` normalises text into evasion-resistant views (``interlock.text.normalize``) and
scores them with one or more tiers (``tiers.py``: weighted signatures now, a trained classifier later).
"""

from interlock.detectors.prompt_injection.detector import (
    THRESHOLDS,
    PromptInjectionDetector,
    PromptInjectionOptions,
)

__all__ = ["THRESHOLDS", "PromptInjectionDetector", "PromptInjectionOptions"]
