"""Run ``interlock serve`` in a subprocess with the test stand-in detectors available (see fake_engine)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import fake_engine  # noqa: E402

from interlock.cli.main import main  # noqa: E402

if __name__ == "__main__":
    fake_engine.install()
    sys.exit(main(["serve", *sys.argv[1:]]))
