"""Cooperative time budgets for detectors.

The engine stops *waiting* for a detector once its budget is spent (the scan fails closed with ``timeout``), but
Python cannot kill the worker thread: a detector that keeps going burns CPU after its answer stopped mattering,
which an attacker could use to amplify load. The engine therefore records each run's deadline for the worker
thread, and detectors that loop over a long text call :func:`check` between pieces of work to stop early.
"""

from __future__ import annotations

import threading
import time

__all__ = ["BudgetExceeded", "check", "clear", "set_deadline"]

_local = threading.local()


class BudgetExceeded(TimeoutError):
    """The running detector passed its deadline; the engine reports the run as ``timeout``."""


def set_deadline(deadline: float) -> None:
    """Set the current thread's deadline (a :func:`time.perf_counter` value)."""
    _local.deadline = deadline


def clear() -> None:
    """Remove the current thread's deadline."""
    _local.deadline = None


def check() -> None:
    """Raise :class:`BudgetExceeded` if the current thread has a deadline and it has passed; cheap otherwise."""
    deadline = getattr(_local, "deadline", None)
    if deadline is not None and time.perf_counter() > deadline:
        raise BudgetExceeded("detector time budget exceeded")
