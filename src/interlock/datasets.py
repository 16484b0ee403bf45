"""Reading labelled JSONL data (plain or gzipped), as used by evaluations and training scripts.

Rows look like ``{"text": str, "label": 0|1, "source": str, "category": str, "id": str, ...}``.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["read_jsonl", "shared_data_dir"]


def shared_data_dir() -> Path:
    """``$INTERLOCK_SHARED_DATA``, else ``../shared/data`` beside the current directory's repository root."""
    env = os.environ.get("INTERLOCK_SHARED_DATA")
    if env:
        return Path(env)
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        candidate = folder.parent / "shared" / "data"
        if (folder / "pyproject.toml").exists() and candidate.exists():
            return candidate
    return here.parent / "shared" / "data"


def read_jsonl(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Yield one dict per non-empty line of a ``.jsonl`` or ``.jsonl.gz`` file."""
    p = Path(path)
    opener = gzip.open if p.suffix == ".gz" else open
    with opener(p, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if line:
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{p}:{n}: not JSON: {exc.msg}") from None
