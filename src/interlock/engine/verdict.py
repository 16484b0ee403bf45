"""Turn detector outcomes and the profile into the exchange's AIRS ``category`` and ``action``.

* ``category``: ``malicious`` if any detector detected a threat; otherwise ``timeout`` or ``error`` if any
  detector failed (so a failure is never reported as ``benign``); otherwise ``benign``.
* ``action``: ``block`` if any detection's policy action is ``block``, or a detector failed and the profile fails
  closed; otherwise ``allow``. A detector whose findings name data patterns (DLP) is judged per finding: its
  detection blocks only when some finding's pattern action (``DetectorPolicy.data_patterns``) is ``block``;
  ``mask`` and ``report`` findings are still detections (flagged, reported) but allow the exchange, and only
  ``block``/``mask`` findings are masked in ``*_masked_data``.
"""

from __future__ import annotations

from dataclasses import dataclass

from interlock.engine.base import Finding
from interlock.engine.engine import EngineResult, Outcome
from interlock.profiles.model import PatternAction

__all__ = ["Verdict", "decide", "finding_action", "outcome_action"]

#: Fields the AIRS response carries masked data for (``*_masked_data``, tool ``masked_data``).
_MASKABLE_FIELDS = frozenset({"prompt", "response", "tool_input", "tool_output"})


@dataclass(frozen=True)
class Verdict:
    """The exchange-level decision."""

    category: str
    action: str
    timeout: bool
    error: bool


def finding_action(outcome: Outcome, finding: Finding) -> PatternAction:
    """What the profile does with one finding: ``block``, ``mask`` or ``report``."""
    if outcome.policy is None:
        return "block" if outcome.action == "block" else "report"
    pattern, group = finding.data.get("pattern"), finding.data.get("group")
    action = outcome.policy.pattern_action(outcome.item.data_type, pattern, group)
    if action == "mask" and outcome.item.field not in _MASKABLE_FIELDS:
        return "block"  # code_prompt/code_response have no masked-data field: the text could only pass unmasked
    return action


def outcome_action(outcome: Outcome, fail_mode: str) -> str:
    """The action one outcome asks for."""
    if outcome.status != "ok":
        return "block" if fail_mode == "closed" else "allow"
    if not outcome.detected:
        return "allow"
    policy, result = outcome.policy, outcome.result
    if policy is None or not policy.data_patterns.get(outcome.item.data_type) or result is None or not result.findings:
        return outcome.action
    return "block" if any(finding_action(outcome, f) == "block" for f in result.findings) else "allow"


def decide(result: EngineResult) -> Verdict:
    """Decide category and action for a whole exchange."""
    outcomes = result.outcomes
    timeout = any(o.status == "timeout" for o in outcomes)
    error = any(o.status != "ok" for o in outcomes)
    if any(o.detected for o in outcomes):
        category = "malicious"
    elif timeout:
        category = "timeout"
    elif error:
        category = "error"
    else:
        category = "benign"
    fail_mode = result.profile.fail_mode
    action = "block" if any(outcome_action(o, fail_mode) == "block" for o in outcomes) else "allow"
    return Verdict(category=category, action=action, timeout=timeout, error=error)
