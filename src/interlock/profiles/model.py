"""Security profiles: which detectors run on which data types, with which action and options."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from interlock.models.request import MAX_PROFILE_NAME

__all__ = ["DetectorPolicy", "PatternAction", "Profile", "profile_uuid"]

DataTypeName = Literal["prompt", "response", "tool_event"]
#: What a profile does with one data pattern's findings: ``block`` the exchange (masked data is still returned),
#: ``mask`` it (allowed, the span masked in ``*_masked_data``, the detection reported), or only ``report`` it
#: (allowed, detection reported, text unchanged).
PatternAction = Literal["block", "mask", "report"]

#: Namespace for deriving a stable profile_id from a profile name.
_PROFILE_NS = uuid.UUID("5b0c8f0e-3c1e-4a57-9d55-6f1f4b1a7c2e")


def profile_uuid(name: str) -> str:
    """Return the stable UUID a profile gets when its file does not set ``id``."""
    return str(uuid.uuid5(_PROFILE_NS, name))


class DetectorPolicy(BaseModel):
    """How one detector is used by a profile.

    Attributes:
        action: ``block`` blocks the exchange on a detection; ``allow`` only reports it (alert).
        on: data types to scan; ``None`` means every type the detector supports.
        options: detector-specific settings, validated by the detector's ``Options`` model.
        data_patterns: per data type, the action for a data pattern (or a group of patterns) of a detector that
            reports them (``dlp``): ``{"prompt": {"contact": "mask", "credit_card": "block"}}``. A pattern name
            wins over its group; a pattern not listed takes ``action`` (``block`` -> ``block``, ``allow`` ->
            ``report``). Names are checked against the detector when the profile loads.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: Literal["block", "allow"] = "block"
    on: tuple[DataTypeName, ...] | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    data_patterns: dict[DataTypeName, dict[str, PatternAction]] = Field(default_factory=dict)

    @property
    def default_pattern_action(self) -> PatternAction:
        """The action of a data pattern the profile does not list."""
        return "block" if self.action == "block" else "report"

    def pattern_action(self, data_type: str, pattern: str | None, group: str | None = None) -> PatternAction:
        """The action for a finding of ``pattern`` (in ``group``) on ``data_type``."""
        rules = self.data_patterns.get(data_type)  # type: ignore[call-overload]
        if rules:
            for key in (pattern, group):
                if key is not None and key in rules:
                    return rules[key]  # type: ignore[no-any-return]
        return self.default_pattern_action


class Profile(BaseModel):
    """An AI security profile.

    Attributes:
        name: the ``profile_name`` clients send.
        id: the ``profile_id`` (UUID); derived from the name when not given.
        fail_mode: ``closed`` blocks when a detector errors or times out; ``open`` allows (and reports it).
        detector_timeout_ms: per-detector time budget.
        masking: produce ``*_masked_data`` for sensitive-data findings.
        detectors: detector name -> policy. Only listed detectors run.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=MAX_PROFILE_NAME)
    id: str = ""
    description: str = ""
    fail_mode: Literal["closed", "open"] = "closed"
    detector_timeout_ms: int = Field(default=2000, gt=0, le=600_000)
    masking: bool = True
    detectors: dict[str, DetectorPolicy] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _uuid(cls, value: str) -> str:
        if value:
            try:
                return str(uuid.UUID(value))
            except ValueError:
                raise ValueError("profile id must be a UUID") from None
        return value

    @model_validator(mode="after")
    def _default_id(self) -> Profile:
        if not self.id:
            object.__setattr__(self, "id", profile_uuid(self.name))
        return self

    @model_validator(mode="after")
    def _mask_needs_masking(self) -> Profile:
        if not self.masking:
            masked = sorted(
                f"{name}.data_patterns.{data_type}.{pattern}"
                for name, policy in self.detectors.items()
                for data_type, rules in policy.data_patterns.items()
                for pattern, action in rules.items()
                if action == "mask"
            )
            if masked:
                raise ValueError(f"data pattern action 'mask' needs 'masking: true' ({', '.join(masked)})")
        return self

    def policy(self, detector: str) -> DetectorPolicy | None:
        """Return the policy of a detector, or None when the profile does not enable it."""
        return self.detectors.get(detector)
