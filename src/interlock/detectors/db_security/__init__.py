"""Database security (AIRS ``db_security``): classify SQL in responses and tool events with sqlglot and flag
dangerous statements and SQL-injection payloads."""

from interlock.detectors.db_security.detector import DANGER_RULES, SUB_TYPES, DbSecurityDetector, DbSecurityOptions

__all__ = ["DANGER_RULES", "SUB_TYPES", "DbSecurityDetector", "DbSecurityOptions"]
