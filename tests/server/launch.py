"""Run ``interlock serve`` in a subprocess with the test stand-in detectors available (see server_fakes)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import server_fakes  # noqa: E402

from interlock.cli.main import main  # noqa: E402

if __name__ == "__main__":
    server_fakes.install()
    sys.exit(main(["serve", *sys.argv[1:]]))
