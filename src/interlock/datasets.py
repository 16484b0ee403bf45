"""Reading labelled JSONL data (plain or gzipped), as used by evaluations and training scripts.

Rows look like ``{"text": str, "label": 0|1, "source": str, "category": str, "id": str, ...}``.

The training scripts record which data files each shipped model learned from in ``training_data.json`` (beside
this module): file name, SHA-256 of the file's *decompressed* content and which rows were used.
:func:`training_matches` looks a file up there by content, so ``interlock eval`` can warn when it is asked to
measure a model on its own training data (a copy or a re-compressed file still matches; a subset does not).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = ["content_sha256", "read_jsonl", "record_training_data", "shared_data_dir", "training_matches"]

#: where the training scripts record the data each shipped model was trained on
TRAINING_MANIFEST = Path(__file__).with_name("training_data.json")


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


def content_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 (hex) of a file's content, decompressed first when it is gzipped."""
    p = Path(path)
    digest = hashlib.sha256()
    with p.open("rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    with gzip.open(p, "rb") if gzipped else p.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"models": {}}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def record_training_data(
    model: str,
    artifact: str | os.PathLike[str],
    files: Mapping[str, str],
    data_dir: str | os.PathLike[str],
    *,
    detector: str,
    manifest: str | os.PathLike[str] | None = None,
) -> None:
    """Record in the manifest that ``model`` (written to ``artifact``) was trained on ``files``.

    Called by the training scripts right after they write an artifact.

    Args:
        model: the model's name in the manifest (e.g. ``"injection"``).
        artifact: the artifact file just written (its SHA-256 is recorded, so a stale entry can be told).
        files: data file name (in ``data_dir``) -> which of its rows the model used.
        detector: the registry name of the detector that uses the model (``interlock eval --detector``).
    """
    path = Path(manifest) if manifest is not None else TRAINING_MANIFEST
    data = _manifest(path)
    root = path.parent
    art = Path(artifact).resolve()
    data["models"][model] = {
        "detector": detector,
        "artifact": art.relative_to(root).as_posix() if art.is_relative_to(root) else art.name,
        "artifact_sha256": hashlib.sha256(art.read_bytes()).hexdigest(),
        "files": {
            name: {"sha256": content_sha256(Path(data_dir) / name), "rows": used}
            for name, used in sorted(files.items())
        },
    }
    data["models"] = dict(sorted(data["models"].items()))
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def training_matches(
    path: str | os.PathLike[str], *, manifest: str | os.PathLike[str] | None = None
) -> list[dict[str, str]]:
    """The shipped models trained on this file's content: ``[{"model", "detector", "file", "rows"}]``."""
    models = _manifest(Path(manifest) if manifest is not None else TRAINING_MANIFEST)["models"]
    if not models:
        return []
    sha = content_sha256(path)
    return [
        {"model": name, "detector": m["detector"], "file": file, "rows": f["rows"]}
        for name, m in models.items()
        for file, f in m["files"].items()
        if f["sha256"] == sha
    ]
