"""The embedded scan engine (detector protocol, registry, orchestration, verdict, wire bridge)."""
