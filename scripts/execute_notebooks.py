"""Execute the notebooks in place, so they are committed with their outputs (pictures included).

    .venv/bin/python scripts/execute_notebooks.py                 # every notebooks/*.ipynb
    .venv/bin/python scripts/execute_notebooks.py notebooks/x.ipynb

Each notebook runs in a fresh kernel with its own folder as the working directory, as `pytest --nbmake` (part of
`make test`) runs it; a failing cell stops with the error and leaves the file unchanged.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        t0 = time.perf_counter()
        client = nbclient.NotebookClient(
            nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(path.parent)}}
        )
        client.execute()
        nbformat.write(nb, path)
        print(f"{path}: executed in {time.perf_counter() - t0:.1f} s")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
