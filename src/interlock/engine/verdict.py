"""Turn detector outcomes and the profile into the exchange's AIRS ``category`` and ``action``.

* ``category``: ``malicious`` if any detector detected a threat; otherwise ``timeout`` or ``error`` if any
  detector failed (so a failure is never reported as ``benign``); otherwise ``benign``.
* ``action``: ``block`` if any detection's policy action is ``block``, or a detector failed and the profile fails
  closed; otherwise ``allow``.
"""

from __future__ import annotations

from dataclasses import dataclass

from interlock.engine.engine import EngineResult, Outcome

__all__ = ["Verdict", "decide", "outcome_action"]


@dataclass(frozen=True)
class Verdict:
    """The exchange-level decision."""

    category: str
    action: str
    timeout: bool
    error: bool


def outcome_action(outcome: Outcome, fail_mode: str) -> str:
    """The action one outcome asks for."""
    if outcome.status != "ok":
        return "block" if fail_mode == "closed" else "allow"
    return outcome.action if outcome.detected else "allow"


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
