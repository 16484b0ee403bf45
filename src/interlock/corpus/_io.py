"""Corpus files: reading JSONL(.gz), CSV(.gz) and Parquet in chunks of records; the resumable output directory.

The output is a directory of Parquet part files named by the input rows they hold
(``part-<first row>-<last row>.parquet``) and ``_manifest.json``, which names the input and settings and lists the
parts written, with their row ranges. A part file is renamed into place before the manifest lists it, and files the
manifest does not list are deleted on start, so a rerun after an interruption skips exactly the rows already written.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import io
import json
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from interlock.corpus._rows import Columns, Record, record_of, require_pyarrow

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = ["FORMATS", "OutputDir", "RowSet", "count_rows", "detect_format", "input_columns", "iter_chunks"]

FORMATS = ("jsonl", "csv", "parquet")
MANIFEST = "_manifest.json"
_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def detect_format(path: Path, fmt: str | None = None) -> str:
    """``jsonl``, ``csv`` or ``parquet`` from ``fmt`` or the file name (``.gz`` is looked through)."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
        return fmt
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    found = _SUFFIXES.get(suffixes[-1] if suffixes else "")
    if found is None:
        raise ValueError(f"cannot tell the format of {path.name}: use --format {'/'.join(FORMATS)}")
    return found


def _open(path: Path) -> IO[bytes]:
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    if gz:
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _text_stream(path: Path) -> io.TextIOWrapper:
    # Undecodable bytes become U+FFFD: the row is still scanned (a CSV stream cannot resume mid-row otherwise).
    return io.TextIOWrapper(_open(path), encoding="utf-8", errors="replace", newline="")


def input_columns(path: Path, fmt: str, sample: int = 100) -> list[str]:
    """The column names of an input (for JSONL, the keys of its first ``sample`` objects, in first-seen order)."""
    if fmt == "parquet":
        pq = _parquet()
        return list(pq.ParquetFile(path).schema_arrow.names)
    if fmt == "csv":
        with _text_stream(path) as fh:
            return next(csv.reader(fh), [])
    names: dict[str, None] = {}
    with _open(path) as fh:
        seen = 0
        for line in fh:
            if not line.strip():
                continue
            seen += 1
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError):
                obj = None
            if isinstance(obj, dict):
                names.update(dict.fromkeys(obj))
            if seen >= sample:
                break
    return list(names)


def count_rows(path: Path, fmt: str) -> int | None:
    """The number of rows when cheap to know (Parquet metadata, JSONL non-blank lines); None for CSV."""
    if fmt == "parquet":
        return int(_parquet().ParquetFile(path).metadata.num_rows)
    if fmt == "jsonl":
        with _open(path) as fh:
            return sum(1 for line in fh if line.strip())
    return None


def _parquet() -> Any:
    require_pyarrow()
    import pyarrow.parquet as pq

    return pq


def iter_chunks(
    path: Path, fmt: str, columns: Columns, *, chunk_rows: int, max_chars: int, skip: RowSet | None = None
) -> Iterator[list[Record]]:
    """Lists of at most ``chunk_rows`` records, in input order, leaving out rows in ``skip``.

    A row that cannot be parsed or holds no usable text is a record with ``error`` set, never an exception.
    """
    skip = skip if skip is not None else RowSet()
    chunk: list[Record] = []
    for row, values in _rows(path, fmt, columns, skip):
        if row in skip:
            continue
        chunk.append(values if isinstance(values, Record) else record_of(values, columns, row, max_chars=max_chars))
        if len(chunk) >= chunk_rows:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _rows(path: Path, fmt: str, columns: Columns, skip: RowSet) -> Iterator[tuple[int, dict[str, Any] | Record]]:
    if fmt == "jsonl":
        yield from _jsonl_rows(path, skip)
    elif fmt == "csv":
        yield from _csv_rows(path)
    else:
        yield from _parquet_rows(path, columns)


def _jsonl_rows(path: Path, skip: RowSet) -> Iterator[tuple[int, dict[str, Any] | Record]]:
    row = -1
    with _open(path) as fh:
        for line in fh:
            if not line.strip():
                continue
            row += 1
            if row in skip:  # finished: not even parsed
                yield row, {}
                continue
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError) as exc:
                yield row, Record(row=row, id=str(row), error=f"invalid JSON line: {str(exc)[:200]}")
                continue
            if not isinstance(obj, dict):
                yield row, Record(row=row, id=str(row), error=f"line is a JSON {type(obj).__name__}, not an object")
                continue
            yield row, obj


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | Record]]:
    csv.field_size_limit(2**31 - 1)  # long fields are the size limit's business, not the parser's
    with _text_stream(path) as fh:
        reader = csv.DictReader(fh)
        row = -1
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                row += 1
                yield row, Record(row=row, id=str(row), error=f"invalid CSV row: {exc}")
                continue
            row += 1
            yield row, values


def _parquet_rows(path: Path, columns: Columns) -> Iterator[tuple[int, dict[str, Any] | Record]]:
    pq = _parquet()
    wanted = [c for c in columns.as_dict().values() if c is not None]
    row = -1
    for batch in pq.ParquetFile(path).iter_batches(batch_size=4096, columns=list(dict.fromkeys(wanted))):
        for values in batch.to_pylist():
            row += 1
            yield row, values


