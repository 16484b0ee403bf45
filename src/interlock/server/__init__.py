"""The self-hosted, AIRS-compatible scan server (``interlock serve``; needs the ``server`` extra).

Example:
    >>> from interlock.server import ServerSettings, create_app
    >>> app = create_app(ServerSettings(db="/tmp/interlock-doc.db"))  # doctest: +SKIP
"""

from __future__ import annotations

from interlock.server.app import create_app
from interlock.server.settings import ServerSettings

__all__ = ["ServerSettings", "create_app"]
