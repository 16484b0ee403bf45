"""Malicious-code detection (AIRS ``malicious_code``): reverse shells, download-and-execute, destructive commands,
credential theft, persistence, obfuscated payloads, exploits and command injection in code found in text."""

from interlock.detectors.malicious_code.detector import MaliciousCodeDetector, MaliciousCodeOptions

__all__ = ["MaliciousCodeDetector", "MaliciousCodeOptions"]
