"""Detector registry: AIRS service name -> detector class, imported lazily.

Built-in detectors are listed in :data:`BUILTIN`; third-party detectors register through the
``interlock.detectors`` entry-point group (``name = "package.module:Class"``). A name the wire format knows
but no registered detector implements is refused when a profile enables it (see ``profiles.loader``).
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points

from interlock.engine.base import Detector, DetectorOptions
from interlock.errors import ProfileError

__all__ = ["BUILTIN", "available", "detector_class", "build_detector"]

#: Built-in detectors: flag name -> "module:Class".
BUILTIN: dict[str, str] = {
    "injection": "interlock.detectors.prompt_injection:PromptInjectionDetector",
    "dlp": "interlock.detectors.dlp:DlpDetector",
    "toxic_content": "interlock.detectors.toxic_content:ToxicContentDetector",
    "topic_violation": "interlock.detectors.topic_guardrails:TopicGuardrailsDetector",
    "ungrounded": "interlock.detectors.grounding:GroundingDetector",
    "agent": "interlock.detectors.agent_security:AgentSecurityDetector",
    "url_cats": "interlock.detectors.url_filtering:UrlFilteringDetector",
    "malicious_code": "interlock.detectors.malicious_code:MaliciousCodeDetector",
    "db_security": "interlock.detectors.db_security:DbSecurityDetector",
}


@cache
def _plugins() -> dict[str, str]:
    found: dict[str, str] = {}
    for ep in entry_points(group="interlock.detectors"):
        found[ep.name] = ep.value
    return found


def available() -> list[str]:
    """Names of every detector this engine can run."""
    return sorted({*BUILTIN, *_plugins()})


@cache
def detector_class(name: str) -> type[Detector]:
    """Import and return the detector class registered under ``name``.

    Raises:
        ProfileError: no detector of that name is implemented.
    """
    target = BUILTIN.get(name) or _plugins().get(name)
    if target is None:
        raise ProfileError(f"detector {name!r} is not implemented by this engine (available: {', '.join(available())})")
    module_name, _, attr = target.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except ImportError as exc:
        raise ProfileError(f"detector {name!r} cannot be loaded ({exc}); is its extra installed?") from None
    return cls  # type: ignore[no-any-return]


def validate_options(name: str, options: dict[str, object]) -> DetectorOptions:
    """Validate a profile's options for detector ``name`` (raises ProfileError with the detail)."""
    cls = detector_class(name)
    try:
        return cls.Options.model_validate(options)
    except Exception as exc:  # pydantic.ValidationError, or a validator's own error
        raise ProfileError(f"invalid options for detector {name!r}: {exc}") from None


def build_detector(name: str, options: dict[str, object]) -> Detector:
    """Build a detector instance from validated options."""
    cls = detector_class(name)
    return cls(validate_options(name, options))  # type: ignore[call-arg]
