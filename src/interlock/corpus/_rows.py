"""One corpus row in, one result row out: column choice, validation into error rows, and the batch scanner.

Nothing here imports Ray; pyarrow is imported when a batch is built (it comes with the ``ray`` extra).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from interlock.engine.engine import CONTEXT_LIMIT, TEXT_LIMIT

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from interlock.scanner import Scanner

__all__ = [
    "EXTRA_HINT",
    "MissingExtraError",
    "OUTPUT_COLUMNS",
    "Columns",
    "Record",
    "error_row",
    "RowScanner",
    "ScannerSpec",
    "output_schema",
    "record_of",
    "require_pyarrow",
]

EXTRA_HINT = "pip install 'interlock[ray]'"

#: The columns of every result row, in order (see docs/corpus.md).
OUTPUT_COLUMNS = (
    "row",
    "id",
    "category",
    "action",
    "detectors",
    "prompt_detected",
    "response_detected",
    "scores",
    "prompt_masked",
    "response_masked",
    "error",
    "scan_id",
    "run",
)

#: Normalised input rows (what the readers produce and :class:`RowScanner` consumes without a column map).
RECORD_FIELDS = ("row", "id", "prompt", "response", "context", "error")


class MissingExtraError(ImportError):
    """What was asked for needs the ``ray`` extra (Ray Data, pyarrow, pandas)."""


def require_pyarrow() -> Any:
    """Import pyarrow or raise :class:`MissingExtraError`."""
    try:
        import pyarrow
    except ImportError:
        raise MissingExtraError(f"corpus scanning needs pyarrow: {EXTRA_HINT}") from None
    return pyarrow


def output_schema() -> pa.Schema:
    """The Arrow schema of result rows."""
    pa = require_pyarrow()
    names = pa.list_(pa.string())
    return pa.schema(
        [
            ("row", pa.int64()),
            ("id", pa.string()),
            ("category", pa.string()),
            ("action", pa.string()),
            ("detectors", names),
            ("prompt_detected", names),
            ("response_detected", names),
            ("scores", pa.map_(pa.string(), pa.float64())),
            ("prompt_masked", pa.string()),
            ("response_masked", pa.string()),
            ("error", pa.string()),
            ("scan_id", pa.string()),
            ("run", pa.int32()),
        ]
    )


def record_schema() -> pa.Schema:
    pa = require_pyarrow()
    return pa.schema([("row", pa.int64())] + [(n, pa.string()) for n in RECORD_FIELDS[1:]])


@dataclass(frozen=True)
class Columns:
    """Which input columns hold the prompt, the response, the grounding context and the row id.

    ``None`` for prompt and response means "pick": ``prompt`` or else ``text`` for the prompt, ``response`` for the
    response, ``context`` and ``id`` when the input has them (see :meth:`resolve`).
    """

    prompt: str | None = None
    response: str | None = None
    context: str | None = None
    id: str | None = None

    def resolve(self, available: Sequence[str]) -> Columns:
        """The columns to read from an input whose columns are ``available`` (raises ValueError when unusable).

        Each role not named takes its default when the input has it: prompt ``prompt`` else ``text``, response
        ``response``, context ``context``, id ``id``.
        """
        have = set(available)
        for role, name in self.as_dict().items():
            if name is not None and name not in have:
                raise ValueError(f"{role} column {name!r} is not in the input (columns: {_names(available)})")
        resolved = Columns(
            prompt=self.prompt or next((c for c in ("prompt", "text") if c in have), None),
            response=self.response or ("response" if "response" in have else None),
            context=self.context or ("context" if "context" in have else None),
            id=self.id or ("id" if "id" in have else None),
        )
        if resolved.prompt is None and resolved.response is None:
            raise ValueError(
                f"no prompt or response column: name one with --prompt-column/--response-column "
                f"(columns: {_names(available)})"
            )
        return resolved

    def as_dict(self) -> dict[str, str | None]:
        return {"prompt": self.prompt, "response": self.response, "context": self.context, "id": self.id}


def _names(available: Sequence[str]) -> str:
    shown = ", ".join(available[:20])
    return shown + (f", … (+{len(available) - 20})" if len(available) > 20 else "") if available else "none"


@dataclass
class Record:
    """A normalised input row: texts, or the reason it cannot be scanned."""

    row: int | None
    id: str | None
    prompt: str | None = None
    response: str | None = None
    context: str | None = None
    error: str | None = None


def _text(value: object, role: str, limit: int) -> tuple[str | None, str | None]:
    """(text, error) of one cell: None stays None; non-text and over-limit values are errors."""
    if value is None:
        return None, None
    if isinstance(value, float) and value != value:  # NaN: pandas' missing value
        return None, None
    if not isinstance(value, str):
        return None, f"{role} is {type(value).__name__}, not text"
    if len(value) > limit:
        return None, f"{role} is {len(value)} characters; the limit is {limit}"
    return value, None


def record_of(values: Mapping[str, Any], columns: Columns, row: int | None, *, max_chars: int = TEXT_LIMIT) -> Record:
    """Validate one input row into a :class:`Record` (never raises: bad cells become ``error``)."""
    raw_id = values.get(columns.id) if columns.id else None
    rid = str(row) if raw_id is None and row is not None else (None if raw_id is None else str(raw_id))
    rec = Record(row=row, id=rid)
    errors = []
    for role, name, limit in (
        ("prompt", columns.prompt, max_chars),
        ("response", columns.response, max_chars),
        ("context", columns.context, min(max_chars, CONTEXT_LIMIT) if columns.context else CONTEXT_LIMIT),
    ):
        if name is None:
            continue
        text, err = _text(values.get(name), role, limit)
        if err:
            errors.append(err)
        setattr(rec, role, text)
    if errors:
        rec.error = "; ".join(errors)
    elif not (rec.prompt and rec.prompt.strip()) and not (rec.response and rec.response.strip()):
        rec.error = "no text to scan (prompt and response are empty or missing)"
    return rec


def records_table(records: Iterable[Record]) -> pa.Table:
    """Records as an Arrow table (the block format the Ray path ships to workers)."""
    pa = require_pyarrow()
    rows = [{f: getattr(r, f) for f in RECORD_FIELDS} for r in records]
    return pa.Table.from_pylist(rows, schema=record_schema())


@dataclass(frozen=True)
class ScannerSpec:
    """How a worker builds its scanner (picklable, so every Ray worker builds its own, once).

    The defaults give what ``interlock scan`` uses: the local engine unless an endpoint and credentials are
    configured (``interlock.scanner()``). ``factory`` replaces all of it with any callable returning a ``Scanner``.
    """

    profiles_files: tuple[str, ...] = ()
    local: bool = False
    endpoint: str | None = None
    api_key: str | None = None
    factory: Callable[[], Scanner] | None = None

    def build(self) -> Scanner:
        if self.factory is not None:
            return self.factory()
        from interlock.profiles.loader import ProfileStore
        from interlock.scanner import LocalScanner, scanner

        store = ProfileStore.default(list(self.profiles_files)) if (self.local or self.profiles_files) else None
        if self.local:
            return LocalScanner(profiles=store)
        return scanner(api_key=self.api_key, endpoint=self.endpoint, profiles=store)


@dataclass
class RowScanner:
    """Scans batches of rows with one scanner built on first use (a Ray Data callable class, or in-process).

    Args:
        spec: how to build the scanner (or pass ``scanner`` to use one you built).
        profile: the profile name every row is scanned with (default: ``$INTERLOCK_PROFILE`` or ``default``).
        columns: read these columns of the batch; ``None`` when the batch already holds normalised records.
        max_chars: rows whose prompt or response is longer become error rows.
        run: the run number written into every result row (the output directory's invocation count).
    """

    spec: ScannerSpec = field(default_factory=ScannerSpec)
    profile: str | None = None
    columns: Columns | None = None
    max_chars: int = TEXT_LIMIT
    run: int | None = None
    scanner: Scanner | None = None

    def __post_init__(self) -> None:
        if self.scanner is None:
            self.scanner = self.spec.build()  # once per worker

    def __call__(self, batch: pa.Table) -> pa.Table:
        pa = require_pyarrow()
        cols = batch.to_pydict()
        n = batch.num_rows
        rows_in = [{k: v[i] for k, v in cols.items()} for i in range(n)]
        if self.columns is None:
            records = [Record(**{f: r.get(f) for f in RECORD_FIELDS}) for r in rows_in]
        else:
            columns = self.columns.resolve(batch.column_names)
            records = [record_of(r, columns, None, max_chars=self.max_chars) for r in rows_in]
        return pa.Table.from_pylist([self.scan_record(r) for r in records], schema=output_schema())

    def scan_record(self, rec: Record) -> dict[str, Any]:
        """The result row of one record; any failure of the scan becomes an error row."""
        if rec.error is not None:
            return error_row(rec, self.run)
        content = {k: v for k, v in (("prompt", rec.prompt), ("response", rec.response), ("context", rec.context)) if v}
        assert self.scanner is not None
        try:
            result = self.scanner.scan(content, profile=self.profile)
        except Exception as exc:  # one bad row never stops the job
            rec.error = f"{type(exc).__name__}: {exc}"
            return error_row(rec, self.run)
        detected = result.detected()
        out = _row(rec, self.run)
        out.update(
            category=result.category,
            action=result.action,
            detectors=sorted({n for names in detected.values() for n in names}),
            prompt_detected=detected.get("prompt", []),
            response_detected=detected.get("response", []),
            scores=[(k, float(v)) for k, v in sorted(result.scores.items())],
            prompt_masked=result.masked("prompt"),
            response_masked=result.masked("response"),
            scan_id=result.response.scan_id,
        )
        return out

    def close(self) -> None:
        if self.scanner is not None and self.spec.factory is None:
            self.scanner.close()


def _row(rec: Record, run: int | None) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(OUTPUT_COLUMNS)
    out.update(row=rec.row, id=rec.id, run=run, detectors=[], prompt_detected=[], response_detected=[])
    return out


def error_row(rec: Record, run: int | None = None) -> dict[str, Any]:
    """The result row of a record that could not be scanned: it fails closed (category error, action block)."""
    out = _row(rec, run)
    out.update(category="error", action="block", error=rec.error)
    return out


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)