class RowSet:
    """A set of row numbers kept as sorted, merged half-open ranges."""

    def __init__(self, ranges: Sequence[Sequence[int]] = ()) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        for a, b in sorted((int(a), int(b)) for a, b in ranges):
            self._add(a, b)

    @classmethod
    def of(cls, rows: Sequence[int]) -> RowSet:
        ranges: list[list[int]] = []
        for r in sorted(rows):
            if ranges and ranges[-1][1] == r:
                ranges[-1][1] = r + 1
            elif not ranges or ranges[-1][1] < r:
                ranges.append([r, r + 1])
        return cls(ranges)

    def _add(self, a: int, b: int) -> None:  # ranges arrive sorted by start
        if self._ends and a <= self._ends[-1]:
            self._ends[-1] = max(self._ends[-1], b)
        else:
            self._starts.append(a)
            self._ends.append(b)

    def update(self, other: RowSet) -> None:
        merged = sorted([*self.ranges(), *other.ranges()])
        self._starts, self._ends = [], []
        for a, b in merged:
            self._add(a, b)

    def __contains__(self, row: object) -> bool:
        if not isinstance(row, int):
            return False
        i = bisect.bisect_right(self._starts, row) - 1
        return i >= 0 and row < self._ends[i]

    def __len__(self) -> int:
        return sum(b - a for a, b in zip(self._starts, self._ends, strict=True))

    def ranges(self) -> list[list[int]]:
        return [[a, b] for a, b in zip(self._starts, self._ends, strict=True)]


class OutputDir:
    """The resumable output directory (see the module docstring).

    Args:
        path: the directory (created when missing).
        fingerprint: the input and settings; a directory written for another fingerprint is refused unless
            ``overwrite``, which deletes its part files first.
    """

    def __init__(self, path: Path, fingerprint: dict[str, Any], *, overwrite: bool = False) -> None:
        self.path = path
        if path.exists() and not path.is_dir():
            raise ValueError(f"--output {path} is a file: it must be a directory (of Parquet part files)")
        path.mkdir(parents=True, exist_ok=True)
        manifest = self._load()
        if manifest is not None and manifest.get("input") != fingerprint:
            if not overwrite:
                raise ValueError(
                    f"{path} holds results for another input or other settings (see {MANIFEST}): "
                    "use a new --output directory, or --overwrite to replace it"
                )
            manifest = None
        if manifest is None:
            manifest = {
                "format": 1,
                "input": fingerprint,
                "runs": 0,
                "complete": False,
                "total_rows": None,
                "parts": [],
            }
        listed = {p["file"] for p in manifest["parts"]}
        for f in path.iterdir():  # parts written by an interrupted run after its last manifest update
            if (f.name.startswith("part-") and f.suffix == ".parquet" and f.name not in listed) or f.name.startswith(
                ".part-"
            ):
                f.unlink()
        manifest["runs"] += 1
        self.manifest = manifest
        self.run = int(manifest["runs"])
        self.finished = RowSet([r for p in manifest["parts"] for r in p["rows"]])
        self._save()

    def _load(self) -> dict[str, Any] | None:
        f = self.path / MANIFEST
        if not f.exists():
            return None
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ValueError(f"{f} is not valid JSON ({exc}): use --overwrite to start again") from None
        return data if isinstance(data, dict) else None

    def _save(self) -> None:
        tmp = self.path / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(self.manifest, indent=1), encoding="utf-8")
        os.replace(tmp, self.path / MANIFEST)

    def write(self, tables: Sequence[pa.Table]) -> int:
        """Write result rows as one part file and record them in the manifest; returns the row count."""
        pa = require_pyarrow()
        import pyarrow.parquet as pq

        tables = [t for t in tables if t.num_rows]
        if not tables:
            return 0
        table = pa.concat_tables(tables).sort_by("row")
        rows = table.column("row").to_pylist()
        name = f"part-{rows[0]:010d}-{rows[-1]:010d}.parquet"
        tmp = self.path / ("." + name + ".tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, self.path / name)
        done = RowSet.of(rows)
        self.manifest["parts"].append({"file": name, "rows": done.ranges(), "count": len(rows), "run": self.run})
        self.finished.update(done)
        self._save()
        return len(rows)

    def mark_complete(self, total_rows: int) -> None:
        self.manifest["complete"] = True
        self.manifest["total_rows"] = total_rows
        self._save()

    def summary(self) -> dict[str, Counter[str]]:
        """Counts over every part: ``category``, ``action``, ``detectors`` (rows each fired on) and ``errors``."""
        import pyarrow.parquet as pq

        out: dict[str, Counter[str]] = {k: Counter() for k in ("category", "action", "detectors", "errors")}
        for part in self.manifest["parts"]:
            t = pq.read_table(self.path / part["file"], columns=["category", "action", "detectors", "error"])
            out["category"].update(t.column("category").to_pylist())
            out["action"].update(t.column("action").to_pylist())
            for names in t.column("detectors").to_pylist():
                out["detectors"].update(names or [])
            out["errors"]["rows"] += sum(1 for e in t.column("error").to_pylist() if e is not None)
        return out
